"""Celery tasks of the referral hub: thin wrappers that call a service function."""

from celery import shared_task

from . import delivery, notifications, services


@shared_task(name="referrals.delete_expired_drafts")
def delete_expired_drafts() -> int:
    """Drafts not touched for 14 days are deleted: they hold a carer's details without their referral."""
    return services.drafts_delete_expired()


@shared_task(name="referrals.send_notification", bind=True, max_retries=None)
def send_notification(self, notification_id: str) -> str:
    """Deliver one outbox row. Idempotent: a repeat, or a redelivery after a crash, finds it claimed.

    A passing failure is retried after the backoff the row records (not_before); the bound is the row's
    attempts (NOTIFICATION_MAX_ATTEMPTS), so retries stop even when tasks are re-queued by the relay."""
    try:
        return delivery.notification_deliver(notification_id)
    except delivery.TransientError as error:
        if self.request.is_eager:
            return "retry later"  # the demo has no beat: a retry waits for the relay of a real deployment
        raise self.retry(countdown=error.retry_in + 1) from None


@shared_task(name="referrals.relay_pending_notifications")
def relay_pending_notifications() -> int:
    """Queue rows left pending (the broker was down at commit, a worker died) for more than a minute."""
    ids = delivery.notifications_stuck()
    for notification_id in ids:
        send_notification.delay(str(notification_id))
    return len(ids)


@shared_task(name="referrals.chase_response_targets")
def chase_response_targets() -> dict:
    """Daily: remind services of referrals past the response target; escalate at twice the target."""
    return notifications.response_targets_chase()


@shared_task(name="referrals.send_daily_digests")
def send_daily_digests() -> int:
    """Daily: one email to each person who prefers a digest, with everything held for them."""
    return notifications.daily_digests_send()
