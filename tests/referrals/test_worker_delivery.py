"""Delivery through a real Celery worker on the real Redis broker, end to end."""

from __future__ import annotations

import os
import time

import pytest
import redis
from django.core import mail

from referrals.models import Notification

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _reset_pool(app) -> None:
    """Drop the producer pool so the next send connects to the broker now configured. kombu also keeps
    process-wide pools keyed by broker URL; a second worker on the same URL would find them closed."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def redis_worker(settings):
    """A worker thread consuming from Redis (its own database number, flushed), tasks no longer eager."""
    from celery.contrib.testing.worker import start_worker

    from partnership.celery import app

    redis.Redis.from_url(REDIS_URL).flushdb()  # fails loudly if Redis is not there
    previous = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _reset_pool(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(**previous)
        _reset_pool(app)
        redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.mark.django_db(transaction=True)
def test_a_sent_prescription_is_delivered_by_a_worker_exactly_once(redis_worker, personas, directory,
                                                                   client, write_prescription, send):
    client.force_login(personas.referrer)
    referral = send(write_prescription(email="margaret@example.org", preferred_contact="email"),
                    services=[directory.breaks])
    rows = Notification.objects.filter(event_key__endswith=str(referral.pk)) | Notification.objects.filter(
        context__item__in=[str(pk) for pk in referral.items.values_list("pk", flat=True)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and rows.filter(status__in=["pending", "sending"]).exists():
        time.sleep(0.2)
    assert not rows.filter(status__in=["pending", "sending"]).exists()
    assert set(rows.values_list("channel", "status")) == {("email", "sent"), ("in_app", "sent")}
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == sorted([(personas.coordinator.email,), ("margaret@example.org",)])
    assert all(row.attempts == 1 for row in rows)


def _delivered(rows, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and rows.filter(status__in=["pending", "sending"]).exists():
        time.sleep(0.2)
    assert not rows.filter(status__in=["pending", "sending"]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_the_carers_text_through_notify_and_the_coordinators_email_and_in_app(
        redis_worker, fake_notify, personas, directory, client, write_prescription, send):
    client.force_login(personas.referrer)
    referral = send(write_prescription(), services=[directory.breaks])  # Margaret prefers texts
    item = referral.items.get()
    _delivered(Notification.objects.all())
    assert sorted(Notification.objects.values_list("template", "channel", "status")) == [
        ("item_routed", "email", "sent"), ("item_routed", "in_app", "sent"), ("prescription_sent", "sms", "sent")]
    [sms] = fake_notify.sms()
    assert sms["phone_number"] == "07700900123" and referral.reference in sms["personalisation"]["body"]
    assert [m.to for m in mail.outbox] == [[personas.coordinator.email]]
    assert f"/inbox/items/{item.pk}/" in mail.outbox[0].body

    # The coordinator accepts: the GP hears in the app and by email, Margaret by text.
    client.force_login(personas.coordinator)
    client.post(f"/inbox/items/{item.pk}/accept/")
    _delivered(Notification.objects.all())
    assert len(fake_notify.sms()) == 2 and "news about your carer's prescription" in \
        fake_notify.sms()[1]["personalisation"]["body"]
    assert [m.to for m in mail.outbox][1:] == [[personas.referrer.email]]
    assert Notification.objects.filter(recipient_user=personas.referrer, channel="in_app", status="sent").exists()
