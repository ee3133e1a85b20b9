"""Importing an Open Referral UK feed: what lands, that a re-run changes nothing, and that bad records are
reported by place and reason without stopping the good ones or leaving half a record behind."""

from __future__ import annotations

import csv
import json
import shutil
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from organisations.models import (
    Location,
    Membership,
    Organisation,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from organisations.oruk.importing import ImportReport, import_feed
from organisations.oruk.importing.writer import ServiceWriter
from partnership.models import PostcodeDistrict
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures" / "oruk"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
ORGANISATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
LOCATION_ID = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
SERVICE_AT_LOCATION_ID = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
TERM_ID = "3f7b145d-84af-42d7-8fae-eaca714b02b2"
TAXONOMY_ID = "5c4d79d7-cc55-470e-9f1f-8cad074e4892"


def new_id() -> str:
    return str(uuid.uuid4())


def row_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "services": Service.objects.count(),
        "locations": Location.objects.count(),
        "service_at_locations": ServiceAtLocation.objects.count(),
        "taxonomies": Taxonomy.objects.count(),
        "terms": TaxonomyTerm.objects.count(),
        "needs": Service.needs.through.objects.count(),
        "districts": Service.service_area_districts.through.objects.count(),
    }


def timestamps() -> dict[str, Any]:
    return {
        **{f"organisation {o.pk}": o.updated_at for o in Organisation.objects.all()},
        **{f"service {s.pk}": s.updated_at for s in Service.objects.all()},
    }


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def messages(problems) -> list[str]:
    return [str(problem) for problem in problems]


def uk_service(**overrides) -> dict[str, Any]:
    """A carers' service as a UK feed describes it, nested under its organisation's id."""
    service = {
        "id": new_id(),
        "name": "Guildford Carers Breaks",
        "description": "Trained volunteers sit with the person you care for so you can have a break.",
        "status": "active",
        "minimum_age": 18,
        "organization": {
            "id": "5b0b6d0e-2f0b-4b5e-9d53-4a1c3f2f7a10",
            "name": "Guildford Carers Trust",
            "description": "A carers' charity in Guildford.",
            "website": "https://carers.example.org",
            "organization_identifiers": [
                {"id": new_id(), "identifier_scheme": "GB-CHC", "identifier_type": "Charity number",
                 "identifier": "1098765"},
            ],
        },
        "service_areas": [
            {"id": new_id(), "name": "GU1, GU2 and KT22"},
            {"id": new_id(), "name": "ZZ99"},
        ],
        "languages": [
            {"id": new_id(), "code": "pl"},
            {"id": new_id(), "name": "Welsh"},
            {"id": new_id(), "code": "en-GB"},
        ],
        "cost_options": [{"id": new_id(), "option": "Everyone", "amount": 0}],
        "schedules": [{"id": new_id(), "byday": "MO,TU", "opens_at": "09:00:00", "closes_at": "17:00:00"}],
        "phones": [{"id": new_id(), "number": "01483 000000"}],
        "service_at_locations": [
            {
                "id": new_id(),
                "location": {
                    "id": "0f2a3b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b",
                    "location_type": "physical",
                    "name": "Guildford Carers Centre",
                    "addresses": [{"id": new_id(), "address_1": "1 High Street", "city": "Guildford",
                                   "state_province": "Surrey", "postal_code": "gu1 4ab", "country": "GB",
                                   "address_type": "physical"}],
                },
            },
            {"id": new_id(), "location": {"id": new_id(), "location_type": "virtual", "name": "Video calls"}},
        ],
    }
    service.update(overrides)
    return service


@pytest.fixture
def uk_feed(tmp_path) -> Path:
    return write_json(tmp_path / "uk.json", {"contents": [uk_service()], "total_pages": 1, "page_number": 1})


# --------------------------------------------------------------------------------------------------------------
# What lands


