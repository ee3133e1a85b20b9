"""Service navigation: what a person can do, shown in the header.

The core knows no app; each app listed in settings.NAVIGATION_PROVIDERS offers its own items.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 50
    # A number after the label, "Notifications (3)"; with a description, screen readers hear "(3 unread)".
    count: int = 0
    count_description: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def items_for(request) -> list[NavItem]:
    items: list[NavItem] = []
    for path in settings.NAVIGATION_PROVIDERS:
        items.extend(import_string(path)(request))
    return sorted(items, key=lambda item: item.order)


def context(request) -> dict:
    def lazy_items():
        items = items_for(request)
        current = request.path
        return [
            {"label": item.label, "url": item.url, "active": current.startswith(item.url) and item.url != "/",
             "count": item.count, "count_description": item.count_description}
            for item in items
        ]

    def partnership():
        # Outside the middleware (a page rendered by hand in a test, an error page) there is none.
        return getattr(request, "partnership", None)

    return {"service_navigation": lazy_items, "current_partnership": partnership}
