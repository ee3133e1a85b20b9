"""Text messages (and optionally email) through GOV.UK Notify, its answers sorted by kind.

The app uses the official notifications-python-client over real HTTP; only Notify itself is faked,
on localhost (tests/partnership/notifications/fake_notify.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partnership.notifications import delivery, outbox
from partnership.notifications.models import Notification
from partnership.notifications.tasks import relay_pending_notifications
from referrals.models import Prescription

from .fake_notify import SMS_TEMPLATE_ID, error_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def text_message(personas, sent_prescription) -> Notification:
    """Margaret's confirmation by text message (she prefers texts), waiting in the outbox."""
    return Notification.objects.get(channel="sms", template="prescription_sent")


def test_the_carers_confirmation_goes_to_notify_with_their_reference_and_no_other_personal_data(
        fake_notify, text_message, sent_prescription):
    assert delivery.notification_deliver(text_message.pk) == "sent"
    [request] = fake_notify.requests
    assert request["authorised"], "signed with the key's secret, issued by its service id"
    sms = request["json"]
    assert sms["phone_number"] == "+447700900123"
    assert sms["template_id"] == SMS_TEMPLATE_ID
    assert sms["reference"] == str(text_message.pk)
    personalisation = sms["personalisation"]
    assert personalisation["first_name"] == "Margaret"
    assert personalisation["reference"] == sent_prescription.reference
    assert sent_prescription.reference in personalisation["body"]
    # Carers have no pages to sign in to yet: the message says whom to contact instead (a regression guard).
    assert "/accounts/login/" not in personalisation["body"] and "sign in" not in personalisation["body"].lower()
    assert "If you have a question, contact Riverside Medical Practice" in personalisation["body"]
    assert "Okafor" not in str(sms) and "GU1" not in str(sms).upper()
    text_message.refresh_from_db()
    assert text_message.status == Notification.Status.SENT and text_message.provider_id


def test_a_template_per_message_is_used_where_one_is_configured(settings, fake_notify, text_message):
    settings.NOTIFY_TEMPLATE_IDS = {"prescription_sent": "6a1a7b4e-0000-4000-8000-000000000001"}
    delivery.notification_deliver(text_message.pk)
    assert fake_notify.sms()[0]["template_id"] == "6a1a7b4e-0000-4000-8000-000000000001"


def test_notify_500_then_200_is_sent_after_a_retry(fake_notify, text_message):
    fake_notify.answer(500, error_body(500, "Exception", "Internal server error"))
    with pytest.raises(delivery.TransientError):
        delivery.notification_deliver(text_message.pk)
    text_message.refresh_from_db()
    assert text_message.status == Notification.Status.PENDING and "500" in text_message.last_error
    Notification.objects.filter(pk=text_message.pk).update(not_before=timezone.now())
    assert delivery.notification_deliver(text_message.pk) == "sent"
    text_message.refresh_from_db()
    assert text_message.status == Notification.Status.SENT and text_message.attempts == 2
    assert len(fake_notify.sms()) == 2


def test_notify_rate_limit_429_is_retried(fake_notify, text_message):
    fake_notify.answer(429, error_body(429, "RateLimitError",
                                       "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"))
    with pytest.raises(delivery.TransientError):
        delivery.notification_deliver(text_message.pk)
    text_message.refresh_from_db()
    assert text_message.status == Notification.Status.PENDING and "RateLimitError" in text_message.last_error


def test_notify_400_is_failed_at_once_not_retried_and_shown_to_the_manager(fake_notify, text_message, personas):
    fake_notify.answer(400, error_body(400, "ValidationError", "phone_number Not a UK mobile number"))
    assert delivery.notification_deliver(text_message.pk) == "failed"
    text_message.refresh_from_db()
    assert text_message.status == Notification.Status.FAILED and text_message.attempts == 1
    assert "Not a UK mobile number" in text_message.last_error
    assert Notification.objects.failed_visible_to(personas.manager).filter(pk=text_message.pk).exists()
    Notification.objects.filter(pk=text_message.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert relay_pending_notifications.delay().get() == 0 or len(fake_notify.sms()) == 1
    assert len(fake_notify.sms()) == 1


def test_a_failed_text_is_sent_when_retried_after_the_number_is_fixed(fake_notify, text_message,
                                                                     django_capture_on_commit_callbacks):
    fake_notify.answer(400, error_body(400, "ValidationError", "phone_number Not a UK mobile number"))
    delivery.notification_deliver(text_message.pk)
    # Messages go to the contacts given on the prescription they are about.
    Prescription.objects.filter(pk=text_message.context["prescription"]).update(carer_phone="+447700900456")
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.notification_retry(text_message)
        assert not outbox.notification_retry(text_message), "a second click does not queue it twice"
    text_message.refresh_from_db()
    assert text_message.status == Notification.Status.SENT
    assert [sms["phone_number"] for sms in fake_notify.sms()] == ["+447700900123", "+447700900456"]


def test_notify_daily_limit_defers_until_tomorrow_instead_of_looping(fake_notify, text_message):
    fake_notify.answer(429, error_body(429, "TooManyRequestsError", "Exceeded send limits (250000) for today"))
    assert delivery.notification_deliver(text_message.pk) == "deferred"
    text_message.refresh_from_db()
    assert text_message.status == Notification.Status.PENDING
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert timezone.localtime(text_message.not_before).date() == tomorrow
    # The relay leaves it alone until then, however old it is.
    Notification.objects.filter(pk=text_message.pk).update(created_at=timezone.now() - timedelta(hours=2))
    relay_pending_notifications.delay().get()
    assert len(fake_notify.sms()) == 1
    # Tomorrow it goes.
    Notification.objects.filter(pk=text_message.pk).update(not_before=timezone.now() - timedelta(seconds=1))
    relay_pending_notifications.delay().get()
    text_message.refresh_from_db()
    assert text_message.status == Notification.Status.SENT and len(fake_notify.sms()) == 2


def test_an_unreachable_notify_is_a_passing_failure(settings, fake_notify, text_message):
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:1"  # nothing listens there
    with pytest.raises(delivery.TransientError):
        delivery.notification_deliver(text_message.pk)
    text_message.refresh_from_db()
    assert text_message.status == Notification.Status.PENDING and text_message.last_error


def test_a_wrong_api_key_fails_visibly_rather_than_retrying_for_ever(settings, fake_notify, text_message):
    settings.NOTIFY_API_KEY = settings.NOTIFY_API_KEY[:-36] + "00000000-0000-4000-8000-000000000000"
    assert delivery.notification_deliver(text_message.pk) == "failed"
    text_message.refresh_from_db()
    assert "403" in text_message.last_error


def test_email_can_go_through_notify_too(settings, fake_notify, personas, sent_prescription):
    settings.NOTIFY_EMAIL = True
    row = Notification.objects.get(channel="email", recipient_user=personas.coordinator)
    before = len(mail.outbox)
    assert delivery.notification_deliver(row.pk) == "sent"
    assert len(mail.outbox) == before, "not through Django's backend as well"
    [email] = fake_notify.emails()
    assert email["email_address"] == personas.coordinator.email
    assert email["personalisation"]["subject"] == "A new referral for Carers Breaks Guildford"
    assert "/referrals/" in email["personalisation"]["body"]
