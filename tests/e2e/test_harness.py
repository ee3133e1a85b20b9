"""The harness itself: it must see what it claims to see, or every green run means nothing."""

from __future__ import annotations

from playwright.sync_api import Page, Route, expect

from .harness import audit_of, layout, off_screen, press

BROKEN_PAGE = """<!DOCTYPE html>
<html>
<head><title>Broken on purpose</title></head>
<body>
  <main>
    <h1>Broken on purpose</h1>
    <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
    <p style="color: #bbbbbb; background: #ffffff">Pale grey text on white</p>
    <input type="text" name="unlabelled">
    <button type="button" style="outline: none; box-shadow: none">No focus style</button>
  </main>
</body>
</html>"""


CRAMPED_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><title>Cramped</title></head><body><main>
  <h1>Cramped</h1>
  <p style="width: 200px; overflow: hidden; white-space: nowrap">A sentence far too long for its box, cut off</p>
  <div style="width: 2000px">Wider than any viewport</div>
</main></body></html>"""

FINE_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><title>Fine</title></head><body><main><h1>Fine</h1></main></body></html>"""


def serve_broken_page(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html; charset=utf-8", body=BROKEN_PAGE)


def serve_cramped_page(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html; charset=utf-8", body=CRAMPED_PAGE)


def serve_fine_page(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html; charset=utf-8", body=FINE_PAGE)


def test_axe_runs_before_the_test_acts_on_a_page_and_reports_rule_impact_and_elements(offline_page: Page):
    page = offline_page
    page.route("**/harness/broken", serve_broken_page)
    page.goto("/harness/broken")
    expect(page.get_by_role("heading", name="Broken on purpose")).to_be_visible()

    audit = audit_of(page)
    found = {violation.rule: violation for violation in audit.violations}
    assert {"html-has-lang", "image-alt", "color-contrast", "label"} <= set(found)
    assert found["image-alt"].impact == "critical"
    assert found["image-alt"].targets == ["img"]
    assert found["label"].targets == ["input"]
    assert audit.checked == ["/harness/broken"]
    report = "\n".join(audit.problems())
    assert "image-alt (critical) on /harness/broken" in report
    assert "    - img" in report.splitlines()
    audit.violations.clear()  # seen and asserted: not a failure of this test


def test_a_page_left_without_being_checked_is_reported(offline_page: Page):
    page = offline_page
    page.route("**/harness/broken", serve_broken_page)
    page.route("**/harness/fine", serve_fine_page)
    page.goto("/harness/broken")
    page.goto("/harness/fine")  # no action on the broken page: the locator handler never ran
    expect(page.get_by_role("heading", level=1)).to_have_text("Fine")

    audit = audit_of(page)
    assert audit.shown == ["/harness/broken", "/harness/fine"]
    assert audit.checked == ["/harness/fine"]
    assert any("shown but never checked" in problem for problem in audit.problems())
    audit.shown.remove("/harness/broken")  # seen and asserted: not a failure of this test


def test_focus_without_a_visible_style_is_caught(offline_page: Page):
    page = offline_page
    page.route("**/harness/broken", serve_broken_page)
    page.goto("/harness/broken")
    press(page, "Tab")
    focus = press(page, "Tab")

    assert focus is not None and focus.name == "No focus style"
    assert not focus.visible
    audit_of(page).check()
    audit_of(page).violations.clear()


def test_horizontal_scrolling_clipped_text_and_content_off_screen_are_found(offline_page: Page):
    page = offline_page
    page.route("**/harness/cramped", serve_cramped_page)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/harness/cramped")
    expect(page.get_by_role("heading", name="Cramped")).to_be_visible()

    state = layout(page)
    assert state.scroll_width > 320
    assert state.clipped == ['p: "A sentence far too long for its box, cut off"']
    assert off_screen(page.get_by_text("Wider than any viewport"), 320).startswith("outside the viewport")
    assert off_screen(page.get_by_role("heading", name="Cramped"), 320) is None
