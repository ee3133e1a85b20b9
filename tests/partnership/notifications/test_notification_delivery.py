"""The outbox delivered: after commit, once per event, recipient and channel; failures recorded by kind."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from partnership.notifications import delivery
from partnership.notifications.models import Notification
from partnership.notifications.tasks import relay_pending_notifications, send_notification
from referrals.services import referral_accept

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_and_delivered(client, personas, directory, write_prescription, send, django_capture_on_commit_callbacks):
    """Margaret's prescription sent by the GP with the after-commit dispatch run (tasks run eagerly)."""
    client.force_login(personas.referrer)
    with django_capture_on_commit_callbacks(execute=True):
        prescription = send(write_prescription(email="margaret@example.org", preferred_contact="email"),
                        services=[directory.breaks])
    return prescription


def test_sending_a_prescription_emails_the_coordinator_without_personal_data(sent_and_delivered, personas):
    to_coordinator = [m for m in mail.outbox if m.to == [personas.coordinator.email]]
    assert len(to_coordinator) == 1
    message = to_coordinator[0]
    assert "Carers Breaks Guildford" in message.subject
    assert "Margaret" not in message.body and "Okafor" not in message.body and "07700" not in message.body
    assert "/referrals/" in message.body
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


def test_a_repeated_event_does_not_make_a_second_row(personas, sent_prescription):
    from referrals import notifications

    referral = sent_prescription.referrals.first()
    count = Notification.objects.count()
    notifications.item_routed(referral)
    assert Notification.objects.count() == count


def test_a_rolled_back_change_leaves_no_row_and_sends_nothing(personas, sent_prescription,
                                                             django_capture_on_commit_callbacks):
    from django.db import transaction

    referral = sent_prescription.referrals.get(service__name="Carers Breaks Guildford")
    count, sent = Notification.objects.count(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                referral_accept(referral=referral, actor=personas.coordinator)
                raise RuntimeError("something later in the request failed")
    assert Notification.objects.count() == count and len(mail.outbox) == sent


def test_a_transient_failure_puts_the_row_back_for_a_retry_after_a_backoff(personas, sent_prescription):
    row = Notification.objects.filter(channel="email").first()
    # The SMTP edge fails once (the only mock: at the outside service's edge).
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=ConnectionRefusedError("smtp down")):
        with pytest.raises(delivery.TransientError) as raised:
            delivery.notification_deliver(row.pk)
    row.refresh_from_db()
    assert row.status == Notification.Status.PENDING and "smtp down" in row.last_error and row.attempts == 1
    assert 5 <= raised.value.retry_in <= 10
    assert row.not_before > timezone.now()
    assert delivery.notification_deliver(row.pk) == "not pending"  # not before its backoff is over
    Notification.objects.filter(pk=row.pk).update(not_before=timezone.now())
    assert delivery.notification_deliver(row.pk) == "sent"
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT and row.attempts == 2 and row.not_before is None


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (6, 320), (7, 600), (12, 600)]:
        delays = {delivery.backoff_seconds(attempts) for _ in range(200)}
        assert min(delays) >= ceiling / 2 and max(delays) <= ceiling
        assert len(delays) > 1  # jittered, so failures together are not retried together


def test_a_message_that_keeps_failing_is_given_up_and_shown_as_failed(settings, personas, sent_prescription):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    row = Notification.objects.filter(channel="email").first()
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=TimeoutError("smtp timed out")):
        for _ in range(2):
            with pytest.raises(delivery.TransientError):
                delivery.notification_deliver(row.pk)
            Notification.objects.filter(pk=row.pk).update(not_before=None)
        assert delivery.notification_deliver(row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == Notification.Status.FAILED and row.attempts == 3
    assert row.last_error.startswith("Gave up after 3 attempts") and "smtp timed out" in row.last_error
    assert Notification.objects.failed_visible_to(personas.manager).filter(pk=row.pk).exists()


def test_a_text_message_without_notify_configured_fails_visibly_in_production(settings, personas, sent_prescription):
    settings.SMS_BACKEND = "disabled"
    sms = Notification.objects.get(channel="sms")
    assert delivery.notification_deliver(sms.pk) == "failed"
    sms.refresh_from_db()
    assert sms.status == Notification.Status.FAILED and "NOTIFY_API_KEY" in sms.last_error
    assert delivery.notification_deliver(sms.pk) == "not pending"


def test_the_relay_queues_rows_left_pending_and_rows_abandoned_mid_send(personas, sent_prescription):
    old = timezone.now() - timedelta(minutes=5)
    Notification.objects.update(created_at=old)
    stuck = Notification.objects.filter(channel="email").first()
    Notification.objects.filter(pk=stuck.pk).update(status="sending", claimed_at=old - timedelta(hours=1))
    assert relay_pending_notifications.delay().get() == Notification.objects.count()
    assert not Notification.objects.filter(status__in=["pending", "sending"]).exists()
    stuck.refresh_from_db()
    assert stuck.status == "sent" and stuck.attempts == 1
    assert len([m for m in mail.outbox if m.to == [stuck.recipient_user.email]]) == 1


def test_an_error_that_quotes_the_address_is_recorded_without_it(personas, sent_prescription):
    import smtplib

    row = Notification.objects.filter(channel="email", recipient_user=personas.coordinator).first()
    refused = smtplib.SMTPRecipientsRefused({personas.coordinator.email: (550, b"mailbox unavailable")})
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused):
        with pytest.raises(delivery.TransientError) as raised:
            delivery.notification_deliver(row.pk)
    row.refresh_from_db()
    assert "mailbox unavailable" in row.last_error and "[address]" in row.last_error
    assert personas.coordinator.email not in row.last_error and personas.coordinator.email not in str(raised.value)
    assert delivery.scrubbed("number 07700 900123 refused") == "number [number] refused"


@pytest.mark.parametrize("template", sorted(
    path.name for path in (Path(__file__).resolve().parents[3] / "templates" / "emails").iterdir() if path.is_dir()))
def test_every_email_has_a_one_line_subject_and_text_and_html_bodies_with_the_link(template):
    context = {"first_name": "Kieran", "reference": "K7TP-3MXC", "service_name": "Carers' Breaks & Respite",
               "link": "https://hub.example.org/inbox/items/1/", "target_days": 3, "entries": ["One", "Two"]}
    subject, text, html = delivery.render_email(template, context)
    assert subject and "\n" not in subject and "{" not in subject and "&#x27;" not in subject
    assert text.startswith("Hello Kieran,") and context["link"] in text and "{" not in text
    assert "&amp;" not in text, "plain text is not HTML-escaped"
    assert html.lstrip().startswith("<!DOCTYPE html>") and context["link"] in html and "{" not in html
    assert f"<title>{subject.replace('&', '&amp;').replace(chr(39), '&#x27;')}</title>" in html
