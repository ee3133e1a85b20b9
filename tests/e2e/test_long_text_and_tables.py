"""Long words and narrow screens: nothing a person types makes a page scroll sideways (WCAG 1.4.10 reflow).

A note, an accessibility need or an email address may be one unbroken "word" far wider than the screen;
it wraps wherever it must. The inbox and "My referrals" tables stack at 320 CSS pixels: each cell shows
its column's name, and the header row stays for screen readers.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from referrals.models import (
    ACCESSIBILITY_MAX,
    EVENT_NOTE_MAX,
    NAME_MAX,
    NOTE_MAX,
    Carer,
    Prescription,
    Referral,
    ReferralEvent,
)
from tests.e2e.test_referral_journeys import sign_in, sign_out
from tests.referrals.conftest import prescription_data

from .harness import assert_accessible, layout

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}
# 60 letters before the @, none of them a place to break a line.
LONG_EMAIL = f"{'m' * 60}@example.org"


def long_word(stem: str, length: int) -> str:
    """One word of `length` letters, `stem` over and over."""
    return (stem * (length // len(stem) + 1))[:length]


NOTE = long_word("Husbandhasadvanceddementia", NOTE_MAX)
ACCESSIBILITY_NEEDS = long_word("Largeprintandaquietroom", ACCESSIBILITY_MAX)
TIMELINE_NOTE = long_word("Nobodyansweredthephone", EVENT_NOTE_MAX)
LONG_SURNAME = long_word("Okaforwilliamsonsmith", NAME_MAX - 20)


def send(client, personas, services, needs, *, to: list, **carer) -> Prescription:
    """A prescription sent by the GP through the form, as a referrer would send it."""
    client.force_login(personas.referrer)
    draft_url = client.post(reverse("referrals:new"), prescription_data(needs, **carer))["Location"]
    draft = Prescription.objects.get(pk=draft_url.split("/")[3])
    client.post(reverse("referrals:draft_services", args=[draft.pk]), {"services": [str(s.pk) for s in to]})
    assert client.post(reverse("referrals:draft_check", args=[draft.pk])).status_code == 302
    client.logout()
    draft.refresh_from_db()
    assert draft.status == Prescription.Status.SENT
    return draft


def make_long(prescription: Prescription, **fields: str) -> None:
    """Write what no form would let through: the longest values the database takes, straight onto the
    prescription and onto its carer's record (the pages may show either)."""
    Prescription.objects.filter(pk=prescription.pk).update(**{
        ("note" if name == "note" else f"carer_{name}"): value for name, value in fields.items()})
    Carer.objects.filter(pk=prescription.carer_id).update(**{
        name: value for name, value in fields.items() if name != "note"})


@pytest.fixture
def long_text_prescription(client, personas, services, needs) -> Prescription:
    """Margaret's prescription, whose note, accessibility needs, name, email address and a timeline note are
    each one unbroken word — as long as the database allows."""
    prescription = send(client, personas, services, needs, to=[services.breaks, services.listening])
    make_long(prescription, note=NOTE, accessibility_needs=ACCESSIBILITY_NEEDS, email=LONG_EMAIL,
              last_name=LONG_SURNAME)
    referral = prescription.referrals.get(service=services.breaks)
    ReferralEvent.objects.create(prescription=prescription, referral=referral, actor=personas.coordinator,
                                 kind=ReferralEvent.Kind.CONTACT_ATTEMPT, note=TIMELINE_NOTE)
    return prescription


@pytest.fixture
def several_prescriptions(client, personas, services, needs) -> list[Prescription]:
    """Three prescriptions to the coordinator's services, one for a carer with a very long name."""
    margaret = send(client, personas, services, needs, to=[services.breaks, services.counselling])
    ade = send(client, personas, services, needs, to=[services.breaks], first_name="Ade", last_name="Bello",
               phone="07700 900999", postcode="GU2 7XH", urgency="urgent")
    long_name = send(client, personas, services, needs, to=[services.breaks, services.counselling],
                     first_name="Bartholomew", last_name="Okafor", phone="07700 900888")
    make_long(long_name, last_name=LONG_SURNAME, email=LONG_EMAIL)
    return [margaret, ade, long_name]


