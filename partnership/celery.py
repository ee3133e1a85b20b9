"""The Celery app. Configuration comes from Django settings (CELERY_*), so one module rules both."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")

app = Celery("partnership")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic schedules are defined here, in one place, as the capabilities that need them land.
app.conf.beat_schedule = {
    "relay-pending-notifications": {
        "task": "referrals.relay_pending_notifications",
        "schedule": 60.0,
    },
    "chase-response-targets": {
        "task": "referrals.chase_response_targets",
        "schedule": crontab(hour=8, minute=0),
    },
    "send-daily-digests": {
        "task": "referrals.send_daily_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "delete-expired-drafts": {
        "task": "referrals.delete_expired_drafts",
        "schedule": crontab(hour=2, minute=30),
    },
}
