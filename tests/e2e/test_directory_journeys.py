"""Finding support in the directory, as a person does it: by labels, roles and the words on the page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_person_finds_a_service_by_need_and_postcode_and_sees_why_it_matched(page: Page, directory):
    page.goto("/")
    page.get_by_role("button", name="Find support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find support for carers")

    page.get_by_label("Breaks and respite").check()
    page.get_by_label("Postcode", exact=True).fill("GU1 4AB")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page.get_by_role("heading", name="2 services found")).to_be_visible()
    results = page.get_by_role("list", name="2 services found").get_by_role("listitem")
    expect(results).to_have_count(2)
    respite = results.filter(has=page.get_by_role("link", name="Guildford Respite Sitters"))
    expect(respite).to_contain_text("Why it matched: Covers breaks and respite · Under 1 mile from GU1 · Serves GU1")
    grants = results.filter(has=page.get_by_role("link", name="Short Breaks Grants"))
    expect(grants).to_contain_text("Covers short breaks")
    expect(grants).to_contain_text("Serves the whole partnership area")
    expect(page.get_by_role("link", name="Redhill Breaks")).to_have_count(0)  # serves RH1 only

    respite.get_by_role("link", name="Guildford Respite Sitters").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Guildford Respite Sitters")
    expect(page).to_have_title(re.compile("^Guildford Respite Sitters – Wey Valley Carers Centre"))
    expect(page.get_by_text("Accepting referrals")).to_be_visible()
    contact = page.get_by_role("complementary", name="Contact")
    expect(contact.get_by_role("link", name="01483 555 011")).to_be_visible()

    contact.get_by_role("link", name="Wey Valley Carers Centre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wey Valley Carers Centre")
    expect(page.get_by_role("link", name="Carers' Wellbeing Café")).to_be_visible()


def test_invalid_postcode_is_explained_in_the_summary_and_next_to_the_field(page: Page, directory):
    page.goto("/directory/")
    postcode = page.get_by_label("Postcode", exact=True)
    postcode.fill("NOT A POSTCODE")
    page.get_by_role("button", name="Search", exact=True).click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary_link = summary.get_by_role("link", name="Enter a real postcode, like GU1 4AB, or the first half of it")
    expect(summary_link).to_be_visible()
    # The message next to the field, announced with it, and what was typed is kept.
    expect(page.get_by_text("Error: Enter a real postcode, like GU1 4AB")).to_be_visible()
    expect(postcode).to_have_accessible_description(re.compile("Enter a real postcode, like GU1 4AB"))
    expect(postcode).to_have_value("NOT A POSTCODE")
    expect(page).to_have_title(re.compile("error", re.IGNORECASE))

    summary_link.click()
    expect(postcode).to_be_focused()


def test_empty_search_shows_guidance_on_what_to_search_for(page: Page, directory):
    page.goto("/directory/")
    expect(page.get_by_text("To find support:")).to_be_visible()

    page.get_by_role("button", name="Search", exact=True).click()

    expect(page.get_by_role("heading", name="Choose what to search for")).to_be_visible()
    expect(page.get_by_text("Type a word, choose what support is needed, or enter a postcode")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
