"""What every browser test shares: axe-core on each page shown, focus and layout checks.

axe-core is loaded into every document a test's page shows, and each document is checked against
WCAG 2.2 AA before the test acts on it: a Playwright locator handler fires whenever an action or
an auto-waiting assertion meets a document that has not been checked yet, runs axe, then marks
the document. A page only read through the keyboard is checked with `assert_accessible(page)`;
the page on screen when the test ends is checked then; a page shown but never checked fails the
test, so nothing slips through unseen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA; no rule or page is left out.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AUDITED_ATTRIBUTE = "data-e2e-audited"
# GOV.UK Design System's focus colour, $govuk-focus-colour (#ffdd00).
FOCUS_YELLOW = "rgb(255, 221, 0)"

_AUDIT_JS = """
async ({tags, attribute}) => {
  if (document.readyState !== "complete") {
    // Check the page as people see it: styles and fonts loaded.
    await new Promise((resolve) => {
      window.addEventListener("load", resolve, {once: true});
      setTimeout(resolve, 5000);
    });
  }
  const root = document.documentElement;
  const first = !root.hasAttribute(attribute);
  const results = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  root.setAttribute(attribute, "");
  return {
    first,
    url: location.href,
    title: document.title,
    violations: results.violations.map((rule) => ({
      id: rule.id,
      impact: rule.impact,
      help: rule.help,
      helpUrl: rule.helpUrl,
      targets: rule.nodes.map((node) => node.target.join(" ")),
    })),
  };
}
"""


@dataclass
class Violation:
    url: str
    title: str
    rule: str
    impact: str
    help: str
    help_url: str
    targets: list[str]

    def describe(self) -> str:
        lines = [f"  {self.rule} ({self.impact}) on {self.url} [{self.title}]: {self.help}", f"    {self.help_url}"]
        lines += [f"    - {target}" for target in self.targets]
        return "\n".join(lines)


@dataclass
class AccessibilityAudit:
    """axe-core for one page (tab): every document it shows is checked once."""

    page: Page
    shown: list[str] = field(default_factory=list)  # documents loaded, in order
    checked: list[str] = field(default_factory=list)  # documents checked, in order
    violations: list[Violation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.add_locator_handler(
            self.page.locator(f"html:not([{AUDITED_ATTRIBUTE}])"), self._check_before_acting
        )
        self.page.on("domcontentloaded", self._document_shown)

    def _document_shown(self, page: Page) -> None:
        if page.url.startswith("http"):
            self.shown.append(_path(page.url))

    def _check_before_acting(self) -> None:
        # A locator handler must not raise: record, and let the test report it when it ends.
        try:
            self.check()
        except PlaywrightError as error:
            self.errors.append(f"{_path(self.page.url)}: axe-core could not run: {error.message.splitlines()[0]}")
            # Mark the document anyway, or Playwright would wait for the handler forever.
            try:
                self.page.evaluate(f"document.documentElement.setAttribute('{AUDITED_ATTRIBUTE}', '')")
            except PlaywrightError:
                pass

    def check(self) -> list[Violation]:
        """Run axe-core on the document shown now; return (and keep) what it found."""
        if not self.page.url.startswith("http"):
            return []
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Not there from the context's init script (a page opened some other way): add it now,
            # and take the script element away again so the page's markup stays as it was.
            self.page.add_script_tag(path=AXE_SCRIPT).evaluate("script => script.remove()")
        result = self.page.evaluate(_AUDIT_JS, {"tags": WCAG_TAGS, "attribute": AUDITED_ATTRIBUTE})
        url = _path(result["url"])
        found = [
            Violation(url=url, title=result["title"], rule=item["id"], impact=item["impact"] or "unknown",
                      help=item["help"], help_url=item["helpUrl"], targets=item["targets"])
            for item in result["violations"]
        ]
        if result["first"]:
            self.checked.append(url)
        known = {(v.url, v.rule, tuple(v.targets)) for v in self.violations}
        self.violations += [v for v in found if (v.url, v.rule, tuple(v.targets)) not in known]
        return found

    def finish(self) -> None:
        """Check the document left on screen, and that no document went unchecked."""
        if not self.page.is_closed() and self.page.url.startswith("http"):
            if not self.page.evaluate(f"document.documentElement.hasAttribute('{AUDITED_ATTRIBUTE}')"):
                self._check_before_acting()

    def problems(self) -> list[str]:
        problems = list(self.errors)
        if self.violations:
            problems.append(
                f"axe-core found {len(self.violations)} accessibility violation(s) of WCAG 2.2 AA:\n"
                + "\n".join(violation.describe() for violation in self.violations)
            )
        if len(self.checked) < len(self.shown):
            problems.append(
                "Some pages were shown but never checked with axe-core (act on a page, or call "
                "assert_accessible(page), before leaving it).\n"
                f"  shown:   {self.shown}\n  checked: {self.checked}"
            )
        return problems


def _path(url: str) -> str:
    """The address without the live server's origin, which changes from run to run."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