def test_official_service_example_lands_as_an_active_member_with_its_service(partnership):
    report = import_feed(source=FIXTURES / "service_full.json", partnership=partnership)

    assert report.errors == []
    organisation = Organisation.objects.get(pk=ORGANISATION_ID)
    assert organisation.name == "Example Organization Inc."
    assert organisation.website == "http://example.com"
    membership = Membership.objects.get(partnership=partnership, organisation=organisation)
    assert membership.status == Membership.Status.ACTIVE and membership.joined_at is not None

    service = Service.objects.get(pk=SERVICE_ID)
    assert service.organisation == organisation
    assert (service.name, service.url, service.email) == (
        "Community Counselling", "http://example.com/counselling", "email@example.com")
    assert service.status == Service.Status.ACTIVE
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    assert service.carer_ages == Service.CarerAges.ALL  # 12 to 100 admits young carers as well as adults
    assert service.is_free is False
    assert service.fees_description == "£35 per 1 hour session (Under 18s and Over 60s)"
    assert service.opening_hours.startswith("The service is available from 10 am to 6pm weekdays.")
    assert service.contact_name == "Ann Persona"
    assert service.languages == []
    assert service.delivered_in_person is True
    # services_refresh ran: the stored summary and search document are there.
    assert "community counselling" in service.search_text and "example organization inc." in service.search_text
    assert service.summary

    location = Location.objects.get(pk=LOCATION_ID)
    assert (location.name, location.address_1, location.city, location.postal_code, location.country) == (
        "MyCity Civic Center", "1-30 Main Street", "MyCity", "ABC 1234", "US")
    assert location.latitude is None and location.district is None  # 100, 101 is not on Earth; no UK postcode
    assert location.organisation == organisation
    link = ServiceAtLocation.objects.get(pk=SERVICE_AT_LOCATION_ID)
    assert (link.service_id, link.location_id) == (service.pk, location.pk)

    term = TaxonomyTerm.objects.get(pk=TERM_ID)
    assert term.taxonomy.partnership == partnership and term.taxonomy.is_need_taxonomy is False
    assert term.taxonomy.name == "taxonomy"  # the vocabulary the term names, as no taxonomy_id says otherwise
    assert list(service.needs.all()) == [term]

    assert report.counts["service"]["created"] == 1 and report.counts["membership"]["created"] == 1
    warnings = messages(report.warnings)
    assert any(w.startswith("service_full.json $.service_at_locations[0].location:") and "latitude" in w
               for w in warnings)
    assert any(w.startswith("service_full.json $.languages[0]:") for w in warnings)
    assert any(w.startswith("service_full.json $.service_areas[0]:") and "postcode districts" in w
               for w in warnings)


def test_official_csv_package_lands_with_the_same_ids(partnership):
    report = import_feed(source=FIXTURES / "csv", partnership=partnership)

    assert report.errors == []
    service = Service.objects.get(pk=SERVICE_ID)
    assert service.organisation_id == uuid.UUID(ORGANISATION_ID)
    assert service.phone == "+44 1234 234567"  # phones.csv, through the contact; the export's quotes dropped
    assert service.contact_name == "Ann Persona"
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    assert service.fees_description == "£35 per 1 hour session (Under 18s and Over 60s)"
    assert Location.objects.get(pk=LOCATION_ID).address_1 == "1-30 Main Street"
    assert ServiceAtLocation.objects.get(pk=SERVICE_AT_LOCATION_ID).service_id == service.pk
    assert Membership.objects.get(organisation_id=ORGANISATION_ID).status == Membership.Status.ACTIVE

    vocabulary = Taxonomy.objects.get(pk=TAXONOMY_ID)
    assert (vocabulary.name, vocabulary.version, vocabulary.partnership) == ("name", "version", partnership)
    term = TaxonomyTerm.objects.get(pk=TERM_ID)
    # The term's taxonomy_id names a taxonomy the package does not describe: it is created for it.
    assert str(term.taxonomy_id) == "07ff6aee-a219-438c-b694-d2fcb6c5373b"
    assert term.taxonomy.partnership == partnership and not term.taxonomy.is_need_taxonomy
    # attribute.csv links the term to an id that is no service, so the service has no terms, and we say so.
    assert service.needs.count() == 0
    assert any(w.startswith("attribute.csv line 2:") and "matches nothing" in w for w in messages(report.warnings))
    assert any(w.startswith("locations.csv line 2:") for w in messages(report.warnings))


