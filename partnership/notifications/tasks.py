"""Celery tasks of the outbox: thin wrappers that call delivery and the digest.

Their names are what the broker carries and beat schedules (partnership/celery.py). Messages queued under
the names these had in `referrals` before a deploy are refused by the new workers; their rows stay
pending, so the relay queues them again within a minute.
"""

import logging

from celery import shared_task

from . import delivery, digest

logger = logging.getLogger(__name__)


@shared_task(name="notifications.send_notification", bind=True, max_retries=None)
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


@shared_task(name="notifications.send_notifications")
def send_notifications(notification_ids: list[str]) -> dict:
    """Deliver the rows of one event, each claimed on its own. One that fails for a passing reason is
    retried on its own, as send_notification, after the backoff its row records."""
    results: dict[str, int] = {}
    for notification_id in notification_ids:
        try:
            result = delivery.notification_deliver(notification_id)
        except delivery.TransientError as error:
            result = "retry later"
            if not send_notifications.request.is_eager:
                try:
                    send_notification.apply_async((notification_id,), countdown=error.retry_in + 1)
                except Exception:  # noqa: BLE001 — the broker went away; the relay picks the row up when due
                    logger.warning("Could not queue a retry of notification %s", notification_id, exc_info=True)
        results[result] = results.get(result, 0) + 1
    return results


@shared_task(name="notifications.relay_pending_notifications")
def relay_pending_notifications() -> int:
    """Queue rows left pending (the broker was down at commit, a worker died) for more than a minute."""
    ids = delivery.notifications_stuck()
    for notification_id in ids:
        send_notification.delay(str(notification_id))
    return len(ids)


@shared_task(name="notifications.send_daily_digests")
def send_daily_digests() -> int:
    """Daily: one email to each person who prefers a digest, with everything held for them."""
    return digest.daily_digests_send()
