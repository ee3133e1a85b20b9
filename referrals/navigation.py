from organisations.models import Membership, StaffRole
from partnership.navigation import NavItem


def items(request) -> list[NavItem]:
    """Write a prescription and follow it up (frontline workers); the inbox (service coordinators)."""
    user = request.user
    if not user.is_authenticated:
        return []
    roles = set(
        StaffRole.objects.filter(user=user, membership__status=Membership.Status.ACTIVE).values_list("role", flat=True)
    )
    result = []
    if StaffRole.Role.REFERRER in roles:
        result += [NavItem("Write a prescription", "referrals:new", order=20),
                   NavItem("My referrals", "referrals:mine", order=30)]
    if StaffRole.Role.COORDINATOR in roles:
        result.append(NavItem("Referral inbox", "referrals:inbox", order=40))
    return result
