"""The README's screenshots, taken from the running app: `make screenshots` writes them.

Without SCREENSHOTS_DIR the pages are still visited, checked and photographed; nothing is written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def screenshots_dir(pytestconfig) -> Path | None:
    value = os.environ.get("SCREENSHOTS_DIR")
    if not value:
        return None
    folder = Path(value) if Path(value).is_absolute() else pytestconfig.rootpath / value
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def photograph(page: Page, folder: Path | None, name: str) -> None:
    picture = page.screenshot(path=folder / name if folder else None, animations="disabled", caret="hide")
    assert picture.startswith(PNG_SIGNATURE)
    assert len(picture) > 10_000, f"{name} looks blank"


def test_directory_search_and_service_page_screenshots(page: Page, directory, screenshots_dir):
    page.goto("/directory/")
    page.get_by_label("Breaks and respite").check()
    page.get_by_label("Emotional support and counselling").check()
    page.get_by_label("Postcode", exact=True).fill("GU1 4AB")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="4 services found")).to_be_visible()
    photograph(page, screenshots_dir, "directory-search.png")

    page.get_by_role("link", name="Guildford Respite Sitters").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Guildford Respite Sitters")
    photograph(page, screenshots_dir, "service-page.png")
