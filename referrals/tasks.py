"""Celery tasks of the referral hub: thin wrappers that call a service function."""

from celery import shared_task

from . import delivery, services


@shared_task(name="referrals.delete_expired_drafts")
def delete_expired_drafts() -> int:
    """Drafts not touched for 14 days are deleted: they hold a carer's details without their referral."""
    return services.drafts_delete_expired()


@shared_task(
    name="referrals.send_notification",
    bind=True,
    autoretry_for=(delivery.TransientError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def send_notification(self, notification_id: str) -> str:
    """Deliver one outbox row. Idempotent: a repeat, or a redelivery after a crash, finds it claimed."""
    return delivery.notification_deliver(notification_id)


@shared_task(name="referrals.relay_pending_notifications")
def relay_pending_notifications() -> int:
    """Queue rows left pending (the broker was down at commit, a worker died) for more than a minute."""
    ids = delivery.notifications_stuck()
    for notification_id in ids:
        send_notification.delay(str(notification_id))
    return len(ids)
