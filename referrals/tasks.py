"""Celery tasks of the referral hub: thin wrappers that call a service function."""

from celery import shared_task

from . import services


@shared_task(name="referrals.delete_expired_drafts")
def delete_expired_drafts() -> int:
    """Drafts not touched for 14 days are deleted: they hold a carer's details without their referral."""
    return services.drafts_delete_expired()
