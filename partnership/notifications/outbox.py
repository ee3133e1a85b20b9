"""Recording what must be sent, in the transaction of the change that causes it (the outbox).

An app builds rows with `message()` — naming the recipient and, by id, what it is about — and writes them
with `record()`. The unique key (event, recipient, channel) means a repeated event never makes a second
message. The rows are handed to a Celery worker after commit (tasks.py); the relay picks up any the broker
missed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from partnership.celery import app as celery_app

from . import registry
from .models import Notification

logger = logging.getLogger(__name__)

# The worker's task for the rows of one event (tasks.py). Queued by name, so this module, which the tasks
# use, need not import them; NotificationsConfig.ready() registers them in every process.
SEND_NOTIFICATIONS = "notifications.send_notifications"


def message(*, to, event_key: str, template: str, channel: str, context: dict, partnership_id) -> Notification:
    """One row, not yet written: to a user, or to an object of a model an app registered as recipients.
    An email a person prefers in their daily digest is held for it (registry: the template is digestible)."""
    row = Notification(partnership_id=partnership_id, event_key=event_key, channel=channel, template=template,
                       context=context, status=Notification.Status.PENDING,
                       recipient_key=f"{to._meta.model_name}:{to.pk}")
    if to._meta.label == settings.AUTH_USER_MODEL:
        row.recipient_user = to
        if (channel == Notification.Channel.EMAIL and registry.is_digestible(template)
                and to.email_frequency == to.EmailFrequency.DAILY):
            row.status = Notification.Status.HELD
    else:
        registry.recipients_for(type(to))  # refuses a recipient no app registered
        row.recipient_type = ContentType.objects.get_for_model(to)
        row.recipient_id = str(to.pk)
    return row


def record(rows: list[Notification]) -> list[Notification]:
    """Write the rows; a row whose (event, recipient, channel) exists already is skipped, not doubled.
    Returns the rows written now (not those an earlier run made); the pending ones are queued on commit."""
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    saved = list(Notification.objects.filter(pk__in=[row.pk for row in rows]))
    queue_after_commit([str(row.pk) for row in saved if row.status == Notification.Status.PENDING])
    return saved


def queue_after_commit(ids: list[str]) -> None:
    if ids:
        transaction.on_commit(lambda: _dispatch(ids))


def _dispatch(ids: list[str]) -> None:
    """Hand new rows to the workers once committed: one message for the event's rows, not one per row (a
    publish costs the request about a third of a millisecond). If the broker is down the rows stay pending
    and the relay (Celery beat, every minute) queues them when it is back: the request still succeeds."""
    try:
        celery_app.tasks[SEND_NOTIFICATIONS].delay(ids)
    except Exception:  # noqa: BLE001 — any broker failure; the relay is the safety net
        logger.warning("Could not queue %d notifications; the relay will", len(ids), exc_info=True)


def notification_retry(notification: Notification) -> bool:
    """A failed message tried again, once someone has fixed what made it fail (an address, a template).
    Conditional, like the claim, so a double click queues it once."""
    retried = Notification.objects.filter(pk=notification.pk, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, not_before=None, claimed_at=None
    )
    if retried:
        queue_after_commit([str(notification.pk)])
    return bool(retried)