_AUDITS: dict[int, AccessibilityAudit] = {}


def start_audit(page: Page) -> AccessibilityAudit:
    """Check every document the page shows from now on; axe-core (and the focus helpers below)
    are loaded into each of them.

    An init script costs one transfer per context, where a script tag per document costs one
    per page shown; the context is opened with bypass_csp so the strict policy does not block it.
    """
    page.context.add_init_script(path=AXE_SCRIPT)
    page.context.add_init_script(script=FOCUS_SCRIPT)
    audit = _AUDITS[id(page)] = AccessibilityAudit(page)
    return audit


def stop_audit(page: Page) -> None:
    _AUDITS.pop(id(page), None)


def audit_of(page: Page) -> AccessibilityAudit:
    return _AUDITS[id(page)]


def assert_accessible(page: Page) -> None:
    """Check the document shown now with axe-core and fail at once on any violation."""
    found = audit_of(page).check()
    assert not found, "axe-core found accessibility violations of WCAG 2.2 AA:\n" + "\n".join(
        violation.describe() for violation in found
    )


# --- Keyboard focus -------------------------------------------------------------------------------

# Installed in every document: a record of how each focusable element looks unfocused (taken at
# load, then after each key press), and a report on the focused element. An outline counts when
# it can be seen: at least 2px and not transparent (GOV.UK's transparent outline only shows in
# forced-colour modes; Chromium's default 1px ring is easily missed). GOV.UK's checkboxes and
# radios are drawn by their label's ::before, so that is where their focus shows.
FOCUS_SCRIPT = """
(() => {
  const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";
  const signature = (node, pseudo) => {
    const s = getComputedStyle(node, pseudo);
    const transparent = s.outlineColor === "transparent" || /rgba\\(.*, 0\\)$/.test(s.outlineColor);
    const outline = s.outlineStyle === "none" || parseFloat(s.outlineWidth) < 2 || transparent
      ? "none" : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`;
    return {outline, boxShadow: s.boxShadow, background: s.backgroundColor, border: s.borderColor,
            hidden: s.opacity === "0"};
  };
  const parts = (el) => [[el, null], ...(el.matches('input[type="checkbox"], input[type="radio"]')
    ? Array.from(el.labels, (label) => [label, "::before"]) : [])];
  const unfocused = new Map();
  const reached = new Set();
  const remember = () => {
    for (const el of document.querySelectorAll(FOCUSABLE)) {
      if (el !== document.activeElement) unfocused.set(el, parts(el).map(([n, p]) => signature(n, p)));
    }
  };
  window.addEventListener("load", remember);
  window.__e2eReached = reached;
  window.__e2eFocus = () => {
    const el = document.activeElement;
    let report = null;
    if (el && el !== document.body && el !== document.documentElement) {
      reached.add(el);
      const before = unfocused.get(el) || [];
      const reasons = [];
      parts(el).forEach(([node, pseudo], index) => {
        const now = signature(node, pseudo);
        if (now.hidden) return;
        const where = pseudo ? "its label's box" : "it";
        for (const property of ["outline", "boxShadow", "background", "border"]) {
          if (now[property].includes("FOCUS_YELLOW")) reasons.push(`${where} has the focus colour in ${property}`);
        }
        const was = before[index];
        if (was && ((now.outline !== "none" && now.outline !== was.outline)
                    || (now.boxShadow !== "none" && now.boxShadow !== was.boxShadow))) {
          reasons.push(`${where} has an outline or box-shadow it has not when unfocused`);
        }
      });
      const label = (el.labels && el.labels.length ? el.labels[0].innerText : "")
        || el.getAttribute("aria-label") || el.innerText || el.value || "";
      const name = label.trim().replace(/\\s+/g, " ");
      const kind = el.tagName.toLowerCase() + (el.type ? `[type=${el.type}]` : "");
      report = {element: `${kind} "${name}"`, name, visible: reasons.length > 0, reasons};
    }
    remember();
    return report;
  };
})();
""".replace("FOCUS_YELLOW", FOCUS_YELLOW)


