"""Browser tests: Debian's Chromium, driven by Playwright, against the app under pytest-django's live_server.

One browser per test session (per xdist worker), a fresh context and page per test. Every document a
page shows is checked with axe-core (see harness.py); a failing test leaves a screenshot and the
page's HTML under test-artifacts/<test name>/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError
from pytest_django import DjangoDbBlocker

from organisations.models import ConditionGroup, Organisation, Service
from partnership.models import User

from .. import factories
from ..reference_data import load_reference_data
from .harness import audit_of, start_audit, stop_audit

# Playwright's sync API runs an event loop in this thread; the test's own database calls are
# still synchronous, so Django must be told not to refuse them.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
OFFLINE_ORIGIN = "http://harness.test"
ARTIFACTS_DIR = "test-artifacts"
PAGES = pytest.StashKey[list[Page]]()


def pytest_itemcollected(item: pytest.Item) -> None:
    # Called only for tests under this directory: each one is a browser test.
    item.add_marker(pytest.mark.e2e)


# --- Browser, context, page ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's Chromium", pytrace=False)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, live_server) -> dict:
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": VIEWPORT,
        "locale": "en-GB",
        "timezone_id": "Europe/London",
        # The app sends a strict Content-Security-Policy, which would refuse the injected axe-core.
        "bypass_csp": True,
    }


@pytest.fixture
def page(page: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new page in a new context on the live server, its every document checked with axe-core."""
    yield from _audited(page, request)


