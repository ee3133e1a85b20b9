"""WCAG 1.4.10 reflow (320 CSS pixels wide) and 1.4.4 resize text (200 %), over the main pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from .harness import layout, off_screen


@dataclass
class MainPage:
    name: str
    path: str
    key_content: Callable[[Page], list[Locator]]


@pytest.fixture
def main_pages(directory, needs) -> list[MainPage]:
    service = directory["respite"]
    return [
        MainPage("home", "/", lambda page: [
            page.get_by_role("heading", level=1, name="Support for unpaid carers"),
            page.get_by_role("button", name="Find support"),
        ]),
        MainPage("directory search with results", f"/directory/?needs={needs['breaks'].pk}&postcode=GU1+4AB",
                 lambda page: [
                     page.get_by_role("heading", level=1, name="Find support for carers"),
                     page.get_by_label("Postcode", exact=True),
                     page.get_by_role("button", name="Search", exact=True),
                     page.get_by_role("heading", name="2 services found"),
                     page.get_by_role("link", name="Guildford Respite Sitters"),
                 ]),
        MainPage("service", service.get_absolute_url(), lambda page: [
            page.get_by_role("heading", level=1, name="Guildford Respite Sitters"),
            page.get_by_role("heading", name="About the service"),
            page.get_by_role("heading", name="Contact"),
            page.get_by_role("link", name="sitters@weyvalleycarers.example"),
        ]),
        MainPage("organisation", service.organisation.get_absolute_url(), lambda page: [
            page.get_by_role("heading", level=1, name="Wey Valley Carers Centre"),
            page.get_by_role("link", name="https://weyvalleycarers.example"),
            page.get_by_role("heading", name="Services"),
        ]),
        MainPage("sign in", "/accounts/login/", lambda page: [
            page.get_by_role("heading", level=1),
            page.get_by_label("Password", exact=True),
            page.get_by_role("button", name="Sign in"),
        ]),
        MainPage("accessibility statement", "/accessibility", lambda page: [
            page.get_by_role("heading", level=1, name="Accessibility statement"),
            page.get_by_role("heading", name="Reporting accessibility problems"),
        ]),
    ]


def content_problems(page: Page, main_page: MainPage, width: int) -> list[str]:
    problems = []
    state = layout(page)
    if state.scroll_width > width:
        problems.append(f"{main_page.name}: scrolls horizontally ({state.scroll_width}px of content in {width}px)")
    problems += [f"{main_page.name}: content clipped in {element}" for element in state.clipped]
    for locator in main_page.key_content(page):
        why = off_screen(locator, width)
        if why:
            problems.append(f"{main_page.name}: {locator} is {why}")
    return problems


def test_main_pages_reflow_at_320_css_pixels_without_horizontal_scrolling(page: Page, main_pages):
    page.set_viewport_size({"width": 320, "height": 640})
    for main_page in main_pages:
        page.goto(main_page.path)
        expect(main_page.key_content(page)[0]).to_be_visible()
        problems = content_problems(page, main_page, 320)
        assert not problems, "At 320px wide:\n" + "\n".join(problems)


def test_main_pages_keep_all_content_at_200_percent_text_size(page: Page, main_pages):
    for main_page in main_pages:
        page.goto(main_page.path)
        heading = main_page.key_content(page)[0]
        expect(heading).to_be_visible()
        normal_size = heading.evaluate("h => parseFloat(getComputedStyle(h).fontSize)")
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        zoomed_size = heading.evaluate("h => parseFloat(getComputedStyle(h).fontSize)")
        assert zoomed_size >= 1.9 * normal_size, f"{main_page.name}: text stayed {zoomed_size}px, was {normal_size}px"
        problems = content_problems(page, main_page, page.viewport_size["width"])
        assert not problems, "At 200% text size:\n" + "\n".join(problems)