def test_organisation_with_nested_services_example(partnership):
    report = import_feed(source=FIXTURES / "organization_full.json", partnership=partnership)

    assert report.errors == []
    assert Service.objects.get(pk=SERVICE_ID).organisation_id == uuid.UUID(ORGANISATION_ID)
    assert any(w.startswith("organization_full.json $.services[0].service_at_locations[0].location:")
               for w in messages(report.warnings))


def test_folder_of_json_responses_merges_mentions_of_the_same_records(partnership):
    report = import_feed(source=FIXTURES, partnership=partnership)

    assert report.errors == []
    need_terms = TaxonomyTerm.objects.needs_of(partnership).count()
    assert row_counts() == {
        "organisations": 1, "memberships": 1, "services": 1, "locations": 1, "service_at_locations": 1,
        "taxonomies": 2, "terms": need_terms + 1, "needs": 1, "districts": 0,
    }
    # taxonomy.json lists the term under its taxonomy, which wins over the words in the service's attribute.
    assert str(TaxonomyTerm.objects.get(pk=TERM_ID).taxonomy_id) == TAXONOMY_ID


def test_uk_feed_maps_districts_languages_costs_and_places_a_location_by_its_postcode(partnership, uk_feed):
    report = import_feed(source=uk_feed, partnership=partnership)

    assert report.errors == []
    service = Service.objects.get(name="Guildford Carers Breaks")
    assert sorted(d.code for d in service.service_area_districts.all()) == ["GU1", "GU2", "KT22"]
    assert service.serves_whole_area is False
    assert service.languages == ["pl", "cy", "en"]
    assert service.is_free is True
    assert service.opening_hours == "Monday, Tuesday 09:00 to 17:00"
    assert service.phone == "01483 000000"
    assert service.carer_ages == Service.CarerAges.ADULTS
    assert service.delivered_in_person is True and service.delivered_online is True  # a virtual location
    assert service.organisation.charity_number == "1098765"

    location = service.locations.get()
    gu1 = PostcodeDistrict.objects.get(code="GU1")
    assert (location.postal_code, location.district, location.latitude, location.longitude) == (
        "GU1 4AB", gu1, gu1.latitude, gu1.longitude)
    assert Location.objects.count() == 1  # the virtual location is a way of delivery, not a place
    assert any("$.contents[0].service_areas[1]" in w and "ZZ99" in w for w in messages(report.warnings))


def test_partnership_area_name_means_the_whole_area_and_closed_services_are_inactive(partnership, tmp_path):
    feed = write_json(tmp_path / "feed.json", [
        uk_service(service_areas=[{"id": new_id(), "name": "Surrey"}], status="temporarily closed",
                   minimum_age=8, maximum_age=17),
    ])

    import_feed(source=feed, partnership=partnership)

    service = Service.objects.get()
    assert service.serves_whole_area is True and service.service_area_districts.count() == 0
    assert service.status == Service.Status.INACTIVE
    assert service.carer_ages == Service.CarerAges.YOUNG


# --------------------------------------------------------------------------------------------------------------
# Running it again


@pytest.mark.parametrize("source", ["service_full.json", "csv", "organization_full.json", "", "uk"])
def test_second_run_of_the_same_feed_changes_nothing(partnership, uk_feed, source):
    path = uk_feed if source == "uk" else FIXTURES / source
    first = import_feed(source=path, partnership=partnership)
    assert first.total("created") > 0
    counts, stamps = row_counts(), timestamps()

    second = import_feed(source=path, partnership=partnership)

    assert (second.total("created"), second.total("updated"), second.total("removed")) == (0, 0, 0)
    assert second.errors == [] and not second.changed
    assert second.counts["service"]["unchanged"] >= 1
    assert row_counts() == counts
    assert timestamps() == stamps