@pytest.fixture
def offline_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page whose every response the test provides: no live server, no database."""
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True, base_url=OFFLINE_ORIGIN)
    context.route(f"{OFFLINE_ORIGIN}/**", lambda route: route.abort())  # unless the test routes it first
    yield from _audited(context.new_page(), request)
    context.close()


def _audited(page: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    page.set_default_timeout(10_000)
    start_audit(page)
    request.node.stash.setdefault(PAGES, []).append(page)
    yield page
    stop_audit(page)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    # The test passed: check the page it ended on, then fail on anything axe-core found.
    problems: list[str] = []
    for page in item.stash.get(PAGES, []):
        audit = audit_of(page)
        audit.finish()
        problems += audit.problems()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        pages = [page for page in item.stash.get(PAGES, []) if not page.is_closed()]
        if pages:
            report.sections.append(("Browser artifacts", "\n".join(_save_artifacts(item, pages))))
        if call.excinfo is not None and not call.excinfo.errisinstance(pytest.fail.Exception):
            problems = [problem for page in pages for problem in audit_of(page).problems()]
            if problems:
                report.sections.append(("Accessibility (axe-core) before the failure", "\n\n".join(problems)))
    return report


def _save_artifacts(item: pytest.Item, pages: list[Page]) -> list[str]:
    folder = item.config.rootpath / ARTIFACTS_DIR / re.sub(r"[^\w.-]+", "-", item.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    lines = []
    for number, page in enumerate(pages, start=1):
        stem = "page" if len(pages) == 1 else f"page-{number}"
        screenshot, html = folder / f"{stem}.png", folder / f"{stem}.html"
        try:
            page.screenshot(path=screenshot, full_page=True)
            html.write_text(page.content(), encoding="utf-8")
        except PlaywrightError as error:
            lines.append(f"Could not save {page.url}: {error.message.splitlines()[0]}")
            continue
        lines += [f"Page:       {page.url}",
                  f"Screenshot: {screenshot.relative_to(item.config.rootpath)}",
                  f"HTML:       {html.relative_to(item.config.rootpath)}"]
    return lines


# --- Database -----------------------------------------------------------------------------------

DB_BLOCKER = pytest.StashKey[DjangoDbBlocker]()


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest, django_db_blocker: DjangoDbBlocker) -> None:
    """A live-server test is transactional: it sees committed data, and ends by emptying every table.

    So the rows the migrations load are put back before it, and again after it (see
    pytest_runtest_teardown) for whichever test this worker runs next. Loading them only when
    missing costs far less than serialized rollback, which reloads the whole database row by row.
    """
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    load_reference_data()
    request.node.stash[DB_BLOCKER] = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    result = yield
    blocker = item.stash.get(DB_BLOCKER, None)
    # With no next test the session's fixtures, the test database among them, are gone by now.
    if blocker is not None and nextitem is not None:
        with blocker.unblock():
            load_reference_data()
    return result


@pytest.fixture
def directory(partnership, needs) -> dict[str, Service]:
    """A small directory around Guildford, Woking and Redhill, as the journeys and screenshots show it."""

    def member(**kwargs) -> Organisation:
        return factories.MembershipFactory(
            partnership=partnership, organisation=factories.OrganisationFactory(**kwargs)
        ).organisation

    centre = member(
        name="Wey Valley Carers Centre", charity_number="1098765", phone="01483 555 010",
        email="hello@weyvalleycarers.example", website="https://weyvalleycarers.example",
        address_1="12 Bridge Street", city="Guildford", postal_code="GU1 4AA",
        description="Information, breaks and a listening ear for unpaid carers in Guildford and Waverley.",
    )
    counselling = member(name="Surrey Hills Counselling", charity_number="1123456",
                         description="Low-cost counselling for adults in north-west Surrey.")
    council = member(name="Surrey County Council", kind=Organisation.Kind.COUNCIL,
                     description="Adult social care: carer's assessments and support plans.")
    redhill = member(name="Redhill Community Carers", kind=Organisation.Kind.COMMUNITY_GROUP,
                     description="Volunteers supporting carers in Reigate and Banstead.")

    guildford = factories.LocationFactory(name="Wey Valley Carers Centre", address_1="12 Bridge Street",
                                          postal_code="GU1 4AA")
    woking = factories.LocationFactory(name="Woking Community Hub", address_1="3 Commercial Way",
                                       city="Woking", postal_code="GU21 6AA")
    redhill_hall = factories.LocationFactory(name="Redhill Community Hall", address_1="40 Station Road",
                                             city="Redhill", postal_code="RH1 1AA")

    services = {
        "respite": factories.ServiceFactory(
            organisation=centre, name="Guildford Respite Sitters", needs=[needs["breaks"]],
            districts=["GU1", "GU2", "GU4"], locations=[guildford], delivered_at_home=True,
            description=(
                "Trained and vetted volunteers sit with the person you care for, at home, for up to "
                "four hours a week, so you can have a break: see friends, go to appointments or rest.\n\n"
                "We meet you first to get to know you both and to match you with the right sitter."
            ),
            phone="01483 555 011", email="sitters@weyvalleycarers.example",
            url="https://weyvalleycarers.example/sitters", contact_name="Breaks coordinator",
            opening_hours="Monday to Friday, 9am to 5pm", languages=["en", "pl", "ur"], minimum_age=18,
            eligibility_description="For carers living in Guildford, or caring for someone who does.",
        ),
        "cafe": factories.ServiceFactory(
            organisation=centre, name="Carers' Wellbeing Café", needs=[needs["peer-support"],
                                                                       needs["emotional-support"]],
            districts=["GU1", "GU2"], locations=[guildford], opening_hours="Thursdays, 10am to midday",
            description="A relaxed monthly get-together with other carers, with tea, cake and a short talk.",
        ),
        "helpline": factories.ServiceFactory(
            organisation=centre, name="Surrey Carers Helpline", delivered_in_person=False,
            delivered_by_phone=True, needs=[needs["information-advice"], needs["emotional-support"]],
            phone="0300 555 0123", opening_hours="Every day, 8am to 8pm",
            description="Free, confidential advice by phone on anything to do with caring.",
        ),
        "counselling": factories.ServiceFactory(
            organisation=counselling, name="Carers Counselling", needs=[needs["emotional-support"]],
            districts=["GU21", "GU22"], locations=[woking], is_free=False,
            fees_description="£10 a session, or free if you get Carer's Allowance",
            referral_capacity=Service.Capacity.WAITING_LIST, usual_wait_weeks=3,
            description="Six weekly sessions with a qualified counsellor who understands caring.",
        ),
        "assessment": factories.ServiceFactory(
            organisation=council, name="Countywide Carers Assessment", needs=[needs["carers-assessment"]],
            serves_whole_area=True, delivered_in_person=False, delivered_at_home=True, delivered_by_phone=True,
            description="A conversation about your caring role and what would help, leading to a support plan.",
        ),
        "grants": factories.ServiceFactory(
            organisation=council, name="Short Breaks Grants", needs=[needs["breaks-short"], needs["money-grants"]],
            serves_whole_area=True, delivered_in_person=False, delivered_online=True,
            description="A one-off grant of up to £300 a year towards a break of your choosing.",
        ),
        "redhill": factories.ServiceFactory(
            organisation=redhill, name="Redhill Breaks", needs=[needs["breaks"]], districts=["RH1"],
            locations=[redhill_hall], referral_capacity=Service.Capacity.WAITING_LIST, usual_wait_weeks=2,
            description="Day trips and short breaks for carers in Redhill.",
        ),
    }
    services["respite"].condition_groups.set(ConditionGroup.objects.filter(slug__in=["dementia", "frailty"]))
    return services


@pytest.fixture
def frontline_worker(personas) -> User:
    """The referrer at the GP practice, able to sign in: allauth wants a verified address."""
    user = personas.referrer
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


# --- The referral journeys' people and directory ------------------------------------------------------


@pytest.fixture
def services(partnership, needs, personas):
    """The referral tests' small directory around Guildford (tests/referrals/conftest.py)."""
    from ..referrals.conftest import build_directory

    return build_directory(needs, personas)


@pytest.fixture
def can_sign_in(personas) -> None:
    """allauth wants a verified address before it lets anyone sign in."""
    for user in (personas.referrer, personas.coordinator, personas.manager):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
