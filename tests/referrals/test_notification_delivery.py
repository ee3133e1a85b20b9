"""The outbox delivered: after commit, once per event, recipient and channel; failures recorded by kind."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from referrals import delivery
from referrals.models import Notification
from referrals.services import item_accept
from referrals.tasks import relay_pending_notifications, send_notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_and_delivered(client, personas, directory, write_prescription, send, django_capture_on_commit_callbacks):
    """Margaret's prescription sent by the GP with the after-commit dispatch run (tasks run eagerly)."""
    client.force_login(personas.referrer)
    with django_capture_on_commit_callbacks(execute=True):
        referral = send(write_prescription(email="margaret@example.org", preferred_contact="email"),
                        services=[directory.breaks])
    return referral


def test_sending_a_prescription_emails_the_coordinator_without_personal_data(sent_and_delivered, personas):
    to_coordinator = [m for m in mail.outbox if m.to == [personas.coordinator.email]]
    assert len(to_coordinator) == 1
    message = to_coordinator[0]
    assert "Carers Breaks Guildford" in message.subject
    assert "Margaret" not in message.body and "Okafor" not in message.body and "07700" not in message.body
    assert "/inbox/items/" in message.body
    in_app = Notification.objects.get(recipient_user=personas.coordinator, channel="in_app")
    assert in_app.status == Notification.Status.SENT


def test_the_carer_gets_their_reference_by_email_addressed_by_their_own_first_name(sent_and_delivered):
    [message] = [m for m in mail.outbox if m.to == ["margaret@example.org"]]
    assert sent_and_delivered.reference in message.subject and message.body.startswith("Hello Margaret,")
    assert "Okafor" not in message.body


def test_the_same_send_task_run_twice_sends_one_message(sent_and_delivered, personas):
    row = Notification.objects.get(recipient_user=personas.coordinator, channel="email")
    before = len(mail.outbox)
    assert send_notification.delay(str(row.pk)).get() == "not pending"
    assert len(mail.outbox) == before
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT and row.attempts == 1


def test_a_repeated_event_does_not_make_a_second_row(personas, sent_referral):
    from referrals import notifications

    item = sent_referral.items.first()
    count = Notification.objects.count()
    notifications.item_routed(item)
    assert Notification.objects.count() == count


def test_a_rolled_back_change_leaves_no_row_and_sends_nothing(personas, sent_referral,
                                                             django_capture_on_commit_callbacks):
    from django.db import transaction

    item = sent_referral.items.get(service__name="Carers Breaks Guildford")
    count, sent = Notification.objects.count(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                item_accept(item=item, actor=personas.coordinator)
                raise RuntimeError("something later in the request failed")
    assert Notification.objects.count() == count and len(mail.outbox) == sent


def test_a_transient_failure_puts_the_row_back_for_a_retry(personas, sent_referral):
    row = Notification.objects.filter(channel="email").first()
    # The SMTP edge fails once (the only mock: at the outside service's edge).
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=ConnectionRefusedError("smtp down")):
        with pytest.raises(delivery.TransientError):
            delivery.notification_deliver(row.pk)
    row.refresh_from_db()
    assert row.status == Notification.Status.PENDING and "smtp down" in row.last_error and row.attempts == 1
    assert delivery.notification_deliver(row.pk) == "sent"
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT and row.attempts == 2


def test_a_permanent_failure_is_marked_failed_and_not_retried(personas, sent_referral):
    sms = Notification.objects.get(channel="sms")  # no Notify key in the demo configuration
    assert delivery.notification_deliver(sms.pk) == "failed"
    sms.refresh_from_db()
    assert sms.status == Notification.Status.FAILED and "Notify" in sms.last_error
    assert delivery.notification_deliver(sms.pk) == "not pending"


def test_the_relay_queues_rows_left_pending_and_rows_abandoned_mid_send(personas, sent_referral):
    old = timezone.now() - timedelta(minutes=5)
    Notification.objects.update(created_at=old)
    stuck = Notification.objects.filter(channel="email").first()
    Notification.objects.filter(pk=stuck.pk).update(status="sending", claimed_at=old - timedelta(hours=1))
    assert relay_pending_notifications.delay().get() == Notification.objects.count()
    assert not Notification.objects.filter(status__in=["pending", "sending"]).exists()
    stuck.refresh_from_db()
    assert stuck.status == "sent" and stuck.attempts == 1
    assert len([m for m in mail.outbox if m.to == [stuck.recipient_user.email]]) == 1
