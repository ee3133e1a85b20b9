"""What the apps tell the core about their messages, so the core can list, describe and deliver them
without importing any app.

An app registers, in its AppConfig.ready():

- `Events` for the templates it sends ("item_routed" …): what each is called, which may wait for the daily
  digest, how to describe a page of its rows in bulk (title, link, reference — no personal data), and what
  its messages may say (`message_context`, the templates' context);
- `Recipients` for each model of its own that can be told something (a carer, a service's referral inbox):
  where a message to one goes, and how a partnership manager may read whom it was for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db import models

if TYPE_CHECKING:
    from .models import Notification


@dataclass(frozen=True)
class About:
    """What a row is about, in words its reader may see: no carer's name or contact details."""

    title: str
    # The page it is about (None when what it was about is gone, or it is about no one page).
    url: str | None = None
    # The reference a manager finds it by (a prescription's), or "".
    reference: str = ""


@dataclass(frozen=True)
class RecipientInWords:
    """Whom a row was for, as the failed-messages page shows it to a partnership manager."""

    name: str
    # The address, shown so a manager can have it fixed; None when it is personal data (a carer's).
    address: str | None = None
    no_address: str = "No email address"


class Events:
    """An app's templates. Subclass, fill in, and register an instance."""

    # template → what happened, for managers ("New referral").
    names: Mapping[str, str] = {}
    # Templates a person may take once a day in a digest instead of one email each.
    digestible: frozenset[str] = frozenset()

    def describe(self, rows: list[Notification]) -> list[About]:
        """One About per row, in order, in a bounded number of queries however many rows."""
        raise NotImplementedError

    def message_context(self, notification: Notification) -> dict:
        """What the message may say (templates/emails/<template>/, templates/sms/<template>.txt). Keys
        first_name, reference, service_name and link are also GOV.UK Notify's placeholders."""
        raise NotImplementedError


class Recipients:
    """How to reach and name the recipients of one model an app owns. Subclass and register an instance."""

    model: type[models.Model]
    # Its address is personal data: never shown, and errors quoting it are scrubbed again when shown.
    personal: bool = True

    def address(self, notification: Notification, channel: str) -> str:
        """Where this message goes on this channel ("" when there is none: it fails, visibly)."""
        raise NotImplementedError

    def in_words(self, rows: list[Notification], abouts: list[About]) -> list[RecipientInWords]:
        """Whom each row was for, in bulk (each row's recipient_id names one of this model's objects)."""
        raise NotImplementedError


_events: dict[str, Events] = {}
_recipients: dict[str, Recipients] = {}


def register_events(events: Events) -> None:
    for template in events.names:
        if _events.get(template, events) is not events:
            raise ImproperlyConfigured(f"Notification template {template!r} is registered twice")
        _events[template] = events


def register_recipients(recipients: Recipients) -> None:
    label = recipients.model._meta.label_lower
    if _recipients.get(label, recipients) is not recipients:
        raise ImproperlyConfigured(f"Notification recipients {label!r} are registered twice")
    _recipients[label] = recipients


def events_for(template: str) -> Events | None:
    return _events.get(template)


def event_name(template: str) -> str:
    events = _events.get(template)
    return (events.names.get(template) if events else None) or template.replace("_", " ").capitalize()


def is_digestible(template: str) -> bool:
    events = _events.get(template)
    return events is not None and template in events.digestible


def recipients_for(model: type[models.Model]) -> Recipients:
    try:
        return _recipients[model._meta.label_lower]
    except KeyError:
        raise ImproperlyConfigured(f"No app registered {model._meta.label} as notification recipients") from None
