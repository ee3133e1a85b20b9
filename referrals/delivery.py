"""Delivering the outbox: claim a pending row, send it on its channel, record what happened.

A row is claimed with a conditional update (pending → sending), so two workers, a redelivered task or
a relay that re-queues it can never send it twice. A transient failure puts it back to pending for a
retry; a permanent one marks it failed for the partnership manager to see.
"""

from __future__ import annotations

import random
import re
import sys
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnership import phones

from . import notify
from .models import Notification, Prescription, Referral


class TransientError(Exception):
    """Worth trying again later (a connection failure, a provider's 5xx, a timeout)."""

    def __init__(self, message: str = "", retry_in: int = 10):
        super().__init__(message)
        self.retry_in = retry_in


class PermanentError(Exception):
    """Will fail again however often it is tried (no address, a provider's 400)."""


def notification_claim(notification_id) -> Notification | None:
    claimed = Notification.objects.due().filter(pk=notification_id).update(
        status=Notification.Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if not claimed:
        return None
    return Notification.objects.select_related("recipient_user", "recipient_carer", "recipient_service").get(
        pk=notification_id
    )


def notification_deliver(notification_id) -> str:
    """Send one outbox row once. Returns what became of it; raises TransientError to ask for a retry."""
    notification = notification_claim(notification_id)
    if notification is None:
        return "not pending"
    try:
        provider_id = _send(notification)
    except (PermanentError, notify.NotifyPermanent) as error:
        _finish(notification, Notification.Status.FAILED, error=scrubbed(str(error)))
        return "failed"
    except notify.NotifyDailyLimit as error:
        # Retrying today would only loop: wait for the limit to reset; the relay picks it up then.
        _finish(notification, Notification.Status.PENDING, error=str(error), not_before=error.until)
        return "deferred"
    except Exception as error:
        # Anything else (SMTP down, Notify 5xx or 429, a timeout, a bug) is treated as passing: back to
        # pending with a backoff, until NOTIFICATION_MAX_ATTEMPTS, then failed for the managers to see.
        described = scrubbed(f"{type(error).__name__}: {error}")[:280]
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            _finish(notification, Notification.Status.FAILED,
                    error=f"Gave up after {notification.attempts} attempts. {described}")
            return "failed"
        delay = backoff_seconds(notification.attempts)
        _finish(notification, Notification.Status.PENDING, error=described,
                not_before=timezone.now() + timedelta(seconds=delay))
        raise TransientError(described, delay) from error
    _finish(notification, Notification.Status.SENT, provider_id=provider_id)
    return "sent"


EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE_NUMBER = re.compile(r"\+?\d[\d ()-]{8,}\d")


def scrubbed(error: str) -> str:
    """An error as recorded and logged: a mail server's or provider's message may quote the address it
    refused, and addresses are personal data. The failed-messages page shows whose address it was."""
    return PHONE_NUMBER.sub("[number]", EMAIL_ADDRESS.sub("[address]", error))


def backoff_seconds(attempts: int) -> int:
    """Exponential backoff with full jitter: 10 s, 20 s, 40 s ... capped at ten minutes, spread at random
    so that messages which failed together are not all retried together."""
    ceiling = min(600, 10 * 2 ** max(attempts - 1, 0))
    return max(1, round(random.uniform(ceiling / 2, ceiling)))


def _finish(notification: Notification, status: str, *, error: str = "", provider_id: str = "",
            not_before=None) -> None:
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING).update(
        status=status, last_error=error, provider_id=provider_id, not_before=not_before,
        sent_at=timezone.now() if status == Notification.Status.SENT else None,
    )


def _send(notification: Notification) -> str:
    if notification.channel == Notification.Channel.IN_APP:
        return ""  # the row itself is the in-app notification
    context = message_context(notification)
    if notification.channel == Notification.Channel.EMAIL:
        return _send_email(notification, context)
    if notification.channel == Notification.Channel.SMS:
        return _send_sms(notification, context)
    raise PermanentError(f"Unknown channel {notification.channel}")


def message_context(notification: Notification) -> dict:
    """What a message may say: the recipient's own first name, a reference, a service's name, a link.
    No carer's name, contact details or needs: staff see those only after signing in. A carer's own
    message names no service (a shared phone must not reveal what support they get) and, until carers
    have pages of their own, tells them whom to contact rather than to sign in."""
    data = notification.context
    referral = None
    if "referral" in data:
        referral = Referral.objects.select_related("prescription__referring_organisation", "service").filter(
            pk=data["referral"]).first()
    prescription = referral.prescription if referral else _prescription_of(notification)
    reference = prescription.reference if prescription else ""
    if notification.recipient_user is not None:
        first_name = notification.recipient_user.first_name
    elif notification.recipient_carer is not None:
        # As the referrer gave it on this prescription.
        first_name = prescription.carer_first_name if prescription else ""
    else:
        first_name = ""
    if notification.recipient_carer is not None:
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
    if notification.template in ("item_routed", "item_reminder") and referral is not None:
        path = reverse("referrals:referral", args=[referral.pk])
    elif notification.template == "daily_digest":
        path = reverse("referrals:notifications")
    elif (referral is not None and notification.recipient_user is not None
          and notification.template != "item_escalation"):
        path = reverse("referrals:prescription", args=[referral.prescription.reference])
    else:
        path = reverse("account_login")
    context = {
        "first_name": first_name,
        "reference": reference,
        "service_name": referral.service.name if referral else "",
        "link": f"{settings.SITE_URL}{path}",
        "target_days": data.get("target_days", ""),
    }
    if notification.template == "daily_digest":
        context["entries"] = digest_entries(data.get("notifications", []))
    return context


