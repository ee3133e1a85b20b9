"""The directory search with the keyboard alone: Tab, Shift+Tab, Enter and Space, never the mouse."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .harness import Focus, assert_accessible, assert_focus_visible, controls_not_reached, press

MAX_TABS = 80


def tab_until(page: Page, key: str, name: str, why: str) -> Focus:
    """Press Tab (or Shift+Tab) until the control called `name` has focus, each stop visibly focused."""
    steps: list[str] = []
    for _ in range(MAX_TABS):
        focus = press(page, key)
        assert_focus_visible(focus, f"{why}, after {key} from {steps[-1] if steps else 'the start'}")
        steps.append(focus.element)
        if focus.name == name:
            return focus
    raise AssertionError(f"{why}: {name!r} not reached with {key} in {MAX_TABS} presses; went through {steps}")


def test_directory_search_works_with_the_keyboard_alone(page: Page, directory):
    page.goto("/directory/")
    search_form = page.get_by_role("search", name="Directory")
    expect(search_form).to_be_visible()

    # The skip link is the first stop, and using it takes focus past the header to the content.
    skip_link = press(page, "Tab")
    assert_focus_visible(skip_link, "First Tab")
    assert skip_link.name == "Skip to main content"
    press(page, "Enter")
    # GOV.UK Frontend focuses <main> without an outline: it is a landmark, not a control.
    expect(page.get_by_role("main")).to_be_focused()
    expect(page).to_have_url(re.compile("#main-content$"))

    # Every control of the search form, in order, each visibly focused.
    first = press(page, "Tab")
    assert_focus_visible(first, "Tab after the skip link")
    expect(page.get_by_label("Search", exact=True)).to_be_focused()
    tab_until(page, "Tab", "Search", "Tabbing through the search form")
    expect(page.get_by_role("button", name="Search", exact=True)).to_be_focused()
    assert controls_not_reached(search_form) == []

    # Back to a need, ticked with Space; back to the postcode, typed; Enter searches.
    tab_until(page, "Shift+Tab", "Breaks and respite", "Shift+Tab back to a need")
    breaks = page.get_by_label("Breaks and respite")
    expect(breaks).not_to_be_checked()
    assert_focus_visible(press(page, "Space"), "Space on a need")
    expect(breaks).to_be_checked()
    tab_until(page, "Shift+Tab", "Postcode", "Shift+Tab back to the postcode")
    page.keyboard.type("GU1 4AB")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="2 services found")).to_be_visible()
    expect(page.get_by_label("Breaks and respite")).to_be_checked()
    expect(page.get_by_label("Postcode", exact=True)).to_have_value("GU1 4AB")

    # From the top of the results page to the first result, then open it.
    tab_until(page, "Tab", "Guildford Respite Sitters", "Tabbing to the first result")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Guildford Respite Sitters")
    assert_accessible(page)
