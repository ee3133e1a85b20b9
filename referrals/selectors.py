"""Reads that pages of the referral hub share: notifications described in people's words, in bulk.

An outbox row holds ids (`{"referral": ...}`, `{"prescription": ...}`), never names or references. A page
of rows is described with one query for the referrals it mentions and one for the prescriptions, whatever
its length.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Exists, Func, IntegerField, Subquery
from django.urls import reverse

from organisations.models import Service
from partnership.models import Partnership, User

from .delivery import scrubbed
from .models import Notification, Prescription, Referral

# What happened, for the managers' list of failed messages.
EVENTS = {
    "item_routed": "New referral",
    "prescription_sent": "Prescription confirmation to the carer",
    "item_accepted": "Referral accepted",
    "item_declined": "Referral declined",
    "item_closed": "Referral closed",
    "carer_item_status": "Referral update to the carer",
    "item_reminder": "Reminder: referral not acknowledged",
    "item_escalation": "Referral not acknowledged in time",
    "daily_digest": "Daily digest",
}

# What the person it was for reads in their list; {reference} and {service} come from the ids it holds.
TITLES = {
    "item_routed": "New referral for {service} — reference {reference}",
    "item_accepted": "Your referral {reference} to {service} was accepted",
    "item_declined": "Your referral {reference} to {service} was declined",
    "item_closed": "Your referral {reference} to {service} was closed",
    "item_reminder": "Reminder: referral {reference} to {service} is waiting for a reply",
    "item_escalation": "Referral {reference} to {service} was not acknowledged in time",
}

# Events about a service's own inbox lead to the referral; the rest to the prescription.
INBOX_EVENTS = {"item_routed", "item_reminder"}

@dataclass(frozen=True)
class DescribedNotification:
    notification: Notification
    event: str
    title: str
    reference: str
    service_name: str
    # The page it is about (None when what it was about is gone, or it is about no one page).
    url: str | None

    @property
    def is_unread(self) -> bool:
        return self.notification.read_at is None

    @property
    def recipient_in_words(self) -> str:
        """Who it was for, as a manager may read it: a carer only by their prescription, never by name.
        Reads recipient_user and recipient_service, so select them with the rows."""
        row = self.notification
        if row.recipient_user_id:
            return row.recipient_user.display_name
        if row.recipient_service_id:
            return f"{row.recipient_service.name} referral inbox"
        return f"The carer on prescription {self.reference}" if self.reference else "The carer"

    @property
    def error_shown(self) -> str:
        """The last error, without a carer's address or number if it quotes one (an SMTP refusal does)."""
        row = self.notification
        return row.last_error if row.recipient_carer_id is None else scrubbed(row.last_error)


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def event_in_words(template: str) -> str:
    return EVENTS.get(template) or template.replace("_", " ").capitalize()


def notifications_described(rows: list[Notification]) -> list[DescribedNotification]:
    """Each row with its title, reference and page: at most three queries however many rows."""
    referral_ids = {_uuid(row.context.get("referral")) for row in rows} - {None}
    prescription_ids = {_uuid(row.context.get("prescription")) for row in rows} - {None}
    referrals = {}
    if referral_ids:
        referrals = {referral.pk: referral for referral in Referral.objects.filter(pk__in=referral_ids)
                 .select_related("prescription", "service")}
    references = {}
    if prescription_ids:
        references = dict(Prescription.objects.filter(pk__in=prescription_ids).values_list("pk", "reference"))
    # A row naming a service but no referral we still have (rare): its name, fetched only then.
    service_ids = {_uuid(row.context.get("service")) for row in rows
                   if _uuid(row.context.get("referral")) not in referrals} - {None}
    services = dict(Service.objects.filter(pk__in=service_ids).values_list("pk", "name")) if service_ids else {}

    described = []
    for row in rows:
        referral = referrals.get(_uuid(row.context.get("referral")))
        reference = (referral.prescription.reference if referral
                     else references.get(_uuid(row.context.get("prescription"))) or "")
        service_name = referral.service.name if referral else services.get(_uuid(row.context.get("service")), "")
        described.append(DescribedNotification(
            notification=row, event=event_in_words(row.template),
            title=_title(row, reference=reference, service_name=service_name),
            reference=reference, service_name=service_name, url=_url(row, referral=referral, reference=reference),
        ))
    return described


def _title(row: Notification, *, reference: str, service_name: str) -> str:
    if row.template == "daily_digest":
        count = len(row.context.get("notifications", []))
        return f"Daily digest of {count} update{'' if count == 1 else 's'}"
    title = TITLES.get(row.template)
    if title and reference and service_name:
        return title.format(reference=reference, service=service_name)
    event = event_in_words(row.template)
    return f"{event} — reference {reference}" if reference else event


def _url(row: Notification, *, referral: Referral | None, reference: str) -> str | None:
    if row.template in INBOX_EVENTS and referral is not None:
        return reverse("referrals:referral", args=[referral.pk])
    if row.template == "daily_digest":
        return reverse("referrals:notifications")
    if reference:
        return reverse("referrals:prescription", args=[reference])
    return None


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

