"""Celery tasks of the referral hub: thin wrappers that call a service function."""

from celery import shared_task

from partnership.notifications import tasks as notification_tasks

from . import notifications, services


@shared_task(name="referrals.delete_expired_drafts")
def delete_expired_drafts() -> int:
    """Drafts not touched for 14 days are deleted: they hold a carer's details without their referral."""
    return services.drafts_delete_expired()


@shared_task(name="referrals.chase_response_targets")
def chase_response_targets() -> dict:
    """Daily: remind services of referrals past the response target; escalate at twice the target."""
    return notifications.response_targets_chase()


# Messages a broker still holds under the names these tasks had before the outbox moved to the core
# (queued, or waiting out a retry's countdown, across a deploy): passed on under the new names rather
# than refused. The rows are safe either way — the relay re-sends pending ones — this only saves the wait.
# Remove once a release has gone by.
@shared_task(name="referrals.send_notification")
def send_notification_queued_before_the_move(notification_id: str) -> None:
    notification_tasks.send_notification.delay(notification_id)


@shared_task(name="referrals.send_notifications")
def send_notifications_queued_before_the_move(notification_ids: list[str]) -> None:
    notification_tasks.send_notifications.delay(notification_ids)


@shared_task(name="referrals.relay_pending_notifications")
def relay_queued_before_the_move() -> None:
    notification_tasks.relay_pending_notifications.delay()


@shared_task(name="referrals.send_daily_digests")
def digests_queued_before_the_move() -> None:
    notification_tasks.send_daily_digests.delay()