def test_changed_feed_updates_the_same_rows_and_drops_a_location_it_no_longer_lists(partnership, tmp_path):
    record = json.loads((FIXTURES / "service_full.json").read_text())
    import_feed(source=write_json(tmp_path / "v1.json", record), partnership=partnership)
    before = Service.objects.get(pk=SERVICE_ID).updated_at

    record.update(name="Community Counselling Plus", service_at_locations=[])
    report = import_feed(source=write_json(tmp_path / "v2.json", record), partnership=partnership)

    assert report.counts["service"]["updated"] == 1
    assert report.counts["service at location"]["removed"] == 1
    assert report.counts["organisation"]["unchanged"] == 1
    service = Service.objects.get(pk=SERVICE_ID)
    assert service.name == "Community Counselling Plus" and service.updated_at > before
    assert "community counselling plus" in service.search_text
    assert service.delivered_in_person is False
    assert Service.objects.count() == 1 and ServiceAtLocation.objects.count() == 0
    assert Location.objects.filter(pk=LOCATION_ID).exists()  # a place outlives the link


def test_a_list_entry_without_nested_arrays_leaves_what_it_does_not_mention(partnership):
    import_feed(source=FIXTURES / "service_full.json", partnership=partnership)

    report = import_feed(source=FIXTURES / "service_list.json", partnership=partnership)

    assert not report.changed
    service = Service.objects.get(pk=SERVICE_ID)
    assert service.contact_name == "Ann Persona" and service.locations.count() == 1 and service.needs.count() == 1


def test_need_links_a_manager_added_survive_a_reimport_and_the_need_taxonomy_is_not_edited(
    partnership, needs, tmp_path
):
    record = json.loads((FIXTURES / "service_full.json").read_text())
    import_feed(source=write_json(tmp_path / "v1.json", record), partnership=partnership)
    service = Service.objects.get(pk=SERVICE_ID)
    service.needs.add(needs["breaks"])

    # The feed now names the partnership's own need term (as our own feed publishes it), under another name.
    emotional = needs["emotional-support"]
    record["attributes"].append({"id": new_id(), "taxonomy_term": {
        "id": str(emotional.pk), "name": "Renamed by the feed", "taxonomy_id": str(emotional.taxonomy_id)}})
    import_feed(source=write_json(tmp_path / "v2.json", record), partnership=partnership)

    assert set(service.needs.values_list("pk", flat=True)) == {uuid.UUID(TERM_ID), needs["breaks"].pk, emotional.pk}
    emotional.refresh_from_db()
    assert emotional.name != "Renamed by the feed"


# --------------------------------------------------------------------------------------------------------------
# Bad records


def copy_package(tmp_path: Path) -> Path:
    package = tmp_path / "package"
    shutil.copytree(FIXTURES / "csv", package)
    return package


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(newline="") as handle:
        header = next(csv.reader(line for line in handle if line.strip()))
    with path.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writerows(rows)


