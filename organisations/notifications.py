"""A service's referral inbox as a recipient of notifications (registered with partnership/notifications)."""

from __future__ import annotations

from partnership.notifications.models import Notification
from partnership.notifications.registry import About, RecipientInWords, Recipients

from .models import Service


class ServiceInboxRecipients(Recipients):
    """A service's referral inbox: its referral email address, which managers may see to have it fixed."""

    model = Service
    personal = False

    def address(self, notification: Notification, channel: str) -> str:
        if channel != Notification.Channel.EMAIL:
            return ""
        found = Service.objects.filter(pk=notification.recipient_id).values_list("referral_email", flat=True)
        return found.first() or ""

    def in_words(self, rows: list[Notification], abouts: list[About]) -> list[RecipientInWords]:
        services = {str(service.pk): service
                    for service in Service.objects.filter(pk__in={row.recipient_id for row in rows})}
        named = []
        for row in rows:
            service = services.get(row.recipient_id)
            if service is None:
                named.append(RecipientInWords(name="A service's referral inbox"))
                continue
            named.append(RecipientInWords(name=f"{service.name} referral inbox", address=service.referral_email,
                                          no_address="No referral email address"))
        return named
