from partnership.navigation import NavItem

from . import permissions
from .selectors import HeaderCounts, header_counts


def counts_for(request) -> HeaderCounts:
    """The header's counts, worked out once per request (the notifications page shows them too)."""
    if not hasattr(request, "_header_counts"):
        request._header_counts = header_counts(request.user)
    return request._header_counts


def items(request) -> list[NavItem]:
    """Write a prescription and follow it up (frontline workers); the inbox (service coordinators); everyone's
    notifications; failed messages (partnership managers)."""
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
    counts = counts_for(request)
    result.append(NavItem("Notifications", "referrals:notifications", order=60, count=counts.unread,
                          count_description="unread"))
    if counts.manages:
        result.append(NavItem("Failed messages", "referrals:failed_messages", order=70, count=counts.failed))
    return result
