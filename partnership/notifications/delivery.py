"""Delivering the outbox: claim a pending row, send it on its channel, record what happened.

A row is claimed with a conditional update (pending → sending), so two workers, a redelivered task or
a relay that re-queues it can never send it twice. A transient failure puts it back to pending for a
retry; a permanent one marks it failed for the partnership manager to see.

What a message says comes from the app whose event it is, and where it goes from the user's account or
the app that owns the recipient (registry.py).
"""

from __future__ import annotations

import random
import sys
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnership import phones

from . import govuk_notify, registry
from .messages import recipients_of, scrubbed
from .models import Notification

__all__ = ["PermanentError", "TransientError", "backoff_seconds", "notification_deliver", "notifications_stuck",
           "render_email", "scrubbed"]


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
    return Notification.objects.select_related("recipient_user").get(pk=notification_id)


def notification_deliver(notification_id) -> str:
    """Send one outbox row once. Returns what became of it; raises TransientError to ask for a retry."""
    notification = notification_claim(notification_id)
    if notification is None:
        return "not pending"
    try:
        provider_id = _send(notification)
    except (PermanentError, govuk_notify.NotifyPermanent) as error:
        _finish(notification, Notification.Status.FAILED, error=scrubbed(str(error)))
        return "failed"
    except govuk_notify.NotifyDailyLimit as error:
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


def backoff_seconds(attempts: int) -> int:
    """Exponential backoff with full jitter: 10 s, 20 s, 40 s ... capped at ten minutes, spread at random
    so that messages which failed together are not all retried together."""
    ceiling = min(600, 10 * 2 ** max(attempts - 1, 0))
    return max(1, round(random.uniform(ceiling / 2, ceiling)))  # noqa: S311  # nosec B311  # jitter, not a secret


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
    """What a message may say, from the app whose event it is: the recipient's own first name, a
    reference, a service's name, a link — never a carer's name, contact details or needs."""
    events = registry.events_for(notification.template)
    if events is not None:
        return events.message_context(notification)
    user = notification.recipient_user
    return {"first_name": user.first_name if user else "", "reference": "", "service_name": "",
            "link": f"{settings.SITE_URL}{reverse('account_login')}", "target_days": ""}


def _address(notification: Notification, channel: str) -> str:
    recipients = recipients_of(notification)
    if recipients is not None:
        return recipients.address(notification, channel)
    if notification.recipient_user is not None and channel == Notification.Channel.EMAIL:
        return notification.recipient_user.email
    return ""  # staff have no mobile number here


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Subject, text body and HTML body of an email, from templates/emails/<template>/."""
    folder = f"emails/{template}"
    subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
    text = render_to_string(f"{folder}/body.txt", context)
    html = render_to_string(f"{folder}/body.html", {**context, "subject": subject})
    return subject, text, html


def _send_email(notification: Notification, context: dict) -> str:
    address = _address(notification, Notification.Channel.EMAIL)
    if not address:
        raise PermanentError("No email address")
    subject, text, html = render_email(notification.template, context)
    if settings.NOTIFY_EMAIL:
        return govuk_notify.send(channel="email", to=address, template=notification.template,
                                 personalisation={**_personalisation(context), "subject": subject, "body": text},
                                 reference=str(notification.pk))
    message = EmailMultiAlternatives(subject=subject, body=text, to=[address])
    message.attach_alternative(html, "text/html")
    message.send()
    return ""


def _send_sms(notification: Notification, context: dict) -> str:
    phone = _address(notification, Notification.Channel.SMS)
    if not phone:
        raise PermanentError("No mobile number")
    if not phones.is_mobile(phone):
        raise PermanentError("Not a mobile number: a text message cannot be sent to it")
    body = render_to_string(f"sms/{notification.template}.txt", context).strip()
    if settings.SMS_BACKEND == "notify":
        return govuk_notify.send(channel="sms", to=phone, template=notification.template,
                                 personalisation={**_personalisation(context), "body": body},
                                 reference=str(notification.pk))
    if settings.SMS_BACKEND == "console":
        # The demo's stand-in for a phone, like the console email backend.
        sys.stdout.write(f"Text message to {phone}:\n{body}\n{'-' * 40}\n")
        return ""
    raise PermanentError("Text messages need GOV.UK Notify: NOTIFY_API_KEY is not set")


def _personalisation(context: dict) -> dict:
    """Notify templates may use any of these placeholders; extra ones are ignored."""
    return {key: str(context.get(key, "")) for key in ("first_name", "reference", "service_name", "link")}


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
