from organisations.models import Membership, StaffRole
from partnership.navigation import NavItem


def items(request) -> list[NavItem]:
    """Write a prescription and follow it up (frontline workers); the inbox and, at the lead organisation,
    possible duplicates (service coordinators). Notifications are the core's (partnership/notifications)."""
    user = request.user
    if not user.is_authenticated:
        return []
    # One query: each active role, and whether it is held at its partnership's lead organisation.
    held = list(StaffRole.objects.filter(user=user, membership__status=Membership.Status.ACTIVE).values_list(
        "role", "membership__organisation_id", "membership__partnership__lead_organisation_id"))
    roles = {role for role, _, _ in held}
    decides_duplicates = any(role == StaffRole.Role.COORDINATOR and organisation == lead
                             for role, organisation, lead in held)
    result = []
    if StaffRole.Role.REFERRER in roles:
        result += [NavItem("Write a prescription", "referrals:new", order=20),
                   NavItem("My referrals", "referrals:mine", order=30)]
    if StaffRole.Role.COORDINATOR in roles:
        result.append(NavItem("Referral inbox", "referrals:inbox", order=40))
        if decides_duplicates:
            result.append(NavItem("Possible duplicates", "referrals:possible_duplicates", order=45))
    return result
