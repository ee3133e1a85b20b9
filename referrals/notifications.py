"""Recording what must be sent, in the transaction of the change that causes it (the outbox).

Each call writes Notification rows that name their recipient and context by id. The unique key
(event, recipient, channel) means a repeated event never makes a second message. Each row is handed to a
Celery worker after commit (referrals/tasks.py); the relay picks up any the broker missed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date

from django.db import transaction
from django.utils import timezone

from organisations.models import StaffRole
from partnership import phones
from partnership.models import Partnership, User
from partnership.working_days import is_working_day

from .models import Carer, Notification, Prescription, Referral

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
    """Hand new rows to the workers once committed: one message for the event's rows, not one per row (a
    publish costs the request about a third of a millisecond). If the broker is down the rows stay pending
    and the relay (Celery beat, every minute) queues them when it is back: the request still succeeds."""
    from .tasks import send_notifications

    try:
        send_notifications.delay(ids)
    except Exception:  # noqa: BLE001 — any broker failure; the relay is the safety net
        logger.warning("Could not queue %d notifications; the relay will", len(ids), exc_info=True)


def _carer_channel(prescription: Prescription) -> str | None:
    """How to reach the carer about this prescription, with the contacts given on it: their preference
    where we have the address, else whatever we have. Texts go only to a mobile; no consent, no message."""
    if not prescription.consent_given:
        return None
    email = prescription.carer_email
    mobile = phones.is_mobile(prescription.carer_phone)
    if prescription.carer_preferred_contact == Carer.ContactMethod.EMAIL and email:
        return Notification.Channel.EMAIL
    if mobile:
        return Notification.Channel.SMS
    if email:
        return Notification.Channel.EMAIL
    return None


def _coordinators(organisation_ids, partnership_id) -> dict:
    """The active coordinators of each organisation in a partnership, in one query."""
    roles = StaffRole.objects.active().coordinators().filter(
        membership__organisation_id__in=organisation_ids,
        membership__partnership_id=partnership_id,
        user__is_active=True,
    ).select_related("user", "membership")
    found = defaultdict(list)
    for role in roles:
        found[role.membership.organisation_id].append(role.user)
    return found


def _to_service(referral: Referral, coordinators: list, *, event_key: str, template: str, context: dict,
                channels=(Notification.Channel.EMAIL, Notification.Channel.IN_APP)) -> list[Notification]:
    """A message for a service: each coordinator (by email and in the app) and its referral inbox address."""
    partnership_id = referral.prescription.partnership_id
    rows = [_row(event_key=event_key, template=template, channel=channel, context=context,
                 partnership_id=partnership_id, user=user)
            for user in coordinators for channel in channels]
    if referral.service.referral_email:
        rows.append(_row(event_key=event_key, template=template, channel=Notification.Channel.EMAIL,
                         context=context, partnership_id=partnership_id, service=referral.service))
    return rows


def item_routed(referral: Referral) -> list[Notification]:
    """A service's coordinators (and its referral inbox address) learn that a referral arrived."""
    organisation_id = referral.service.organisation_id
    coordinators = _coordinators([organisation_id], referral.prescription.partnership_id)[organisation_id]
    return _save(_to_service(referral, coordinators, event_key=f"item-routed:{referral.pk}", template="item_routed",
                             context={"referral": str(referral.pk), "service": str(referral.service_id)}))


def prescription_sent(prescription: Prescription) -> list[Notification]:
    """The carer gets their reference and an invitation to sign in, if they consented and we can reach them."""
    carer = prescription.carer
    channel = _carer_channel(prescription) if carer else None
    if channel is None:
        return []
    return _save([_row(event_key=f"prescription-sent:{prescription.pk}", template="prescription_sent",
                       channel=channel, context={"prescription": str(prescription.pk)},
                       partnership_id=prescription.partnership_id, carer=carer)])


def referral_status_changed(referral: Referral, *, event_id: int) -> list[Notification]:
    """The referrer hears of acceptance, decline and closure; the carer hears of every change."""
    rows = []
    context = {"referral": str(referral.pk), "status": referral.status}
    partnership_id = referral.prescription.partnership_id
    referrer = referral.prescription.referrer
    if referrer is not None and referral.status in (Referral.Status.ACCEPTED, Referral.Status.DECLINED,
                                                Referral.Status.CLOSED):
        for channel in (Notification.Channel.IN_APP, Notification.Channel.EMAIL):
            rows.append(_row(event_key=f"item-status:{event_id}", template=f"item_{referral.status}",
                             channel=channel, context=context, partnership_id=partnership_id, user=referrer))
    carer = referral.carer
    channel = _carer_channel(referral.prescription)
    if channel is not None:
        rows.append(_row(event_key=f"item-status:{event_id}", template="carer_item_status", channel=channel,
                         context=context, partnership_id=partnership_id, carer=carer))
    return _save(rows)


def response_targets_chase(today: date | None = None) -> dict:
    """Items nobody has acknowledged: a reminder to the service once the partnership's target (in working
    days) has passed, and an escalation to the partnership's managers at twice the target. Each is keyed
    by its item, so however often this runs, each is sent once. Runs on working days only."""
    today = today or timezone.localdate()
    counts = {"reminders": 0, "escalations": 0}
    if not is_working_day(today):
        return counts
    for partnership in Partnership.objects.all():
        target = partnership.response_target_days
        overdue = list(Referral.objects.filter(prescription__partnership=partnership)
                       .overdue(today=today, target_days=target).select_related("prescription", "service"))
        if not overdue:
            continue
        context_of = {referral.pk: {"referral": str(referral.pk), "target_days": target} for referral in overdue}
        coordinators = _coordinators({referral.service.organisation_id for referral in overdue}, partnership.pk)
        rows = []
        for referral in overdue:
            rows += _to_service(referral, coordinators[referral.service.organisation_id],
                                event_key=f"item-reminder:{referral.pk}", template="item_reminder",
                                context=context_of[referral.pk])
        # Escalated when still waiting at twice the target: the same rule, with a longer target.
        escalated = [referral for referral in overdue if referral.is_overdue(2 * target, today)]
        managers = list(User.objects.managers_of(partnership))
        for referral in escalated:
            rows += [_row(event_key=f"item-escalation:{referral.pk}", template="item_escalation",
                          channel=Notification.Channel.EMAIL, context=context_of[referral.pk],
                          partnership_id=partnership.pk, user=manager) for manager in managers]
        # _save returns only the rows it created, not those an earlier run made.
        saved = [row.event_key for row in _save(rows)]
        counts["reminders"] += sum(1 for key in saved if key.startswith("item-reminder:"))
        counts["escalations"] += sum(1 for key in saved if key.startswith("item-escalation:"))
    return counts


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
            [digest] = _save([_row(event_key=f"digest:{now:%Y%m%dT%H%M%S}", template="daily_digest",
                                   channel=Notification.Channel.EMAIL, partnership_id=rows[0].partnership_id,
                                   context={"notifications": [str(row.pk) for row in rows]}, user=user)])
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=Notification.Status.SENT, digest=digest, sent_at=now
            )
            sent += 1
    return sent
