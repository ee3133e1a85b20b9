"""Signing in and out with the demo login (django-allauth)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD


def test_staff_member_signs_in_and_out(page: Page, frontline_worker):
    page.goto("/")
    account = page.get_by_role("navigation", name="Account")
    account.get_by_role("link", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Sign in$", re.IGNORECASE))
    page.get_by_role("textbox", name=re.compile(r"^Email( address)?$")).fill(frontline_worker.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name=re.compile("^Sign in$", re.IGNORECASE)).click()

    expect(account).to_contain_text(frontline_worker.display_name)
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()
    expect(account.get_by_role("link", name="Sign in")).to_have_count(0)

    account.get_by_role("button", name="Sign out").click()

    expect(account.get_by_role("link", name="Sign in")).to_be_visible()
    expect(account).not_to_contain_text(frontline_worker.display_name)