@dataclass
class Focus:
    element: str  # for messages: tag, type and label
    name: str
    visible: bool
    reasons: list[str]


def press(page: Page, key: str) -> Focus | None:
    """Press a key and report where focus went and whether a sighted keyboard user can see it."""
    page.keyboard.press(key)
    return focused(page)


def focused(page: Page) -> Focus | None:
    state = page.evaluate("window.__e2eFocus()")
    return Focus(**state) if state else None


def assert_focus_visible(focus: Focus | None, step: str) -> None:
    assert focus is not None, f"{step}: nothing has focus"
    assert focus.visible, f"{step}: focus on {focus.element} is not visible (no focus style found)"


def controls_not_reached(form: Locator) -> list[str]:
    """The form's controls that have not had keyboard focus since the page loaded."""
    return form.evaluate(
        """(form) => Array.from(form.querySelectorAll("a[href], button, input, select, textarea"))
             .filter((el) => el.type !== "hidden" && !el.disabled && !window.__e2eReached.has(el))
             .map((el) => (el.labels && el.labels.length ? el.labels[0].innerText : el.innerText || el.name).trim())"""
    )


# --- Layout -------------------------------------------------------------------------------------

_LAYOUT_JS = """
() => {
  const root = document.documentElement;
  const clipped = [];
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (!["hidden", "clip"].includes(style.overflowX) && !["hidden", "clip"].includes(style.overflowY)) continue;
    const box = el.getBoundingClientRect();
    // Visually hidden text (for screen readers) is clipped to 1px on purpose.
    if (box.width <= 1 || box.height <= 1 || style.visibility === "hidden" || style.display === "none") continue;
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
      const name = [el.tagName.toLowerCase(), ...el.classList].join(".");
      clipped.push(`${name}: "${el.innerText.slice(0, 60)}"`);
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, clipped};
}
"""


@dataclass
class Layout:
    scroll_width: int
    client_width: int
    clipped: list[str]


def layout(page: Page) -> Layout:
    state = page.evaluate(_LAYOUT_JS)
    return Layout(scroll_width=state["scrollWidth"], client_width=state["clientWidth"], clipped=state["clipped"])


def off_screen(locator: Locator, width: int) -> str | None:
    """Why a piece of key content cannot be seen whole in a viewport `width` wide, or None."""
    if not locator.is_visible():
        return "not visible"
    box = locator.bounding_box()
    if box is None:
        return "not rendered"
    if box["x"] < 0 or box["x"] + box["width"] > width + 1:
        return f"outside the viewport horizontally (x={box['x']:.0f}, width={box['width']:.0f})"
    return None
