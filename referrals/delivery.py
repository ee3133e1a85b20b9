"""Delivering the outbox: claim a pending row, send it on its channel, record what happened.

A row is claimed with a conditional update (pending → sending), so two workers, a redelivered task or
a relay that re-queues it can never send it twice. A transient failure puts it back to pending for a
retry; a permanent one marks it failed for the partnership manager to see.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Notification, Referral, ReferralItem


class TransientError(Exception):
    """Worth trying again later (a connection failure, a provider's 5xx, a timeout)."""


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
    except PermanentError as error:
        _finish(notification, Notification.Status.FAILED, error=str(error))
        return "failed"
    except Exception as error:
        # Anything unexpected is treated as transient: the row goes back to pending and is retried.
        _finish(notification, Notification.Status.PENDING, error=f"{type(error).__name__}: {error}"[:300])
        raise TransientError(str(error)) from error
    _finish(notification, Notification.Status.SENT, provider_id=provider_id)
    return "sent"


def _finish(notification: Notification, status: str, *, error: str = "", provider_id: str = "") -> None:
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING).update(
        status=status, last_error=error, provider_id=provider_id,
        sent_at=timezone.now() if status == Notification.Status.SENT else None,
    )


def _send(notification: Notification) -> str:
    if notification.channel == Notification.Channel.IN_APP:
        return ""  # the row itself is the in-app notification
    context = _context(notification)
    if notification.channel == Notification.Channel.EMAIL:
        return _send_email(notification, context)
    if notification.channel == Notification.Channel.SMS:
        raise PermanentError("Text messages need GOV.UK Notify, which is not configured yet")
    raise PermanentError(f"Unknown channel {notification.channel}")


def _context(notification: Notification) -> dict:
    """What a message may say: the recipient's own first name, a reference, a link. No personal data."""
    data = notification.context
    reference = ""
    if "referral" in data:
        reference = Referral.objects.filter(pk=data["referral"]).values_list("reference", flat=True).first() or ""
    item = None
    if "item" in data:
        item = ReferralItem.objects.select_related("referral", "service").filter(pk=data["item"]).first()
        reference = item.referral.reference if item else reference
    if notification.recipient_user is not None:
        first_name = notification.recipient_user.first_name
    elif notification.recipient_carer is not None:
        first_name = notification.recipient_carer.first_name
    else:
        first_name = ""
    if notification.template == "item_routed" and item is not None:
        path = reverse("referrals:item", args=[item.pk])
    elif item is not None and notification.recipient_user is not None:
        path = reverse("referrals:detail", args=[item.referral.reference])
    else:
        path = reverse("account_login")
    return {
        "first_name": first_name,
        "reference": reference,
        "service_name": item.service.name if item else "",
        "link": f"{settings.SITE_URL}{path}",
    }


def _address(notification: Notification) -> str:
    if notification.recipient_user is not None:
        return notification.recipient_user.email
    if notification.recipient_carer is not None:
        return notification.recipient_carer.email
    if notification.recipient_service is not None:
        return notification.recipient_service.referral_email
    return ""


def _send_email(notification: Notification, context: dict) -> str:
    address = _address(notification)
    if not address:
        raise PermanentError("No email address")
    folder = f"emails/{notification.template}"
    subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
    body = render_to_string(f"{folder}/body.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[address])
    message.send()
    return ""


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
