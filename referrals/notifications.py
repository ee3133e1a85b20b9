"""Recording what must be sent, in the transaction of the change that causes it (the outbox).

Each call writes Notification rows that name their recipient and context by id. The unique key
(event, recipient, channel) means a repeated event never makes a second message. Each row is handed to a
Celery worker after commit (referrals/tasks.py); the relay picks up any the broker missed.
"""

from __future__ import annotations

import logging

from django.db import transaction

from organisations.models import Membership, StaffRole

from .models import Carer, Notification, Referral, ReferralItem

logger = logging.getLogger(__name__)


# Events a person may take in a daily digest instead of one email each. Reminders and escalations are
# about a deadline, so they are never held back.
DIGESTIBLE = {"item_routed", "item_accepted", "item_declined", "item_closed"}


def _row(*, event_key: str, template: str, channel: str, context: dict, partnership_id, user=None, carer=None,
         service=None) -> Notification:
    status = Notification.Status.PENDING
    if (user is not None and channel == Notification.Channel.EMAIL and template in DIGESTIBLE
            and user.email_frequency == user.EmailFrequency.DAILY):
        status = Notification.Status.HELD
    if user is not None:
        key = f"user:{user.pk}"
    elif carer is not None:
        key = f"carer:{carer.pk}"
    else:
        key = f"service:{service.pk}"
    return Notification(partnership_id=partnership_id, event_key=event_key, recipient_key=key,
                        recipient_user=user, recipient_carer=carer, recipient_service=service, channel=channel,
                        template=template, context=context, status=status)


def _save(rows: list[Notification]) -> list[Notification]:
    """Write the rows; a row whose (event, recipient, channel) exists already is skipped, not doubled."""
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    saved = list(Notification.objects.filter(pk__in=[row.pk for row in rows]))
    ids = [str(row.pk) for row in saved if row.status == Notification.Status.PENDING]
    queue_after_commit(ids)
    return saved


def queue_after_commit(ids: list[str]) -> None:
    if ids:
        transaction.on_commit(lambda: _dispatch(ids))


def _dispatch(ids: list[str]) -> None:
    """Hand new rows to the workers once committed. If the broker is down the rows stay pending and
    the relay (Celery beat, every minute) queues them when it is back: the request still succeeds."""
    from .tasks import send_notification

    for notification_id in ids:
        try:
            send_notification.delay(notification_id)
        except Exception:  # noqa: BLE001 — any broker failure; the relay is the safety net
            logger.warning("Could not queue notification %s; the relay will retry", notification_id, exc_info=True)


def _carer_channel(carer: Carer) -> str | None:
    """How to reach a carer: their preference where we have the address, else whatever we have."""
    if carer.preferred_contact == Carer.ContactMethod.EMAIL and carer.email:
        return Notification.Channel.EMAIL
    if carer.phone:
        return Notification.Channel.SMS
    if carer.email:
        return Notification.Channel.EMAIL
    return None


def item_routed(item: ReferralItem) -> list[Notification]:
    """A service's coordinators (and its referral inbox address) learn that a referral arrived."""
    context = {"item": str(item.pk), "service": str(item.service_id)}
    partnership_id = item.referral.partnership_id
    coordinators = StaffRole.objects.filter(
        role=StaffRole.Role.COORDINATOR,
        membership__organisation_id=item.service.organisation_id,
        membership__partnership_id=item.referral.partnership_id,
        membership__status=Membership.Status.ACTIVE,
        user__is_active=True,
    ).select_related("user")
    rows = []
    for role in coordinators:
        for channel in (Notification.Channel.EMAIL, Notification.Channel.IN_APP):
            rows.append(_row(event_key=f"item-routed:{item.pk}", template="item_routed", channel=channel,
                             context=context, partnership_id=partnership_id, user=role.user))
    if item.service.referral_email:
        rows.append(_row(event_key=f"item-routed:{item.pk}", template="item_routed",
                         channel=Notification.Channel.EMAIL, context=context, partnership_id=partnership_id,
                         service=item.service))
    return _save(rows)


def prescription_sent(referral: Referral) -> list[Notification]:
    """The carer gets their reference and an invitation to sign in, if they consented and we can reach them."""
    carer = referral.carer
    channel = _carer_channel(carer) if referral.consent_given and carer else None
    if channel is None:
        return []
    return _save([_row(event_key=f"prescription-sent:{referral.pk}", template="prescription_sent",
                       channel=channel, context={"referral": str(referral.pk)},
                       partnership_id=referral.partnership_id, carer=carer)])


def item_status_changed(item: ReferralItem, *, event_id: int) -> list[Notification]:
    """The referrer hears of acceptance, decline and closure; the carer hears of every change."""
    rows = []
    context = {"item": str(item.pk), "status": item.status}
    partnership_id = item.referral.partnership_id
    referrer = item.referral.referrer
    if referrer is not None and item.status in (ReferralItem.Status.ACCEPTED, ReferralItem.Status.DECLINED,
                                                ReferralItem.Status.CLOSED):
        for channel in (Notification.Channel.IN_APP, Notification.Channel.EMAIL):
            rows.append(_row(event_key=f"item-status:{event_id}", template=f"item_{item.status}",
                             channel=channel, context=context, partnership_id=partnership_id, user=referrer))
    carer = item.carer
    channel = _carer_channel(carer) if item.referral.consent_given else None
    if channel is not None:
        rows.append(_row(event_key=f"item-status:{event_id}", template="carer_item_status", channel=channel,
                         context=context, partnership_id=partnership_id, carer=carer))
    return _save(rows)
