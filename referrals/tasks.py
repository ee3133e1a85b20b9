"""Celery tasks of the referral hub: thin wrappers that call a service function."""

from celery import shared_task

from . import notifications, services


@shared_task(name="referrals.delete_expired_drafts")
def delete_expired_drafts() -> int:
    """Drafts not touched for 14 days are deleted: they hold a carer's details without their referral."""
    return services.drafts_delete_expired()


@shared_task(name="referrals.chase_response_targets")
def chase_response_targets() -> dict:
    """Daily: remind services of referrals past the response target; escalate at twice the target."""
    return notifications.response_targets_chase()