def test_bad_csv_rows_are_reported_by_line_and_reason_and_good_rows_land(partnership, tmp_path):
    package = copy_package(tmp_path)
    good_id, unknown_organisation = new_id(), new_id()
    base = {"organization_id": ORGANISATION_ID, "status": "active"}
    append_rows(package / "services.csv", [
        {**base, "id": "not-a-uuid", "name": "Line 3"},
        {**base, "id": new_id(), "name": "Line 4", "minimum_age": "twelve"},
        {**base, "id": new_id(), "name": ""},
        {**base, "id": new_id(), "name": "Line 6", "organization_id": unknown_organisation},
        {**base, "id": new_id(), "name": "Line 7", "minimum_age": "65", "maximum_age": "18"},
        {**base, "id": good_id, "name": "Carers Breaks", "minimum_age": "18"},
    ])
    append_rows(package / "organizations.csv", [{"id": new_id(), "name": ""}])
    append_rows(package / "locations.csv", [{"id": new_id(), "location_type": "physical", "latitude": "north",
                                             "longitude": "0"}])

    report = import_feed(source=package, partnership=partnership)

    errors = messages(report.errors)
    assert any(e.startswith("services.csv line 3:") and "'not-a-uuid' is not a UUID" in e for e in errors)
    assert any(e.startswith("services.csv line 4:") and "minimum_age must be a number" in e for e in errors)
    assert any(e.startswith("services.csv line 5:") and "name is missing" in e for e in errors)
    assert any(e.startswith("services.csv line 6:") and "neither in the feed nor in the directory" in e
               for e in errors)
    assert any(e.startswith("services.csv line 7:") and "minimum_age 65 is more than maximum_age 18" in e
               for e in errors)
    assert any(e.startswith("organizations.csv line 3:") and "name is missing" in e for e in errors)
    assert any(e.startswith("locations.csv line 3:") and "latitude must be a number" in e for e in errors)
    assert len(errors) == 7
    assert report.counts["service"] == {"created": 2, "failed": 5}
    assert set(Service.objects.values_list("pk", flat=True)) == {uuid.UUID(SERVICE_ID), uuid.UUID(good_id)}
    assert not Service.objects.filter(name__startswith="Line").exists()


def test_bad_json_entries_are_reported_by_path_and_the_rest_land(partnership, tmp_path):
    feed = write_json(tmp_path / "feed.json", {"contents": [
        uk_service(name="Good service"),
        uk_service(status="open all hours"),
        {"name": "No id", "status": "active"},
        uk_service(name="Bad age", maximum_age=-3),
        "not an object",
    ]})

    report = import_feed(source=feed, partnership=partnership)

    errors = messages(report.errors)
    assert any(e.startswith("feed.json $.contents[1]:") and "status 'open all hours'" in e for e in errors)
    assert any(e.startswith("feed.json $.contents[2]:") and "has no id" in e for e in errors)
    assert any(e.startswith("feed.json $.contents[3]:") and "maximum_age must be a whole number" in e
               for e in errors)
    assert "feed.json $.contents[4]: record: is not a JSON object" in errors
    assert list(Service.objects.values_list("name", flat=True)) == ["Good service"]


def test_a_record_that_fails_part_way_leaves_no_rows_of_its_own(partnership, tmp_path, monkeypatch):
    doomed, kept = uk_service(name="Doomed"), uk_service(name="Kept")
    feed = write_json(tmp_path / "feed.json", [doomed, kept])
    real_sync = ServiceWriter._sync_links

    def fail_for_doomed(self, service, links, **kwargs):
        if service.name == "Doomed":  # the service, its districts and needs are written; then the database fails
            assert Service.objects.filter(pk=doomed["id"]).exists()
            raise DatabaseError("connection lost")
        return real_sync(self, service, links, **kwargs)

    monkeypatch.setattr(ServiceWriter, "_sync_links", fail_for_doomed)
    report = import_feed(source=feed, partnership=partnership)

    assert messages(report.errors) == [
        f"feed.json $[0]: service {doomed['id']}: the database refused it: connection lost"]
    assert not Service.objects.filter(pk=doomed["id"]).exists()
    assert Service.service_area_districts.through.objects.filter(service_id=doomed["id"]).count() == 0
    assert not ServiceAtLocation.objects.filter(service_id=doomed["id"]).exists()
    kept_service = Service.objects.get(pk=kept["id"])
    assert kept_service.service_area_districts.count() == 3 and kept_service.locations.count() == 1
    assert report.counts["service"] == {"created": 1, "failed": 1}
    assert report.counts["service at location"] == {"created": 1}  # the rolled-back link is not counted


