"""How the referral hub's notifications read, registered with the core (partnership/notifications/registry.py).

An outbox row holds ids (`{"referral": ...}`, `{"prescription": ...}`), never names or references. A page
of rows is described with one query for the referrals it mentions and one for the prescriptions, whatever
its length. A carer is told at the contacts given on the prescription the message is about.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from organisations.models import Service
from partnership import phones
from partnership.notifications.models import Notification
from partnership.notifications.registry import About, Events, RecipientInWords, Recipients

from .models import Carer, Prescription, Referral

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

# What a carer is told of a change to one of their referrals, without naming the service.
CARER_NEWS = {
    Referral.Status.ACCEPTED: "A service has accepted your referral and will contact you.",
    Referral.Status.IN_CONTACT: "A service has recorded that it is in contact with you.",
    Referral.Status.CLOSED: "A service has closed your referral.",
    Referral.Status.DECLINED: "A service cannot take your referral. We will look for another one for you.",
    Referral.Status.WITHDRAWN: "One of your referrals has been cancelled.",
}


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


class ReferralEvents(Events):
    names = EVENTS
    # Reminders and escalations are about a deadline, so they are never held back for a digest.
    digestible = frozenset({"item_routed", "item_accepted", "item_declined", "item_closed"})

    def describe(self, rows: list[Notification]) -> list[About]:
        """Each row's title, reference and page: at most three queries however many rows."""
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

        abouts = []
        for row in rows:
            referral = referrals.get(_uuid(row.context.get("referral")))
            reference = (referral.prescription.reference if referral
                         else references.get(_uuid(row.context.get("prescription"))) or "")
            service_name = referral.service.name if referral else services.get(_uuid(row.context.get("service")), "")
            abouts.append(About(title=_title(row, reference=reference, service_name=service_name),
                                url=_url(row, referral=referral, reference=reference), reference=reference))
        return abouts

    def message_context(self, notification: Notification) -> dict:
        """What a message may say: the recipient's own first name, a reference, a service's name, a link.
        No carer's name, contact details or needs: staff see those only after signing in. A carer's own
        message names no service (a shared phone must not reveal what support they get) and, until carers
        have pages of their own, tells them whom to contact rather than to sign in."""
        data = notification.context
        referral = None
        if "referral" in data:
            referral = Referral.objects.select_related("prescription__referring_organisation", "service").filter(
                pk=data["referral"]).first()
        prescription = referral.prescription if referral else prescription_of(notification)
        reference = prescription.reference if prescription else ""
        to_carer = _is_carer(notification)
        if notification.recipient_user is not None:
            first_name = notification.recipient_user.first_name
        elif to_carer:
            # As the referrer gave it on this prescription.
            first_name = prescription.carer_first_name if prescription else ""
        else:
            first_name = ""
        if to_carer:
            organisation = prescription.referring_organisation if prescription else None
            return {
                "first_name": first_name,
                "reference": reference,
                "service_name": "",
                "link": "",
                "news": CARER_NEWS.get(data.get("status", ""), ""),
                "contact_name": organisation.name if organisation else "the person who referred you",
                "contact_phone": phones.display(organisation.phone) if organisation and organisation.phone else "",
                "target_days": "",
            }
        if notification.template in INBOX_EVENTS and referral is not None:
            path = reverse("referrals:referral", args=[referral.pk])
        elif (referral is not None and notification.recipient_user is not None
              and notification.template != "item_escalation"):
            path = reverse("referrals:prescription", args=[referral.prescription.reference])
        else:
            path = reverse("account_login")
        return {
            "first_name": first_name,
            "reference": reference,
            "service_name": referral.service.name if referral else "",
            "link": f"{settings.SITE_URL}{path}",
            "target_days": data.get("target_days", ""),
        }


def _title(row: Notification, *, reference: str, service_name: str) -> str:
    title = TITLES.get(row.template)
    if title and reference and service_name:
        return title.format(reference=reference, service=service_name)
    event = EVENTS[row.template]
    return f"{event} — reference {reference}" if reference else event


def _url(row: Notification, *, referral: Referral | None, reference: str) -> str | None:
    if row.template in INBOX_EVENTS and referral is not None:
        return reverse("referrals:referral", args=[referral.pk])
    if reference:
        return reverse("referrals:prescription", args=[reference])
    return None


def _is_carer(notification: Notification) -> bool:
    return (notification.recipient_type_id is not None
            and notification.recipient_type_id == ContentType.objects.get_for_model(Carer).pk)


def prescription_of(notification: Notification) -> Prescription | None:
    """The prescription a carer's message is about: its details are where the message goes."""
    data = notification.context
    if "prescription" in data:
        return Prescription.objects.select_related("referring_organisation").filter(pk=data["prescription"]).first()
    if "referral" in data:
        referral = Referral.objects.select_related("prescription__referring_organisation").filter(
            pk=data["referral"]).first()
        return referral.prescription if referral else None
    return None


class CarerRecipients(Recipients):
    """A carer, told at the contacts given on the prescription a message is about — never at details
    another prescription gave — and named to managers only by that prescription's reference."""

    model = Carer
    personal = True

    def address(self, notification: Notification, channel: str) -> str:
        prescription = prescription_of(notification)
        if prescription is None:
            return ""
        if channel == Notification.Channel.SMS:
            return prescription.carer_phone
        return prescription.carer_email

    def in_words(self, rows: list[Notification], abouts: list[About]) -> list[RecipientInWords]:
        return [RecipientInWords(name=f"The carer on prescription {about.reference}" if about.reference
                                 else "The carer") for about in abouts]
