"""The header's notifications and failed messages, and their counts (settings.NAVIGATION_PROVIDERS)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Func, IntegerField, Subquery

from partnership.models import Partnership, User
from partnership.navigation import NavItem

from .models import Notification


@dataclass(frozen=True)
class HeaderCounts:
    unread: int
    manages: bool
    failed: int


def _count(queryset) -> Subquery:
    # COUNT(*) as a scalar subquery: Func is not an aggregate, so no GROUP BY is added.
    return Subquery(queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n"),
                    output_field=IntegerField())


def header_counts(user) -> HeaderCounts:
    """What the header shows on every page (unread notifications; for a manager, failed messages), in one
    query."""
    if not user.is_authenticated:
        return HeaderCounts(unread=0, manages=False, failed=0)
    unread, manages, failed = User.objects.filter(pk=user.pk).values_list(
        _count(Notification.objects.in_app_for(user).unread()),
        Exists(Partnership.objects.managed_by(user)),
        _count(Notification.objects.failed_visible_to(user)),
    ).get()
    return HeaderCounts(unread=unread or 0, manages=manages, failed=failed or 0)


def counts_for(request) -> HeaderCounts:
    """The header's counts, worked out once per request (the notifications page shows them too)."""
    if not hasattr(request, "_header_counts"):
        request._header_counts = header_counts(request.user)
    return request._header_counts


def items(request) -> list[NavItem]:
    """Everyone's notifications; failed messages (partnership managers)."""
    if not request.user.is_authenticated:
        return []
    counts = counts_for(request)
    result = [NavItem("Notifications", "notifications:notifications", order=60, count=counts.unread,
                      count_description="unread")]
    if counts.manages:
        result.append(NavItem("Failed messages", "notifications:failed_messages", order=70, count=counts.failed))
    return result
