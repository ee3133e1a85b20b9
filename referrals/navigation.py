from partnership.navigation import NavItem

from . import permissions


def items(request) -> list[NavItem]:
    """Write a prescription and follow it up (frontline workers); the inbox and, at the lead organisation,
    possible duplicates (service coordinators). Notifications are the core's (partnership/notifications)."""
    user = request.user
    if not user.is_authenticated:
        return []
    roles = permissions.roles_of(user)
    result = []
    if roles.referrer:
        result += [NavItem("Write a prescription", "referrals:new", order=20),
                   NavItem("My referrals", "referrals:mine", order=30)]
    if roles.coordinator:
        result.append(NavItem("Referral inbox", "referrals:inbox", order=40))
        if roles.decides_duplicates:
            result.append(NavItem("Possible duplicates", "referrals:possible_duplicates", order=45))
    return result