def sideways_scrolling(page: Page) -> str | None:
    """Why the page scrolls sideways at its current width, naming the widest culprits; None if it does not."""
    state = page.evaluate("""() => {
        const width = window.innerWidth;
        const root = document.documentElement;
        if (root.scrollWidth <= width) return null;
        // The text that reaches past the window's right edge, and the element it is in.
        const culprits = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        while (walker.nextNode() && culprits.length < 5) {
          range.selectNodeContents(walker.currentNode);
          const right = range.getBoundingClientRect().right;
          const el = walker.currentNode.parentElement;
          // Text for screen readers only is clipped to a pixel: it takes no room.
          if (right > width + 1 && !el.closest(".govuk-visually-hidden")) {
            culprits.push([el.tagName.toLowerCase(), ...el.classList].join(".")
                          + ` "${walker.currentNode.textContent.trim().slice(0, 20)}" to ${Math.round(right)}px`);
          }
        }
        return {scrollWidth: root.scrollWidth, width, culprits};
    }""")
    if state is None:
        return None
    return (f"{page.url} is {state['scrollWidth']}px wide in a {state['width']}px window; "
            f"widest: {', '.join(state['culprits'])}")


def assert_no_sideways_scrolling(page: Page) -> None:
    problems = []
    for viewport in (WIDE, NARROW):
        page.set_viewport_size(viewport)
        why = sideways_scrolling(page)
        if why:
            problems.append(f"At {viewport['width']}px: {why}")
        problems += [f"At {viewport['width']}px: content clipped in {element}" for element in layout(page).clipped]
    page.set_viewport_size(WIDE)
    assert not problems, "\n".join(problems)


def test_a_long_word_in_a_note_wraps_on_the_referrers_and_the_coordinators_pages(
        page: Page, long_text_prescription, can_sign_in, personas, services):
    prescription = long_text_prescription
    sign_in(page, personas.referrer)
    page.goto(reverse("referrals:prescription", args=[prescription.reference]))
    expect(page.get_by_text(f"Referral {prescription.reference}")).to_be_visible()
    assert_no_sideways_scrolling(page)
    page.goto(reverse("referrals:summary", args=[prescription.reference]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your carer's prescription")
    assert_no_sideways_scrolling(page)
    sign_out(page)

    sign_in(page, personas.coordinator)
    referral = prescription.referrals.get(service=services.breaks)
    page.goto(reverse("referrals:referral", args=[referral.pk]))
    expect(page.get_by_text(f"Referral {prescription.reference} to Carers Breaks Guildford")).to_be_visible()
    # The long words are on the page, whole (wrapped, not cut short).
    for text in (f"Margaret {LONG_SURNAME}", NOTE, ACCESSIBILITY_NEEDS, LONG_EMAIL, TIMELINE_NOTE):
        expect(page.get_by_text(text, exact=True).first).to_be_visible()
    assert_no_sideways_scrolling(page)


def stacked_cells(page: Page) -> list[dict]:
    """Each body cell of the page's table: how it is displayed and the column name it shows."""
    return page.locator("table tbody td").evaluate_all("""(cells) => cells.map((td) => ({
        display: getComputedStyle(td).display,
        label: td.dataset.label || null,
        shown: getComputedStyle(td, "::before").content,
    }))""")


def assert_table_reflows(page: Page, columns: list[str]) -> None:
    headers = page.get_by_role("columnheader")
    page.set_viewport_size(WIDE)
    expect(headers.first).to_be_visible()
    cells = stacked_cells(page)
    assert cells and all(cell["display"] == "table-cell" and cell["shown"] == "none" for cell in cells), cells

    page.set_viewport_size(NARROW)
    why = sideways_scrolling(page)
    assert why is None, f"At 320px: {why}"
    assert not layout(page).clipped, layout(page).clipped
    cells = stacked_cells(page)
    assert cells and all(cell["display"] == "block" for cell in cells), cells
    # Every cell names its column, as its header does; the header row stays for screen readers.
    assert {cell["label"] for cell in cells} == set(columns)
    assert all(cell["shown"].startswith(f'"{cell["label"]}"') for cell in cells), cells
    assert headers.all_inner_texts() == columns
    assert_accessible(page)  # stacked, too
    page.set_viewport_size(WIDE)


def test_inbox_and_my_referrals_tables_reflow_at_320_css_pixels(page: Page, several_prescriptions, can_sign_in,
                                                                   personas):
    sign_in(page, personas.coordinator)
    page.goto(reverse("referrals:inbox"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral inbox")
    expect(page.get_by_role("link", name=f"Bartholomew {LONG_SURNAME}")).to_have_count(2)
    assert Referral.objects.count() == 5
    assert_table_reflows(page, ["Carer", "Service", "Urgency", "Received", "Status"])
    sign_out(page)

    sign_in(page, personas.referrer)
    page.goto(reverse("referrals:mine"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My referrals")
    expect(page.get_by_text(f"Bartholomew {LONG_SURNAME}")).to_be_visible()
    assert_table_reflows(page, ["Reference", "Carer", "Sent", "Services"])