def test_an_update_that_fails_part_way_keeps_the_previous_version(partnership, tmp_path, monkeypatch):
    record = uk_service()
    import_feed(source=write_json(tmp_path / "v1.json", record), partnership=partnership)
    before = Service.objects.get(pk=record["id"])

    monkeypatch.setattr(ServiceWriter, "_sync_links", lambda *args, **kwargs: 1 / 0)
    record.update(name="Renamed", service_areas=[{"id": new_id(), "name": "RH1"}])
    report = import_feed(source=write_json(tmp_path / "v2.json", record), partnership=partnership)

    assert report.counts["service"] == {"failed": 1}
    after = Service.objects.get(pk=record["id"])
    assert (after.name, after.updated_at) == (before.name, before.updated_at)
    assert sorted(d.code for d in after.service_area_districts.all()) == ["GU1", "GU2", "KT22"]


def test_suspended_member_is_not_reactivated_and_is_reported(partnership):
    organisation = factories.OrganisationFactory(id=ORGANISATION_ID, name="Example Organization Inc.")
    factories.MembershipFactory(partnership=partnership, organisation=organisation,
                                status=Membership.Status.SUSPENDED)

    report = import_feed(source=FIXTURES / "service_full.json", partnership=partnership)

    assert Membership.objects.get(organisation=organisation).status == Membership.Status.SUSPENDED
    assert Service.objects.filter(pk=SERVICE_ID).exists()
    assert any(p.kind == "membership" and "suspended" in p.reason for p in report.warnings)


def test_taxonomy_of_another_partnership_is_refused(partnership):
    other = factories.PartnershipFactory()
    factories.TaxonomyFactory(id=TAXONOMY_ID, partnership=other, is_need_taxonomy=False, name="Theirs")

    report = import_feed(source=FIXTURES / "taxonomy.json", partnership=partnership)

    assert messages(report.errors) == [
        f"taxonomy.json: taxonomy {TAXONOMY_ID}: this id belongs to a taxonomy of another partnership",
        f"taxonomy.json $.taxonomy_terms[0]: taxonomy term {TERM_ID}: its taxonomy {TAXONOMY_ID} could not be "
        "imported",
    ]
    assert Taxonomy.objects.get(pk=TAXONOMY_ID).name == "Theirs"


def test_datapackage_json_says_which_file_holds_each_table(partnership, tmp_path):
    package = copy_package(tmp_path)
    (package / "services.csv").rename(package / "our-services.csv")
    (package / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "service", "path": "our-services.csv"},
        {"name": "organization", "path": "organizations.csv"},
    ]}))

    report = import_feed(source=package / "datapackage.json", partnership=partnership)

    assert report.errors == []
    assert Service.objects.filter(pk=SERVICE_ID).exists()


# --------------------------------------------------------------------------------------------------------------
# An ORUK API over http