# What a carer is told of a change to one of their referrals, without naming the service.
CARER_NEWS = {
    Referral.Status.ACCEPTED: "A service has accepted your referral and will contact you.",
    Referral.Status.IN_CONTACT: "A service has recorded that it is in contact with you.",
    Referral.Status.CLOSED: "A service has closed your referral.",
    Referral.Status.DECLINED: "A service cannot take your referral. We will look for another one for you.",
    Referral.Status.WITHDRAWN: "One of your referrals has been cancelled.",
}


def _prescription_of(notification: Notification) -> Prescription | None:
    """The prescription a carer's message is about: its details are where the message goes."""
    data = notification.context
    if "prescription" in data:
        return Prescription.objects.select_related("referring_organisation").filter(pk=data["prescription"]).first()
    if "referral" in data:
        referral = Referral.objects.select_related("prescription__referring_organisation").filter(
            pk=data["referral"]).first()
        return referral.prescription if referral else None
    return None


def digest_entries(ids: list[str]) -> list[str]:
    """One line per event a digest carries, in the words of the notifications page."""
    from .selectors import notifications_described

    rows = list(Notification.objects.filter(pk__in=ids).order_by("created_at"))
    return [described.title for described in notifications_described(rows)]


def _address(notification: Notification) -> str:
    if notification.recipient_user is not None:
        return notification.recipient_user.email
    if notification.recipient_carer is not None:
        # The address given on the prescription the message is about, never one another prescription gave.
        prescription = _prescription_of(notification)
        return prescription.carer_email if prescription else ""
    if notification.recipient_service is not None:
        return notification.recipient_service.referral_email
    return ""


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Subject, text body and HTML body of an email, from templates/emails/<template>/."""
    folder = f"emails/{template}"
    subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
    text = render_to_string(f"{folder}/body.txt", context)
    html = render_to_string(f"{folder}/body.html", {**context, "subject": subject})
    return subject, text, html


def _send_email(notification: Notification, context: dict) -> str:
    address = _address(notification)
    if not address:
        raise PermanentError("No email address")
    subject, text, html = render_email(notification.template, context)
    if settings.NOTIFY_EMAIL:
        return notify.send(channel="email", to=address, template=notification.template,
                           personalisation={**_personalisation(context), "subject": subject, "body": text},
                           reference=str(notification.pk))
    message = EmailMultiAlternatives(subject=subject, body=text, to=[address])
    message.attach_alternative(html, "text/html")
    message.send()
    return ""


def _send_sms(notification: Notification, context: dict) -> str:
    prescription = _prescription_of(notification) if notification.recipient_carer is not None else None
    phone = prescription.carer_phone if prescription else ""
    if not phone:
        raise PermanentError("No mobile number")
    if not phones.is_mobile(phone):
        raise PermanentError("Not a mobile number: a text message cannot be sent to it")
    body = render_to_string(f"sms/{notification.template}.txt", context).strip()
    if settings.SMS_BACKEND == "notify":
        return notify.send(channel="sms", to=phone, template=notification.template,
                           personalisation={**_personalisation(context), "body": body},
                           reference=str(notification.pk))
    if settings.SMS_BACKEND == "console":
        # The demo's stand-in for a phone, like the console email backend.
        sys.stdout.write(f"Text message to {phone}:\n{body}\n{'-' * 40}\n")
        return ""
    raise PermanentError("Text messages need GOV.UK Notify: NOTIFY_API_KEY is not set")


def _personalisation(context: dict) -> dict:
    """Notify templates may use any of these placeholders; extra ones are ignored."""
    return {key: str(context[key]) for key in ("first_name", "reference", "service_name", "link")}


def notification_retry(notification: Notification) -> bool:
    """A failed message tried again, once someone has fixed what made it fail (an address, a template).
    Conditional, like the claim, so a double click queues it once."""
    from .notifications import queue_after_commit

    retried = Notification.objects.filter(pk=notification.pk, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, not_before=None, claimed_at=None
    )
    if retried:
        queue_after_commit([str(notification.pk)])
    return bool(retried)


def notifications_stuck(*, older_than_seconds: int = 60) -> list:
    """Rows nobody is delivering: pending for over a minute (the broker was down at commit), or claimed
    by a worker that died mid-send (still 'sending' long after any task's time limit), handed back."""
    now = timezone.now()
    Notification.objects.filter(
        status=Notification.Status.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT * 2),
    ).update(status=Notification.Status.PENDING)
    pending = Notification.objects.due(now).filter(created_at__lt=now - timedelta(seconds=older_than_seconds))
    return list(pending.values_list("pk", flat=True)[:1000])
