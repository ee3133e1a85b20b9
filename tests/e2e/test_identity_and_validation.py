"""What people see of issue 9 in the browser, with axe-core on every page: a stranger typing another carer's
email gets her own referral; the lead organisation reviews the possible duplicate; the prescription form
explains bad phone numbers and postcodes inline; check-your-answers writes dates the GOV.UK way; the back
button after sending; and a carer signed in sees a plain page, not the staff one."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from referrals.models import Carer, PossibleDuplicate, Prescription
from tests import factories

from .test_referral_journeys import fill_in_margarets_prescription, menu, sign_in, sign_out


@pytest.fixture
def lead(partnership, personas):
    partnership.lead_organisation = personas.charity
    partnership.save()
    return personas.coordinator


def _choose_and_send(page: Page) -> str:
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose where to send it")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    return page.locator(".app-reference").inner_text()


def test_the_form_explains_a_bad_phone_and_an_unknown_postcode_and_keeps_what_was_typed(
        page: Page, services, can_sign_in, personas):
    sign_in(page, personas.referrer)
    menu(page, "Write a prescription")
    fill_in_margarets_prescription(page)
    page.get_by_label("Phone number").fill("n/a")
    page.get_by_label("Postcode", exact=True).fill("ZZ1 1ZZ")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a UK phone number")
    expect(summary).to_contain_text("We do not recognise ZZ1 — check the postcode")
    expect(page.locator("#id_phone")).to_have_value("n/a")
    expect(page.get_by_label("First name")).to_have_value("Margaret")
    summary.get_by_role("link", name=re.compile("We do not recognise ZZ1")).click()
    expect(page.get_by_label("Postcode", exact=True)).to_be_focused()
    # A landline cannot take texts.
    page.get_by_label("Postcode", exact=True).fill("GU1 4AB")
    page.get_by_label("Phone number").fill("01483 123456")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a mobile number to send the carer text")


def test_check_your_answers_writes_dates_the_govuk_way_and_the_back_button_after_sending_says_so(
        page: Page, services, can_sign_in, personas):
    sign_in(page, personas.referrer)
    menu(page, "Write a prescription")
    fill_in_margarets_prescription(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    expect(page.get_by_text("14 March 1961")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Given verbally on \d{1,2} \w+ \d{4}$"))).to_be_visible()
    check_your_answers = page.url
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    page.goto(check_your_answers)  # as the back button does, once the browser asks the server again
    expect(page.get_by_role("heading", level=1)).to_have_text("This prescription has already been sent")
    reference = Prescription.objects.get(status="sent").reference
    page.get_by_role("link", name=f"Go to prescription {reference}").click()
    expect(page.get_by_text(f"Referral {reference}")).to_be_visible()


def test_a_stranger_with_another_carers_email_is_her_own_person_and_the_lead_reviews_the_likeness(
        page: Page, services, can_sign_in, personas, lead):
    sign_in(page, personas.referrer)
    for first_name, phone in (("Margaret", "07700 900123"), ("Maggie", "07700 900124")):
        menu(page, "Write a prescription")
        fill_in_margarets_prescription(page)
        page.get_by_label("First name").fill(first_name)
        page.get_by_label("Phone number").fill(phone)
        _choose_and_send(page)
    sign_out(page)
    assert Carer.objects.count() == 2 and PossibleDuplicate.objects.count() == 1

    sign_in(page, lead)
    # The coordinator sees each person under the name given for them.
    menu(page, "Referral inbox")
    expect(page.get_by_role("link", name="Maggie Okafor").first).to_be_visible()
    expect(page.get_by_role("link", name="Margaret Okafor").first).to_be_visible()
    menu(page, "Possible duplicates")
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible duplicate carers")
    page.get_by_role("link", name=re.compile("Maggie Okafor")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are these the same person?")
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether these records are the same person")
    # Both were sent to the same services, so a merge is refused until one is closed or withdrawn.
    page.get_by_label("The same person: merge the records").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Both records have an open referral to")
    page.get_by_label("Different people: keep both records").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Both records are kept as different people.")).to_be_visible()
    expect(page.get_by_text("There are no possible duplicates to review.")).to_be_visible()
    assert not Carer.objects.filter(merged_into__isnull=False).exists()


def test_a_carer_signed_in_sees_what_was_sent_and_whom_to_contact_not_the_staff_page(
        page: Page, services, can_sign_in, personas, client, needs):
    from tests.referrals.conftest import prescription_data

    client.force_login(personas.referrer)
    response = client.post(reverse("referrals:new"), prescription_data(needs))
    draft = Prescription.objects.get(pk=response["Location"].split("/")[3])
    client.post(reverse("referrals:draft_services", args=[draft.pk]), {"services": [str(services.breaks.pk)]})
    client.post(reverse("referrals:draft_check", args=[draft.pk]))
    draft.refresh_from_db()
    carer_user = factories.UserFactory(email="margaret@example.org")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=carer_user, email=carer_user.email, verified=True, primary=True)
    Carer.objects.filter(pk=draft.carer_id).update(user=carer_user)
    sign_in(page, carer_user)
    menu_links = page.get_by_role("navigation", name="Menu")
    expect(menu_links.get_by_role("link", name="Write a prescription")).to_have_count(0)
    page.goto(reverse("referrals:prescription", args=[draft.reference]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your carer's prescription")
    expect(page.get_by_text("Carers Breaks Guildford")).to_be_visible()
    expect(page.get_by_text("Husband has advanced dementia")).to_have_count(0)
    page.goto(reverse("referrals:inbox"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Page not found"))
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="How we contact you")).to_be_visible()


def test_the_coordinator_searches_for_a_service_to_suggest_and_the_gp_sees_it_offered_first(
        page: Page, services, can_sign_in, personas, needs, client):
    from tests.referrals.conftest import prescription_data

    factories.ServiceFactory(organisation=personas.other_charity, name="Woking Sitting Service",
                             needs=[needs["breaks-sitting"]], serves_whole_area=True)
    factories.ServiceFactory(organisation=personas.other_charity, name="Lantern Café for Carers",
                             needs=[needs["peer-support"]], serves_whole_area=True)
    client.force_login(personas.referrer)
    response = client.post(reverse("referrals:new"), prescription_data(needs))
    draft = Prescription.objects.get(pk=response["Location"].split("/")[3])
    client.post(reverse("referrals:draft_services", args=[draft.pk]), {"services": [str(services.breaks.pk)]})
    client.post(reverse("referrals:draft_check", args=[draft.pk]))
    client.logout()

    sign_in(page, personas.coordinator)
    menu(page, "Referral inbox")
    page.get_by_role("link", name="Margaret Okafor").click()
    page.get_by_text("Decline this referral").click()
    suggestions = page.get_by_role("group", name="Suggest another service (optional)")
    expect(suggestions.get_by_role("radio", name=re.compile("Woking Sitting Service"))).to_be_visible()
    page.get_by_label("Search for a service to suggest instead").fill("lantern")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("group", name="Why are you declining this referral?").get_by_label(
        "Another service would suit the carer better").check()
    page.get_by_role("group", name="Suggest another service (optional)").get_by_role(
        "radio", name=re.compile("Lantern Café for Carers")).check()
    page.get_by_role("button", name="Decline referral").click()
    expect(page.get_by_text("You have declined the referral")).to_be_visible()
    assert draft.referrals.get().suggested_service.name == "Lantern Café for Carers"


def test_drafts_are_listed_by_carer_and_date_and_deleted_after_asking(page: Page, services, can_sign_in, personas):
    sign_in(page, personas.referrer)
    menu(page, "Write a prescription")
    page.get_by_label("First name").fill("Dorothy")
    page.get_by_label("Last name").fill("Hale")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Your draft has been saved")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Dorothy Hale"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Saved \d{1,2} \w+ \d{4} at"))).to_be_visible()
    page.get_by_role("link", name="Delete the draft for Dorothy Hale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the draft for Dorothy Hale?")
    page.get_by_role("button", name="Delete draft").click()
    expect(page.get_by_text("The draft has been deleted.")).to_be_visible()
    assert not Prescription.objects.filter(status=Prescription.Status.DRAFT).exists()