@pytest.fixture
def oruk_api(monkeypatch):
    """A tiny ORUK API on 127.0.0.1: responses by path (and ?page=), every request recorded."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    responses: dict[str, tuple[int, Any]] = {}
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            requests.append(self.path)
            parts = urlsplit(self.path)
            page = parse_qs(parts.query).get("page")
            status, payload = responses.get(parts.path + (f"?page={page[0]}" if page else ""), (404, {}))
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_address[1]}/api", responses=responses,
                          requests=requests)
    server.shutdown()
    server.server_close()


def page(number: int, total: int, entries: list[dict]) -> dict:
    return {"total_items": 3, "total_pages": total, "page_number": number, "size": len(entries),
            "first_page": number == 1, "last_page": number == total, "empty": not entries, "contents": entries}


def test_url_feed_is_paged_then_each_service_fetched_in_full(partnership, oruk_api):
    official = json.loads((FIXTURES / "service_full.json").read_text())
    second, missing = uk_service(), new_id()
    listing = json.loads((FIXTURES / "service_list.json").read_text())["contents"][0]
    oruk_api.responses.update({
        "/api/services?page=1": (200, page(1, 2, [listing, {"id": second["id"], "name": second["name"]}])),
        "/api/services?page=2": (200, page(2, 2, [{"id": missing, "name": "Gone"}])),
        f"/api/services/{SERVICE_ID}": (200, official),
        f"/api/services/{second['id']}": (200, second),
    })

    report = import_feed(source=oruk_api.url, partnership=partnership)

    assert [path.split("&")[0] for path in oruk_api.requests] == [
        "/api/services?page=1", "/api/services?page=2",
        f"/api/services/{SERVICE_ID}", f"/api/services/{second['id']}", f"/api/services/{missing}",
    ]
    assert Service.objects.count() == 2
    assert Service.objects.get(pk=SERVICE_ID).contact_name == "Ann Persona"  # from the full record
    assert ServiceAtLocation.objects.filter(pk=SERVICE_AT_LOCATION_ID).exists()
    assert messages(report.errors) == [
        f"{oruk_api.url}/services/{missing}: service {missing}: could not be fetched: HTTP Error 404: Not Found"]
    assert any(w.startswith(f"{oruk_api.url}/services/{SERVICE_ID} $.service_at_locations[0].location:")
               for w in messages(report.warnings))

    again = import_feed(source=oruk_api.url + "/services", partnership=partnership)
    assert not again.changed


def test_command_imports_a_url_feed_and_fails_only_when_it_cannot_be_read(partnership, oruk_api):
    official = json.loads((FIXTURES / "service_full.json").read_text())
    oruk_api.responses.update({
        "/api/services?page=1": (200, page(1, 1, [{"id": SERVICE_ID}])),
        f"/api/services/{SERVICE_ID}": (200, official),
    })
    out = StringIO()
    call_command("import_oruk", oruk_api.url, partnership="surrey", stdout=out)
    assert Service.objects.filter(pk=SERVICE_ID).exists()
    assert "service " in out.getvalue()

    oruk_api.responses["/api/services?page=1"] = (500, {"error": "down"})
    with pytest.raises(CommandError, match="Could not read the feed: could not read .*HTTP Error 500"):
        call_command("import_oruk", oruk_api.url, partnership="surrey", stdout=StringIO())


# --------------------------------------------------------------------------------------------------------------
# The command


def test_command_prints_a_summary_and_reports_bad_rows_without_failing(partnership, tmp_path):
    package = copy_package(tmp_path)
    append_rows(package / "services.csv", [{"id": new_id(), "organization_id": ORGANISATION_ID, "name": ""}])
    out = StringIO()

    call_command("import_oruk", str(package), "--partnership", "surrey", stdout=out)

    output = out.getvalue()
    assert "Surrey Carers Partnership" in output
    service_line = next(line for line in output.splitlines() if line.split()[:2] == ["service", "1"])
    assert service_line.split()[1:] == ["1", "0", "0", "0", "1"]  # created, updated, unchanged, removed, failed
    assert "Not imported (1):" in output
    assert "services.csv line 3: service " in output and "name is missing" in output


def test_unknown_partnership_slug_is_a_command_error(db):
    with pytest.raises(CommandError, match="no partnership with the slug 'nowhere'"):
        call_command("import_oruk", str(FIXTURES / "service_full.json"), partnership="nowhere")
    assert Service.objects.count() == 0


@pytest.mark.parametrize("name, content", [("missing.json", None), ("broken.json", "{not json"),
                                           ("empty-folder", "")])
def test_unreadable_source_is_a_command_error(partnership, tmp_path, name, content):
    path = tmp_path / name
    if content == "":
        path.mkdir()
    elif content is not None:
        path.write_text(content)

    with pytest.raises(CommandError, match="Could not read the feed"):
        call_command("import_oruk", str(path), partnership="surrey", stdout=StringIO())


def test_report_summary_names_every_outcome(partnership):
    report: ImportReport = import_feed(source=FIXTURES / "service_full.json", partnership=partnership)
    header = report.summary_lines()[2].split()
    assert header == ["created", "updated", "unchanged", "removed", "failed"]
