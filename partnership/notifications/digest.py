"""The daily digest: one email a day to a person who prefers it, carrying the emails held for them."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partnership.models import User

from . import outbox
from .messages import digest_entries
from .models import Notification
from .registry import About, Events

TEMPLATE = "daily_digest"


class DigestEvents(Events):
    """The core's own message: a digest names its events in the words of the notifications page."""

    names = {TEMPLATE: "Daily digest"}

    def describe(self, rows: list[Notification]) -> list[About]:
        abouts = []
        for row in rows:
            count = len(row.context.get("notifications", []))
            abouts.append(About(title=f"Daily digest of {count} update{'' if count == 1 else 's'}",
                                url=reverse("notifications:notifications")))
        return abouts

    def message_context(self, notification: Notification) -> dict:
        user = notification.recipient_user
        return {
            "first_name": user.first_name if user else "",
            "reference": "",
            "service_name": "",
            "link": f"{settings.SITE_URL}{reverse('notifications:notifications')}",
            "target_days": "",
            "entries": digest_entries(notification.context.get("notifications", [])),
        }


def daily_digests_send() -> int:
    """One email per person who prefers a digest, carrying every event held for them since the last one."""
    sent = 0
    held = Notification.objects.filter(status=Notification.Status.HELD)
    for user_id in held.order_by().values_list("recipient_user", flat=True).distinct():
        with transaction.atomic():
            rows = list(held.filter(recipient_user_id=user_id).select_for_update(skip_locked=True))
            if not rows:
                continue
            user = User.objects.get(pk=user_id)
            now = timezone.now()
            [digest] = outbox.record([outbox.message(
                to=user, event_key=f"digest:{now:%Y%m%dT%H%M%S}", template=TEMPLATE,
                channel=Notification.Channel.EMAIL, partnership_id=rows[0].partnership_id,
                context={"notifications": [str(row.pk) for row in rows]},
            )])
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=Notification.Status.SENT, digest=digest, sent_at=now
            )
            sent += 1
    return sent
