"""What the prescription journey refuses, and how it says so: phone numbers, postcodes, lengths, and
the forms a coordinator or referrer fills in on a referral."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from partnership.notifications.models import Notification
from referrals.models import Prescription, Referral, ReferralEvent

from .conftest import prescription_data

pytestmark = pytest.mark.django_db

UK_NUMBER = "Enter a UK phone number, like 01632 960 001 or 07700 900 982"


def summary_errors(body: str) -> list[str]:
    """The messages of the GOV.UK error summary on a page ([] if it has none)."""
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', body, re.S)
    if match is None:
        return []
    return [html.unescape(text).strip() for text in re.findall(r"<li><a [^>]*>(.*?)</a></li>", match.group(0),
                                                                re.S)]


def inline_errors(body: str) -> list[str]:
    """The messages shown next to fields (GOV.UK error messages), without the hidden "Error:" prefix."""
    found = re.findall(r'class="govuk-error-message"[^>]*>\s*<span class="govuk-visually-hidden">Error:</span>'
                       r'(.*?)</(?:span|p)>', body, re.S)
    return [" ".join(html.unescape(text).split()) for text in found]


def field_error(body: str, field: str) -> str:
    """The inline error of the prescription form's field `field` ('' if it has none)."""
    match = re.search(rf'id="id_{field}_1_error" class="govuk-error-message">\s*'
                      r'<span class="govuk-visually-hidden">Error:</span>(.*?)</span>', body, re.S)
    return " ".join(html.unescape(match.group(1)).split()) if match else ""


def textarea(body: str, element_id: str) -> str:
    """What a textarea holds, as the browser would show it."""
    match = re.search(rf'<textarea[^>]*id="{element_id}"[^>]*>(.*?)</textarea>', body, re.S)
    assert match, f"no textarea #{element_id} on the page"
    return html.unescape(match.group(1)).removeprefix("\n")


@pytest.fixture
def gp(client, personas):
    client.force_login(personas.referrer)
    return personas.referrer


# --- Phone numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["n/a", "not a phone", "12", "+33 6 12 34 56 78"])
def test_a_phone_number_that_is_not_a_uk_number_is_an_inline_error_with_the_error_summary(
        client, gp, directory, needs, phone):
    """Regression: "n/a" and the like were stored as the carer's phone number, and matched carers on it."""
    response = client.post(reverse("referrals:new"), prescription_data(needs, phone=phone, preferred_contact="phone"))
    body = response.content.decode()
    assert response.status_code == 200
    assert field_error(body, "phone") == UK_NUMBER
    assert UK_NUMBER in summary_errors(body)
    assert f'value="{html.escape(phone)}"' in body  # what was typed is kept
    assert not Prescription.objects.exists()


def test_choosing_text_messages_with_a_landline_asks_for_a_mobile(client, gp, directory, needs):
    response = client.post(reverse("referrals:new"),
                           prescription_data(needs, phone="01483 123456", preferred_contact="text"))
    body = response.content.decode()
    expected = ("Enter a mobile number to send the carer text messages, or choose another way to contact them")
    assert field_error(body, "phone") == expected
    assert expected in summary_errors(body)
    assert not Prescription.objects.exists()


@pytest.mark.parametrize("phone", ["07700 900 123", "+44 7700 900123"])
def test_a_uk_mobile_is_accepted_for_text_messages_and_stored_in_e164(client, gp, directory, needs, write_prescription,
                                                                     send, phone):
    prescription = send(write_prescription(phone=phone, preferred_contact="text"), services=[directory.breaks])
    assert prescription.carer_phone == "+447700900123"
    assert prescription.carer_preferred_contact == "text"
    assert Notification.objects.filter(template="prescription_sent", channel=Notification.Channel.SMS,
                                       context__prescription=str(prescription.pk)).exists()


def test_a_carer_with_only_a_landline_is_never_sent_a_text(client, gp, directory, needs, write_prescription, send):
    """Regression: any phone number was taken for a mobile, so texts were queued to landlines."""
    prescription = send(write_prescription(phone="01483 123456", preferred_contact="phone", email=""),
                    services=[directory.breaks])
    assert prescription.carer_phone == "+441483123456"
    assert not Notification.objects.filter(template="prescription_sent").exists()
    assert not Notification.objects.filter(channel=Notification.Channel.SMS).exists()


# --- Postcodes ------------------------------------------------------------------------------------


def test_an_unknown_postcode_district_is_an_error_and_what_was_typed_is_kept(client, gp, directory, needs):
    """Regression: a postcode whose district does not exist routed as if no place had been given."""
    response = client.post(reverse("referrals:new"), prescription_data(needs, postcode="ZZ1 1ZZ"))
    body = response.content.decode()
    message = "We do not recognise ZZ1 — check the postcode"
    assert field_error(body, "postcode") == message
    assert message in summary_errors(body)
    assert 'value="ZZ1 1ZZ"' in body and 'value="Margaret"' in body and 'value="Okafor"' in body
    assert textarea(body, "id_note") == "Husband has advanced dementia; she is exhausted."
    assert not Prescription.objects.exists()


# --- Check your answers ---------------------------------------------------------------------------


