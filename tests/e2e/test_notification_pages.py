"""Notifications in the browser: a coordinator's in-app notifications and email preference, and the partnership
manager's failed messages — by labels, roles and words on the page, with axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from partnership.notifications.models import Notification
from referrals.models import Prescription
from tests.e2e.test_referral_journeys import menu, sign_in, sign_out
from tests.referrals.conftest import prescription_data

from .harness import layout


def send_to_breaks(client, personas, services, needs, **carer) -> Prescription:
    """A prescription sent by the GP to the breaks service (the live server commits, so the notifications
    are delivered as they would be by a worker)."""
    client.force_login(personas.referrer)
    draft_url = client.post("/prescriptions/new/", prescription_data(needs, **carer))["Location"]
    draft = Prescription.objects.get(pk=draft_url.split("/")[3])
    client.post(f"/prescriptions/drafts/{draft.pk}/services/", {"services": [str(services.breaks.pk)]})
    assert client.post(f"/prescriptions/drafts/{draft.pk}/check/").status_code == 302
    client.logout()
    draft.refresh_from_db()
    return draft


@pytest.fixture
def sent_prescription(client, personas, services, needs) -> Prescription:
    """Margaret's prescription, sent to the breaks service."""
    return send_to_breaks(client, personas, services, needs)


@pytest.fixture
def waiting_referral(client, personas, services, needs):
    """An earlier referral to the breaks service that the coordinator has seen but not yet answered."""
    earlier = send_to_breaks(client, personas, services, needs, first_name="Ade", last_name="Bello",
                             phone="07700 900999", postcode="GU2 7XH")
    seen = Notification.objects.in_app_for(personas.coordinator)
    seen.mentioning("referral", earlier.referrals.values_list("pk", flat=True)).mark_read()
    return earlier.referrals.get()


def assert_reflows(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    assert layout(page).scroll_width <= 320, f"{page.url} scrolls horizontally at 320px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_coordinator_reads_notifications_and_chooses_a_daily_digest_and_the_manager_retries_a_failed_message(
        page: Page, sent_prescription, waiting_referral, can_sign_in, personas):
    reference = sent_prescription.reference
    referral = waiting_referral  # reminded about; opening Margaret's referral does not read its reminder
    Notification.objects.create(
        partnership=sent_prescription.partnership, event_key=f"item-reminder:{referral.pk}",
        recipient_key=f"user:{personas.coordinator.pk}", recipient_user=personas.coordinator, channel="in_app",
        template="item_reminder", context={"referral": str(referral.pk), "target_days": 3},
    )
    carer_message = Notification.objects.addressed_to(sent_prescription.carer).get()
    Notification.objects.filter(pk=carer_message.pk).update(status=Notification.Status.FAILED, attempts=1,
                                                           last_error="No mobile number")

    # The coordinator: two unread notifications, one opened, the rest marked read.
    sign_in(page, personas.coordinator)
    navigation = page.get_by_role("navigation", name="Menu")
    expect(navigation.get_by_role("link", name="Notifications (2 unread)")).to_be_visible()
    menu(page, "Notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_text("You have 2 unread notifications.")).to_be_visible()
    assert_reflows(page)
    page.get_by_role("link", name=f"New referral for Carers Breaks Guildford — reference {reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Margaret Okafor")
    expect(navigation.get_by_role("link", name="Notifications (1 unread)")).to_be_visible()

    menu(page, "Notifications")
    expect(page.get_by_text("New", exact=True)).to_have_count(1)
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("All your notifications are marked as read.")).to_be_visible()
    expect(page.get_by_text("New", exact=True)).to_have_count(0)
    expect(navigation.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    # Email preference, reached from the notifications page (and the header's "Your account").
    page.get_by_role("link", name="Choose whether to get an email as each thing happens or once a day").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email notifications")
    choice = page.get_by_role("group", name="How often do you want to get emails about referrals?")
    expect(choice.get_by_label("As each thing happens")).to_be_checked()
    choice.get_by_label("Once a day, in a digest").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. We will email you once a day, in a digest.")).to_be_visible()
    expect(choice.get_by_label("Once a day, in a digest")).to_be_checked()
    assert_reflows(page)
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email notifications")
    personas.coordinator.refresh_from_db()
    assert personas.coordinator.email_frequency == "daily"
    expect(navigation.get_by_role("link", name=re.compile("Failed messages"))).to_have_count(0)
    sign_out(page)

    # The partnership manager: the carer's text message failed; it is tried again.
    sign_in(page, personas.manager)
    menu(page, "Failed messages (1)")
    expect(page.get_by_role("heading", level=1)).to_have_text("Failed messages")
    card = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name=f"Prescription confirmation to the carer — {reference}"))
    expect(card).to_contain_text(f"The carer on prescription {reference}")
    expect(card).to_contain_text("Text message")
    expect(card).to_contain_text("No mobile number")
    expect(page.get_by_text("Margaret")).to_have_count(0)
    assert_reflows(page)
    card.get_by_role("button", name=re.compile("^Try again")).click()
    expect(page.get_by_text(f"to The carer on prescription {reference} is being sent again.")).to_be_visible()
    expect(page.get_by_text("No messages have failed.")).to_be_visible()
    carer_message.refresh_from_db()
    assert carer_message.status == Notification.Status.SENT  # the demo's text messages go to the console
