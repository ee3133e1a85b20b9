"""Delivery through a real Celery worker on the real Redis broker, end to end."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from partnership.notifications.models import Notification
from tests.celery_worker import reset_pool as _reset_pool  # noqa: F401 — the fault-injection tests import it here

# The worker (redis_worker) and fake Notify (fake_notify) fixtures are in tests/celery_worker.py and
# tests/partnership/notifications/fake_notify.py.


@pytest.mark.django_db(transaction=True)
def test_a_sent_prescription_is_delivered_by_a_worker_exactly_once(redis_worker, personas, directory,
                                                                   client, write_prescription, send):
    client.force_login(personas.referrer)
    prescription = send(write_prescription(email="margaret@example.org", preferred_contact="email"),
                    services=[directory.breaks])
    rows = Notification.objects.filter(event_key__endswith=str(prescription.pk)) | Notification.objects.filter(
        context__referral__in=[str(pk) for pk in prescription.referrals.values_list("pk", flat=True)])
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
    prescription = send(write_prescription(), services=[directory.breaks])  # Margaret prefers texts
    referral = prescription.referrals.get()
    _delivered(Notification.objects.all())
    assert sorted(Notification.objects.values_list("template", "channel", "status")) == [
        ("item_routed", "email", "sent"), ("item_routed", "in_app", "sent"), ("prescription_sent", "sms", "sent")]
    [sms] = fake_notify.sms()
    assert sms["phone_number"] == "+447700900123" and prescription.reference in sms["personalisation"]["body"]
    assert [m.to for m in mail.outbox] == [[personas.coordinator.email]]
    assert f"/referrals/{referral.pk}/" in mail.outbox[0].body

    # The coordinator accepts: the GP hears in the app and by email, Margaret by text.
    client.force_login(personas.coordinator)
    client.post(f"/referrals/{referral.pk}/accept/")
    _delivered(Notification.objects.all())
    assert len(fake_notify.sms()) == 2 and "A service has accepted your referral and will contact you" in \
        fake_notify.sms()[1]["personalisation"]["body"]
    assert [m.to for m in mail.outbox][1:] == [[personas.referrer.email]]
    assert Notification.objects.filter(recipient_user=personas.referrer, channel="in_app", status="sent").exists()
