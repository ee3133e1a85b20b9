"""Referral journeys in the browser: a GP writes and sends a carer's prescription, a coordinator works it,
and the GP follows it up — by labels, roles and the words on the page, with axe-core on every page."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from partnership.models import User
from partnership.notifications.models import Notification
from referrals.models import REFERENCE_ALPHABET, Prescription
from tests import factories
from tests.factories import TEST_PASSWORD
from tests.referrals.conftest import prescription_data

REFERENCE = re.compile(f"^[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$")


@pytest.fixture
def sent_prescription(client, personas, services, needs) -> Prescription:
    """Margaret's prescription, sent by the GP to the breaks service and the listening line (no browser)."""
    client.force_login(personas.referrer)
    response = client.post(reverse("referrals:new"), prescription_data(needs))
    assert response.status_code == 302
    draft = Prescription.objects.get(pk=response["Location"].split("/")[3])
    client.post(reverse("referrals:draft_services", args=[draft.pk]),
                {"services": [str(services.breaks.pk), str(services.listening.pk)]})
    assert client.post(reverse("referrals:draft_check", args=[draft.pk])).status_code == 302
    client.logout()
    draft.refresh_from_db()
    assert draft.status == Prescription.Status.SENT
    return draft


def sign_in(page: Page, user: User) -> None:
    page.goto("/")
    account = page.get_by_role("navigation", name="Account")
    account.get_by_role("link", name="Sign in").click()
    page.get_by_role("textbox", name=re.compile(r"^Email( address)?$")).fill(user.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name=re.compile("^Sign in$", re.IGNORECASE)).click()
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    account = page.get_by_role("navigation", name="Account")
    account.get_by_role("button", name="Sign out").click()
    expect(account.get_by_role("link", name="Sign in")).to_be_visible()


def menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def open_inbox_referral(page: Page, carer: str, service: str) -> None:
    menu(page, "Referral inbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral inbox")
    row = page.get_by_role("row").filter(has_text=service)
    row.get_by_role("link", name=carer).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(carer)
    expect(page.get_by_text(f"to {service}").first).to_be_visible()


def open_my_prescription(page: Page, reference: str) -> None:
    menu(page, "My referrals")
    expect(page.get_by_role("heading", level=1)).to_have_text("My referrals")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_text(f"Referral {reference}")).to_be_visible()


def fill_in_margarets_prescription(page: Page) -> None:
    """The first page of the prescription, as the GP fills it in for Margaret, who prefers texts."""
    page.get_by_label("First name").fill("Margaret")
    page.get_by_label("Last name").fill("Okafor")
    born = page.get_by_role("group", name=re.compile("^Date of birth"))
    born.get_by_label("Day").fill("14")
    born.get_by_label("Month").fill("3")
    born.get_by_label("Year").fill("1961")
    page.get_by_label("Postcode", exact=True).fill("GU1 4AB")
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_role("group", name="How would the carer like to be contacted?").get_by_label("Text message").check()
    page.get_by_label("Husband, wife or partner").check()
    page.get_by_label("Breaks and respite").check()
    page.get_by_label("Emotional support and counselling").check()
    page.get_by_label("Soon — within a week").check()
    page.get_by_label("The carer agrees to share these details with the services I choose").check()
    page.get_by_role("group", name="How did they agree?").get_by_label("Verbally").check()


