"""Directory results over several pages: services nearby first, then those reaching the carer by phone,
online or across the whole area under their own heading, and GOV.UK pagination that meets contrast.
axe-core checks every page shown (see harness.py)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

REMOTE = "Also available by phone or online"


def test_results_on_several_pages_show_nearby_services_first_and_page_accessibly(page: Page, directory, settings):
    settings.DIRECTORY_PAGE_SIZE = 3
    page.goto("/directory/")
    page.get_by_label("Postcode", exact=True).fill("GU1 4AB")
    page.get_by_role("button", name="Search", exact=True).click()

    # Page 1: the two services in Guildford, then the first of those reaching GU1 another way.
    expect(page.get_by_role("heading", level=2, name="5 services found")).to_be_visible()
    nearby = page.get_by_role("list", name="5 services found", exact=True).get_by_role("listitem")
    expect(nearby).to_have_count(2)
    expect(nearby.first).to_contain_text("Under 1 mile from GU1")
    expect(page.get_by_role("heading", level=3, name=REMOTE)).to_be_visible()
    expect(page.get_by_text("Including services that cover the whole partnership area")).to_be_visible()
    remote = page.get_by_role("list", name=f"5 services found {REMOTE}").get_by_role("listitem")
    expect(remote).to_have_count(1)
    expect(remote.get_by_role("heading", level=4)).to_have_text("Countywide Carers Assessment")

    pages = page.get_by_role("navigation", name="Results pages")
    expect(pages.get_by_role("link", name="Page 1 of 2")).to_have_attribute("aria-current", "page")
    pages.get_by_role("link", name="Next page").click()

    # Page 2 begins inside the second group, so it begins with its heading.
    expect(page.get_by_text("Showing 4 to 5")).to_be_visible()
    expect(page.get_by_role("list", name="5 services found", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", level=3, name=REMOTE)).to_be_visible()
    remote = page.get_by_role("list", name=f"5 services found {REMOTE}").get_by_role("listitem")
    expect(remote.get_by_role("heading", level=4)).to_have_text(["Short Breaks Grants", "Surrey Carers Helpline"])
    expect(pages.get_by_role("link", name="Page 2 of 2")).to_have_attribute("aria-current", "page")
    pages.get_by_role("link", name="Page 1", exact=True).click()
    expect(pages.get_by_role("link", name="Page 1 of 2")).to_have_attribute("aria-current", "page")


def test_within_a_distance_a_service_further_away_is_not_listed(page: Page, directory):
    page.goto("/directory/")
    page.get_by_label("Postcode", exact=True).fill("GU21 6AA")  # Woking
    page.get_by_label("Distance").select_option("1 mile")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page.get_by_role("link", name="Carers Counselling")).to_be_visible()  # in Woking
    expect(page.get_by_role("link", name="Guildford Respite Sitters")).to_have_count(0)  # 6 miles away
    expect(page.get_by_role("heading", level=3, name=REMOTE)).to_be_visible()
    expect(page.get_by_role("link", name="Surrey Carers Helpline")).to_be_visible()  # by phone
