"""The Open Referral UK importer's parts on their own: cleaning values, reading the feed's shapes and sources, and
the report the command prints. None of these touch the database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from organisations.models import Service
from organisations.oruk.importing import sources
from organisations.oruk.importing.feed import Feed, annotate
from organisations.oruk.importing.report import ImportReport, Problem
from organisations.oruk.importing.sources import SourceError, read_feed, read_table
from organisations.oruk.importing.values import (
    ImportProblem,
    Rejected,
    age_range,
    canonical_id,
    carer_ages,
    cost,
    country_code,
    is_web_address,
    language_code,
    opening_hours,
    outcodes,
    phone_number,
    price,
)
from organisations.oruk.importing.writer import parents_first

FIXTURES = Path(__file__).parent / "fixtures" / "oruk"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
ORGANISATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
LOCATION_ID = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"


# --------------------------------------------------------------------------------------------------------------
# Values


def test_ids_are_keyed_as_lower_case_uuids_and_anything_else_is_no_id():
    assert canonical_id(" AC148810-D857-441C-9679-408F346DE14B ") == SERVICE_ID
    assert canonical_id("ac148810d857441c9679408f346de14b") == SERVICE_ID
    for not_an_id in (None, "", "not-a-uuid", True, {"id": SERVICE_ID}, [SERVICE_ID]):
        assert canonical_id(not_an_id) is None


@pytest.mark.parametrize("words, districts", [
    ("GU1, GU2 and KT22", ["GU1", "GU2", "KT22"]),
    ("RH1 1AA", ["RH1"]),
    ("gu1 gu2 & kt22", ["GU1", "GU2", "KT22"]),
    ("GU1; RH1 1AA / KT22", ["GU1", "RH1", "KT22"]),
    ("Guildford and Waverley", None),
    ("", None),
])
def test_service_area_words_give_postcode_districts_or_none_for_prose(words, districts):
    assert outcodes(words) == districts


def test_phone_numbers_lose_spreadsheet_quotes_and_overlong_ones_are_rejected():
    assert phone_number('"+44 1234 234567"') == "+44 1234 234567"
    assert phone_number("'01483 000000'") == "01483 000000"
    assert phone_number(None) == ""
    with pytest.raises(Rejected, match="longer than 40 characters"):
        phone_number("0" * 41)


def test_web_addresses_must_be_http_and_fit_the_field():
    assert is_web_address("https://carers.example.org/breaks")
    assert not is_web_address("ftp://carers.example.org")
    assert not is_web_address("carers dot org")
    assert not is_web_address("https://example.org/" + "a" * 200)


def test_an_age_range_upside_down_makes_the_record_unusable():
    assert age_range("12", 100) == (12, 100)
    assert age_range(None, "") == (None, None)
    with pytest.raises(ImportProblem, match="minimum_age 65 is more than maximum_age 18"):
        age_range(65, 18)
    with pytest.raises(ImportProblem, match="maximum_age must be a whole number of years"):
        age_range(None, 17.5)
    with pytest.raises(ImportProblem, match="minimum_age must be a number"):
        age_range(True, None)


@pytest.mark.parametrize("minimum, maximum, admits", [
    (12, 100, Service.CarerAges.ALL),
    (18, None, Service.CarerAges.ADULTS),
    (None, 17, Service.CarerAges.YOUNG),
    (None, None, None),
])
def test_an_age_range_says_whether_young_carers_adults_or_both_are_admitted(minimum, maximum, admits):
    assert carer_ages(minimum, maximum) == admits


def test_languages_by_iso_639_2_code_or_english_name_become_one_code_each():
    assert language_code({"code": "pol"}) == "pl"
    assert language_code({"code": "en_GB"}) == "en"
    assert language_code({"name": "Welsh"}) == "cy"
    assert language_code({"name": "BSL"}) == "bfi"
    with pytest.raises(Rejected, match="'12' is not an ISO 639 code"):
        language_code({"code": "12"})
    with pytest.raises(Rejected, match="has no code we know"):
        language_code({"name": "Klingon"})


def test_priced_cost_options_make_a_service_paid_and_free_fees_keep_it_free():
    assert price({"amount": 35, "amount_description": "per session", "option": "Adults"}) == (
        "£35 per session (Adults)")
    assert price({"amount": "12.5", "currency": "eur"}) == "12.50 EUR"
    assert price({"amount": 0}) == ""
    with pytest.raises(ImportProblem, match="amount must be a number"):
        price({"amount": "lots"})
    assert cost(["£35 per session"], "Free for carers") == (False, "£35 per session")
    assert cost([], "Free for carers") == (True, "Free for carers")
    assert cost([], "£5 a visit") == (False, "£5 a visit")


def test_opening_hours_use_the_schedules_words_else_their_days_and_hours_once_each():
    schedules = [
        {"byday": "MO,TU", "opens_at": "09:00:00", "closes_at": "17:00:00"},
        {"description": "Ring first."},
        {"description": "Ring first."},
        "not a schedule",
    ]
    assert opening_hours(schedules) == "Monday, Tuesday 09:00 to 17:00 Ring first."


def test_countries_are_two_letter_codes_with_the_uk_by_any_name_as_gb():
    assert country_code("United Kingdom") == "GB"
    assert country_code("us") == "US"
    assert country_code(None) == "GB"
    with pytest.raises(Rejected, match="'FRANCIA' is not a two-letter country code"):
        country_code("Francia")


# --------------------------------------------------------------------------------------------------------------
# The feed's shapes


def test_a_service_with_nested_records_becomes_one_record_of_each_kind_that_knows_where_it_came_from():
    document: dict[str, Any] = {"contents": [{
        "id": SERVICE_ID, "name": "Counselling", "status": "active",
        "organization": {"id": ORGANISATION_ID, "name": "Example Org"},
        "service_at_locations": [{"id": "e94c9f38-1e8f-4564-91d4-d53501ab1765",
                                  "location": {"id": LOCATION_ID, "location_type": "physical"}}],
    }, "not an object"]}
    annotate(document, "feed.json")
    feed = Feed()

    feed.add_json(document, "feed.json")

    assert list(feed.services) == [SERVICE_ID] and list(feed.organisations) == [ORGANISATION_ID]
    assert feed.services[SERVICE_ID]["organization_id"] == ORGANISATION_ID
    assert feed.services[SERVICE_ID]["_where"] == "feed.json $.contents[0]"
    assert feed.locations[LOCATION_ID]["_organisation_hint"] == ORGANISATION_ID
    assert feed.locations[LOCATION_ID]["_where"] == "feed.json $.contents[0].service_at_locations[0].location"
    assert [str(problem) for problem in feed.errors] == ["feed.json $.contents[1]: record: is not a JSON object"]


def test_terms_are_written_parents_first_and_the_one_that_would_close_a_loop_is_flagged():
    a, b, c = ("00000000-0000-4000-8000-00000000000" + n for n in "abc")
    terms = {c: {"parent_id": b}, b: {"parent_id": a}, a: {"parent_id": c}}

    order, loops = parents_first(terms)

    assert order == [a, b, c]  # c waits for b, b for a; a's parent c would close the loop
    assert loops == {a}


# --------------------------------------------------------------------------------------------------------------
# Sources


def test_tabular_package_nests_each_row_under_its_parent_and_names_rows_by_line():
    feed = read_feed(FIXTURES / "csv")

    assert list(feed.services) == [SERVICE_ID]
    service = feed.services[SERVICE_ID]
    assert service["_where"] == "services.csv line 2" and service["organization_id"] == ORGANISATION_ID
    assert [contact["name"] for contact in service["contacts"]] == ["Ann Persona"]
    assert [phone["number"] for phone in service["contacts"][0]["phones"]] == ['"+44 1234 234567"']
    assert [link["location_id"] for link in service["service_at_locations"]] == [LOCATION_ID]
    assert LOCATION_ID in feed.locations and ORGANISATION_ID in feed.organisations
    assert feed.errors == []
    assert any(str(w).startswith("attribute.csv line 2:") and "matches nothing" in str(w) for w in feed.warnings)


def test_a_row_with_the_wrong_number_of_cells_is_an_error_naming_its_line(tmp_path):
    table = tmp_path / "services.csv"
    table.write_text("id,name\r\r\n1,One\r\r\n\r\r\n2,Two,extra\r\r\n3,Three\r\r\n")
    feed = Feed()

    rows = read_table(table, "service", feed)

    assert [(row["id"], row["_where"]) for row in rows] == [("1", "services.csv line 2"), ("3", "services.csv line 5")]
    assert [str(problem) for problem in feed.errors] == [
        "services.csv line 4: service: has 3 cells but the header names 2"]


def test_a_source_that_is_nowhere_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="is not a file, a folder or an http"):
        read_feed(tmp_path / "missing")


class FakeResponse:
    def __init__(self, status: int, payload: Any, reason: str = "OK") -> None:
        self.status_code, self.reason = status, reason
        self.body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc_info) -> None:
        pass

    def iter_content(self, chunk_size: int):
        for start in range(0, len(self.body), chunk_size):
            yield self.body[start:start + chunk_size]


class FakeSession:
    """Answers by address and records every request, to show they all go through this one session."""

    def __init__(self, responses: dict[str, FakeResponse]) -> None:
        self.responses = responses
        self.requested: list[str] = []

    def get(self, url: str, *, timeout: float, stream: bool) -> FakeResponse:
        self.requested.append(url)
        return self.responses.get(url, FakeResponse(404, {}, "Not Found"))


def test_api_pages_and_records_all_go_through_the_one_session_and_a_missing_record_is_reported():
    other = "5b0b6d0e-2f0b-4b5e-9d53-4a1c3f2f7a10"
    base = "https://feed.example.org/api"
    session = FakeSession({
        f"{base}/services?page=1&per_page=100": FakeResponse(200, {"contents": [{"id": SERVICE_ID}],
                                                                   "total_pages": 2}),
        f"{base}/services?page=2&per_page=100": FakeResponse(200, {"contents": [{"id": other}], "last_page": True}),
        f"{base}/services/{SERVICE_ID}": FakeResponse(200, {"id": SERVICE_ID, "name": "Counselling",
                                                           "organization_id": ORGANISATION_ID}),
    })

    feed = read_feed(base + "/services", session=session)

    assert session.requested == [f"{base}/services?page=1&per_page=100", f"{base}/services?page=2&per_page=100",
                                 f"{base}/services/{SERVICE_ID}", f"{base}/services/{other}"]
    assert feed.services[SERVICE_ID]["_where"] == f"{base}/services/{SERVICE_ID}"
    assert [str(problem) for problem in feed.errors] == [
        f"{base}/services/{other}: service {other}: could not be fetched: HTTP Error 404: Not Found"]


def test_api_that_cannot_give_its_first_page_is_a_source_error():
    session = FakeSession({"https://feed.example.org/services?page=1&per_page=100": FakeResponse(
        503, {}, "Service Unavailable")})

    with pytest.raises(SourceError, match="could not read .*page=1.*: HTTP Error 503: Service Unavailable"):
        read_feed("https://feed.example.org", session=session)


def test_api_response_larger_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(sources, "MAX_RESPONSE_BYTES", 1024 * 1024)
    url = "https://feed.example.org/feed.json"
    session = FakeSession({url: FakeResponse(200, b" " * (1024 * 1024 + 1))})

    with pytest.raises(SourceError, match="the response is larger than 1 MB"):
        read_feed(url, session=session)


# --------------------------------------------------------------------------------------------------------------
# The report


def test_summary_is_a_table_of_outcomes_by_kind_then_what_was_not_imported_then_warnings():
    report = ImportReport(source="feed.json", partnership="Surrey Carers Partnership")
    report.count("service", "created", 2)
    report.count("service", "failed")
    report.count("organisation", "unchanged")
    report.count("record", "failed")
    report.errors.append(Problem("feed.json $[2]", "service", "name is missing", "abc"))
    report.warnings.append(Problem("feed.json $[0].languages[1]", "service", "code '12' is not an ISO 639 code"))

    assert report.summary_lines() == [
        "Imported feed.json into Surrey Carers Partnership",
        "",
        f"{'':<22}    created    updated  unchanged    removed     failed",
        f"{'organisation':<22}          0          0          1          0          0",
        f"{'service':<22}          2          0          0          0          1",
        f"{'record':<22}          0          0          0          0          1",
        "",
        "Not imported (1):",
        "  feed.json $[2]: service abc: name is missing",
        "",
        "Imported with warnings (1):",
        "  feed.json $[0].languages[1]: service: code '12' is not an ISO 639 code",
    ]


def test_a_report_has_changed_only_when_something_was_created_updated_or_removed():
    report = ImportReport(source="feed.json", partnership="Surrey")
    report.count("service", "unchanged", 3)
    report.count("service", "failed")
    report.count("service", "created", 0)
    assert not report.changed and report.summary_lines()[3].split()[0] == "service"

    report.count("service at location", "removed")
    assert report.changed and report.total("unchanged") == 3


def test_an_empty_report_says_nothing_was_found():
    report = ImportReport(source="empty.json", partnership="Surrey")
    assert report.summary_lines()[-1] == "Nothing found to import."