def test_check_your_answers_shows_the_date_of_birth_and_consent_in_words(client, gp, directory, write_prescription):
    """Regression: the consent row read "given verbally on ..." — the template lower-cased the whole sentence,
    not only the method."""
    draft = write_prescription()
    client.post(reverse("referrals:draft_services", args=[draft.pk]), {"services": [str(directory.breaks.pk)]})
    response = client.get(reverse("referrals:draft_check", args=[draft.pk]))
    assert response.status_code == 200
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    assert "Date of birth 14 March 1961" in text
    today = timezone.localdate()
    assert f"Consent Given verbally on {today.day} {today:%B %Y}" in text


# --- Lengths on the prescription ------------------------------------------------------------------


@pytest.mark.parametrize(("field", "limit", "message"), [
    ("note", 2000, "The note must be 2,000 characters or fewer"),
    ("accessibility_needs", 500, "Accessibility needs must be 500 characters or fewer"),
])
def test_a_text_over_its_length_is_an_error_and_is_kept_in_the_textarea(client, gp, directory, needs, field, limit,
                                                                         message):
    """Regression guard: without the form's limit the text reaches a column that refuses it (a 500)."""
    typed = ("Needs a quiet room. " * 200)[: limit + 1]
    response = client.post(reverse("referrals:new"), prescription_data(needs, **{field: typed}))
    body = response.content.decode()
    assert field_error(body, field) == message
    assert message in summary_errors(body)
    assert textarea(body, f"id_{field}") == typed
    assert not Prescription.objects.exists()


# --- The referrer's and the coordinator's forms ---------------------------------------------------


def breaks_referral(prescription) -> Referral:
    return prescription.referrals.get(service__name="Carers Breaks Guildford")


@pytest.mark.parametrize(("reason", "message"), [
    ("", "Say why you are cancelling the referral"),
    ("The carer has moved to Scotland. " * 152, "The reason must be 500 characters or fewer"),
])
def test_cancelling_without_a_reason_or_with_too_long_a_reason_is_a_400_that_keeps_what_was_typed(
        client, personas, sent_prescription, reason, message):
    """Regression guard: an invalid reason must show the form again with what was typed (not a redirect that
    loses it), and one longer than the timeline's column must never reach the database (a 500)."""
    reason = reason[:5000]
    referral = breaks_referral(sent_prescription)
    events = ReferralEvent.objects.count()
    client.force_login(personas.referrer)
    response = client.post(reverse("referrals:referral_cancel", args=[referral.pk]), {"reason": reason})
    assert response.status_code == 400
    body = response.content.decode()
    assert summary_errors(body) == [message]
    assert message in inline_errors(body)
    assert textarea(body, f"cancel-{referral.pk}") == reason
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT and referral.closed_at is None
    assert ReferralEvent.objects.count() == events


LONG_NOTE = ("Spoke to her daughter, who asked us to call back after six. " * 90)[:5000]


def test_declining_with_a_note_over_its_length_is_a_400_and_changes_nothing(client, personas, sent_prescription):
    """Regression guard: a note longer than the timeline's column gave a 500 when the event was written."""
    referral = breaks_referral(sent_prescription)
    events = ReferralEvent.objects.count()
    client.force_login(personas.coordinator)
    response = client.post(reverse("referrals:referral_action", args=[referral.pk, "decline"]),
                           {"reason": "other", "note": LONG_NOTE})
    assert response.status_code == 400
    body = response.content.decode()
    assert "More detail must be 1,000 characters or fewer" in summary_errors(body)
    assert "More detail must be 1,000 characters or fewer" in inline_errors(body)
    assert textarea(body, "id_note") == LONG_NOTE
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT and referral.decline_reason == ""
    assert ReferralEvent.objects.count() == events


def test_closing_with_a_note_over_its_length_is_a_400_and_changes_nothing(client, personas, sent_prescription):
    """Regression guard: a note longer than the timeline's column gave a 500 when the event was written."""
    referral = breaks_referral(sent_prescription)
    client.force_login(personas.coordinator)
    client.post(reverse("referrals:referral_action", args=[referral.pk, "accept"]))
    events = ReferralEvent.objects.count()
    response = client.post(reverse("referrals:referral_action", args=[referral.pk, "close"]),
                           {"outcome": "supported", "note": LONG_NOTE})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The note must be 1,000 characters or fewer" in summary_errors(body)
    assert "The note must be 1,000 characters or fewer" in inline_errors(body)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.outcome == "" and referral.closed_at is None
    assert ReferralEvent.objects.count() == events


def test_a_contact_attempt_with_a_note_over_its_length_is_a_400_and_is_not_counted(client, personas, sent_prescription):
    """Regression guard: a note longer than the timeline's column gave a 500 when the event was written."""
    referral = breaks_referral(sent_prescription)
    client.force_login(personas.coordinator)
    client.post(reverse("referrals:referral_action", args=[referral.pk, "accept"]))
    events = ReferralEvent.objects.count()
    response = client.post(reverse("referrals:referral_action", args=[referral.pk, "contact-attempt"]),
                           {"note": LONG_NOTE})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The note must be 1,000 characters or fewer" in summary_errors(body)
    assert "The note must be 1,000 characters or fewer" in inline_errors(body)
    referral.refresh_from_db()
    assert referral.contact_attempts == 0 and referral.status == Referral.Status.ACCEPTED
    assert ReferralEvent.objects.count() == events