def test_gp_writes_and_sends_a_prescription_in_four_submissions_or_fewer(page: Page, services, can_sign_in,
                                                                        personas):
    sign_in(page, personas.referrer)
    menu(page, "Write a prescription")
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a carer's prescription")

    submissions: list[str] = []
    page.on("request", lambda r: submissions.append(r.url) if r.method == "POST" and r.is_navigation_request()
            else None)

    fill_in_margarets_prescription(page)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose where to send it")
    matching = page.get_by_role("group", name="Matching services")
    breaks = matching.get_by_role("checkbox", name=re.compile("Carers Breaks Guildford"))
    expect(breaks).to_be_checked()
    expect(breaks).to_have_accessible_description(re.compile("^Covers breaks and respite"))
    counselling = matching.get_by_role("checkbox", name=re.compile("Carers Counselling Guildford"))
    expect(counselling).to_be_checked()
    expect(counselling).to_have_accessible_description(re.compile("usual wait 3 weeks"))
    expect(matching.get_by_role("checkbox", name=re.compile("Carers Listening Line"))).not_to_be_checked()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    expect(page.get_by_text("Margaret Okafor")).to_be_visible()
    expect(page.get_by_text("Carers Breaks Guildford (Action for Carers Surrey)")).to_be_visible()
    page.get_by_role("button", name="Send referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    expect(page.get_by_text(REFERENCE)).to_be_visible()
    prescription = Prescription.objects.get(status=Prescription.Status.SENT)
    expect(page.get_by_text("The carer's reference is")).to_contain_text(prescription.reference)
    assert len(submissions) <= 4, submissions
    assert set(prescription.referrals.values_list("service__name", flat=True)) == {
        "Carers Breaks Guildford", "Carers Counselling Guildford"}


def test_coordinator_accepts_and_closes_and_the_gp_sees_the_outcome(page: Page, sent_prescription, can_sign_in,
                                                                    personas):
    sign_in(page, personas.coordinator)
    open_inbox_referral(page, "Margaret Okafor", "Carers Breaks Guildford")
    page.get_by_role("button", name="Accept referral").click()
    expect(page.get_by_text("You have accepted the referral")).to_be_visible()

    page.get_by_role("group", name="What was the outcome?").get_by_label("Supported").check()
    page.get_by_role("button", name="Close referral").click()
    expect(page.get_by_text("The referral is closed")).to_be_visible()
    expect(page.get_by_text("Closed: supported").first).to_be_visible()
    sign_out(page)

    sign_in(page, personas.referrer)
    open_my_prescription(page, sent_prescription.reference)
    expect(page.get_by_role("heading", level=1)).to_have_text("Margaret Okafor")
    breaks = page.locator(".app-result").filter(has=page.get_by_role("heading", name="Carers Breaks Guildford"))
    expect(breaks).to_contain_text("Closed: supported")


def test_coordinator_declines_and_the_gp_sends_it_to_the_next_matching_service(page: Page, sent_prescription,
                                                                               can_sign_in, personas, needs):
    factories.ServiceFactory(organisation=personas.other_charity, name="Woking Sitting Service",
                             needs=[needs["breaks-sitting"]], serves_whole_area=True)
    sign_in(page, personas.coordinator)
    open_inbox_referral(page, "Margaret Okafor", "Carers Breaks Guildford")
    page.get_by_text("Decline this referral").click()
    page.get_by_role("group", name="Why are you declining this referral?").get_by_label(
        "We have no capacity at the moment").check()
    page.get_by_role("button", name="Decline referral").click()
    expect(page.get_by_text("You have declined the referral")).to_be_visible()
    sign_out(page)

    sign_in(page, personas.referrer)
    open_my_prescription(page, sent_prescription.reference)
    page.get_by_role("link", name="Send to another service instead of Carers Breaks Guildford").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send to another service")
    options = page.get_by_role("group", name="The next matching services")
    expect(options.get_by_role("radio")).to_have_count(1)
    options.get_by_role("radio", name=re.compile("Woking Sitting Service")).check()
    page.get_by_role("button", name="Send referral").click()

    expect(page.get_by_text("The referral has been sent to Woking Sitting Service.")).to_be_visible()
    sitting = page.locator(".app-result").filter(has=page.get_by_role("heading", name="Woking Sitting Service"))
    expect(sitting).to_contain_text("re-routed after Carers Breaks Guildford declined")
    expect(sitting).to_contain_text("Sent")
    expect(page.get_by_role("link", name=re.compile("Send to another service"))).to_have_count(0)


def test_a_prescription_sent_in_the_browser_reaches_everyone_the_table_names_through_a_real_worker(
        page: Page, services, can_sign_in, personas, redis_worker, fake_notify):
    """The notifications table, end to end: the GP sends in the browser; a Celery worker on the real Redis
    delivers the coordinators' emails and in-app notifications and Margaret's text (to a fake Notify)."""
    sign_in(page, personas.referrer)
    menu(page, "Write a prescription")
    fill_in_margarets_prescription(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")

    prescription = Prescription.objects.get(status=Prescription.Status.SENT)
    rows = Notification.objects.all()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (rows.count() == 0 or rows.exclude(status="sent").exists()):
        time.sleep(0.2)
    # Both chosen services belong to the lead charity, whose one coordinator hears of each by email and in
    # the app; Margaret gets one text with her reference; nothing else is sent, and nothing twice.
    assert sorted(rows.values_list("template", "channel", "recipient_key", "status")) == sorted(
        [("item_routed", channel, f"user:{personas.coordinator.pk}", "sent")
         for channel in ("email", "in_app") for _ in range(2)]
        + [("prescription_sent", "sms", f"carer:{prescription.carer_id}", "sent")])
    assert sorted(m.subject for m in mail.outbox) == [
        "A new referral for Carers Breaks Guildford", "A new referral for Carers Counselling Guildford"]
    [sms] = fake_notify.sms()
    assert sms["phone_number"] == "+447700900123" and prescription.reference in sms["personalisation"]["body"]
    assert all(row.attempts == 1 for row in rows)
