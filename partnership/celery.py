"""The Celery app. Configuration comes from Django settings (CELERY_*), so one module rules both."""

import os
import threading

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")

app = Celery("partnership")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic schedules are defined here, in one place, as the capabilities that need them land.
app.conf.beat_schedule = {
    "relay-pending-notifications": {
        "task": "notifications.relay_pending_notifications",
        "schedule": 60.0,
    },
    "chase-response-targets": {
        "task": "referrals.chase_response_targets",
        "schedule": crontab(hour=8, minute=0),
    },
    "send-daily-digests": {
        "task": "notifications.send_daily_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "delete-expired-drafts": {
        "task": "referrals.delete_expired_drafts",
        "schedule": crontab(hour=2, minute=30),
    },
}


# Database connections in a worker. Celery's Django fixup closes every connection before and after each
# task unless CELERY_DB_REUSE_MAX is set (it is, in settings): a new PostgreSQL connection per notification
# was most of a worker's time. Instead a worker process keeps its connection as Django keeps one between
# requests, dropping it when it is broken (health checks) or older than CONN_MAX_AGE. A task run in a thread
# (a test's worker, --pool=threads) still closes it, or the connection would outlive the thread.
@task_prerun.connect
@task_postrun.connect
def _close_old_database_connections(sender=None, **kwargs) -> None:
    if sender is not None and getattr(sender.request, "is_eager", False):
        return  # run inside a request (the demo, tests): its connection is the request's, mid-transaction perhaps
    from django.db import close_old_connections, connections

    if threading.current_thread() is threading.main_thread():
        close_old_connections()
    else:
        connections.close_all()
