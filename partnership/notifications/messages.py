"""Notifications in people's words: the in-app list, the failed-messages page and the digest read rows
through here. A row holds ids, never names; the app whose event it is describes a page of them in bulk
(registry.py), so a page costs the same few queries however long it is.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from . import registry
from .models import Notification
from .registry import About, RecipientInWords

EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE_NUMBER = re.compile(r"\+?\d[\d ()-]{8,}\d")


def scrubbed(error: str) -> str:
    """An error as recorded and logged: a mail server's or provider's message may quote the address it
    refused, and addresses are personal data. The failed-messages page shows whose address it was."""
    return PHONE_NUMBER.sub("[number]", EMAIL_ADDRESS.sub("[address]", error))


@dataclass(frozen=True)
class DescribedNotification:
    notification: Notification
    event: str
    title: str
    reference: str
    # The page it is about (None when what it was about is gone, or it is about no one page).
    url: str | None
    # Whom it was for (only when described with recipients=True).
    recipient: RecipientInWords | None = None
    # Its recipient's address is personal data (a carer's).
    personal: bool = False

    @property
    def is_unread(self) -> bool:
        return self.notification.read_at is None

    @property
    def recipient_in_words(self) -> str:
        """Who it was for, as a manager may read it: a carer only by their prescription, never by name."""
        return self.recipient.name if self.recipient else ""

    @property
    def error_shown(self) -> str:
        """The last error, without a carer's address or number if it quotes one (an SMTP refusal does)."""
        row = self.notification
        return scrubbed(row.last_error) if self.personal else row.last_error


def notifications_described(rows: list[Notification], *, recipients: bool = False) -> list[DescribedNotification]:
    """Each row with its title, reference and page, each app's rows described in bulk. With recipients,
    whom each was for too: select recipient_user with the rows, and each app names its own in bulk."""
    abouts: list[About | None] = [None] * len(rows)
    by_events = defaultdict(list)
    for index, row in enumerate(rows):
        events = registry.events_for(row.template)
        if events is None:
            abouts[index] = About(title=registry.event_name(row.template))
        else:
            by_events[events].append(index)
    for events, indexes in by_events.items():
        for index, about in zip(indexes, events.describe([rows[i] for i in indexes]), strict=True):
            abouts[index] = about

    handlers = {index: recipients_of(row) for index, row in enumerate(rows) if row.recipient_type_id}
    words: dict[int, RecipientInWords] = {}
    if recipients:
        by_handler = defaultdict(list)
        for index, row in enumerate(rows):
            if row.recipient_user_id:
                user = row.recipient_user
                words[index] = RecipientInWords(name=user.display_name, address=user.email)
            elif index in handlers:
                by_handler[handlers[index]].append(index)
            else:
                words[index] = RecipientInWords(name="Nobody")
        for handler, indexes in by_handler.items():
            named = handler.in_words([rows[i] for i in indexes], [abouts[i] for i in indexes])
            words.update(zip(indexes, named, strict=True))

    return [
        DescribedNotification(notification=row, event=registry.event_name(row.template), title=about.title,
                              reference=about.reference, url=about.url, recipient=words.get(index),
                              personal=index in handlers and handlers[index].personal)
        for index, (row, about) in enumerate(zip(rows, abouts, strict=True))
    ]


def recipients_of(row: Notification) -> registry.Recipients | None:
    """The registered handler of a row's recipient (None when it is a user)."""
    if not row.recipient_type_id:
        return None
    return registry.recipients_for(ContentType.objects.get_for_id(row.recipient_type_id).model_class())


def digest_entries(ids: list[str]) -> list[str]:
    """One line per event a digest carries, in the words of the notifications page."""
    rows = list(Notification.objects.filter(pk__in=ids).order_by("created_at"))
    return [described.title for described in notifications_described(rows)]
