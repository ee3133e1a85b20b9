"""Who is told what about prescriptions and referrals: the referral hub's table of notifications.

Each call writes rows through the core's outbox (partnership/notifications/outbox.py), in the transaction
of the change that causes it; the rows name their recipient and, by id, what they are about. How they read
and where a carer's go is registered by referrals/messages.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils import timezone

from organisations.models import StaffRole
from partnership import phones
from partnership.models import Partnership, User
from partnership.notifications import outbox
from partnership.notifications.models import Notification
from partnership.working_days import is_working_day

from .models import Carer, Prescription, Referral


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
    rows = [outbox.message(to=user, event_key=event_key, template=template, channel=channel, context=context,
                           partnership_id=partnership_id)
            for user in coordinators for channel in channels]
    if referral.service.referral_email:
        rows.append(outbox.message(to=referral.service, event_key=event_key, template=template,
                                   channel=Notification.Channel.EMAIL, context=context,
                                   partnership_id=partnership_id))
    return rows


def item_routed(referral: Referral) -> list[Notification]:
    """A service's coordinators (and its referral inbox address) learn that a referral arrived."""
    organisation_id = referral.service.organisation_id
    coordinators = _coordinators([organisation_id], referral.prescription.partnership_id)[organisation_id]
    return outbox.record(_to_service(
        referral, coordinators, event_key=f"item-routed:{referral.pk}", template="item_routed",
        context={"referral": str(referral.pk), "service": str(referral.service_id)},
    ))


def prescription_sent(prescription: Prescription) -> list[Notification]:
    """The carer gets their reference and an invitation to sign in, if they consented and we can reach them."""
    carer = prescription.carer
    channel = _carer_channel(prescription) if carer else None
    if channel is None:
        return []
    return outbox.record([outbox.message(
        to=carer, event_key=f"prescription-sent:{prescription.pk}", template="prescription_sent", channel=channel,
        context={"prescription": str(prescription.pk)}, partnership_id=prescription.partnership_id,
    )])


def referral_status_changed(referral: Referral, *, event_id: int) -> list[Notification]:
    """The referrer hears of acceptance, decline and closure; the carer hears of every change."""
    rows = []
    context = {"referral": str(referral.pk), "status": referral.status}
    partnership_id = referral.prescription.partnership_id
    referrer = referral.prescription.referrer
    if referrer is not None and referral.status in (Referral.Status.ACCEPTED, Referral.Status.DECLINED,
                                                Referral.Status.CLOSED):
        for channel in (Notification.Channel.IN_APP, Notification.Channel.EMAIL):
            rows.append(outbox.message(to=referrer, event_key=f"item-status:{event_id}",
                                       template=f"item_{referral.status}", channel=channel, context=context,
                                       partnership_id=partnership_id))
    carer = referral.carer
    channel = _carer_channel(referral.prescription)
    if channel is not None:
        rows.append(outbox.message(to=carer, event_key=f"item-status:{event_id}", template="carer_item_status",
                                   channel=channel, context=context, partnership_id=partnership_id))
    return outbox.record(rows)


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
            rows += [outbox.message(to=manager, event_key=f"item-escalation:{referral.pk}", template="item_escalation",
                                    channel=Notification.Channel.EMAIL, context=context_of[referral.pk],
                                    partnership_id=partnership.pk) for manager in managers]
        # record() returns only the rows it created, not those an earlier run made.
        saved = [row.event_key for row in outbox.record(rows)]
        counts["reminders"] += sum(1 for key in saved if key.startswith("item-reminder:"))
        counts["escalations"] += sum(1 for key in saved if key.startswith("item-escalation:"))
    return counts
