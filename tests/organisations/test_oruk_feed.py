"""The Open Referral UK feed: real responses validated against the profile's schemas, and what they say."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations.models import ConditionGroup, Membership, Service, ServiceAtLocation, Taxonomy
from organisations.oruk import validation
from organisations.oruk.serializers import derived_id
from tests import factories

EXAMPLES = Path(__file__).resolve().parent / "oruk_examples"
STUB = "/api/oruk"
COMPILED = validation.SCHEMA_DIR / "compiled"

# What each endpoint's 200 response must be: the profile's own response schemas (openapi.local.json),
# and for the organisations endpoints, which the profile leaves to HSDS, its compiled organisation files.
RESPONSE_SCHEMAS = {
    "/": validation.response_schema("/"),
    "/services": validation.response_schema("/services"),
    "/services/{id}": validation.response_schema("/services/{id}"),
    "/service_at_locations": validation.response_schema("/service_at_locations"),
    "/service_at_locations/{id}": validation.response_schema("/service_at_locations/{id}"),
    "/taxonomies": validation.response_schema("/taxonomies"),
    "/taxonomies/{id}": validation.response_schema("/taxonomies/{id}"),
    "/taxonomy_terms": validation.response_schema("/taxonomy_terms"),
    "/taxonomy_terms/{id}": validation.response_schema("/taxonomy_terms/{id}"),
    "/organizations": validation.page_schema(COMPILED / "organization_list.json"),
    "/organizations/{id}": {"$ref": validation.schema_uri(COMPILED / "organization.json")},
}
ERROR_SCHEMA = validation.response_schema("/services", status="400", document=validation.OPENAPI_SERVED)


@pytest.fixture(autouse=True)
def _surrey_is_the_site(settings):
    settings.PARTNERSHIP_SLUG = "surrey"
    settings.SITE_URL = "https://hub.example.org"


def fetch(client, path: str, endpoint: str | None = None, status: int = 200, **params) -> dict:
    """GET a feed path; check the CORS header, the status and (for a 200) the endpoint's response schema."""
    response = client.get(STUB + path, params)
    assert response.status_code == status, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if status == 200 and endpoint:
        assert validation.errors(body, RESPONSE_SCHEMAS[endpoint]) == []
    elif status != 200:
        assert validation.errors(body, ERROR_SCHEMA) == []
        assert body["status"] == status and body["message"]
    return body


def names(page: dict) -> list[str]:
    return [entry["name"] for entry in page["contents"]]


@pytest.fixture
def feed(partnership, needs):
    """A small directory: a charity and an NHS trust, services reaching carers in different ways."""
    charity = factories.MembershipFactory(
        partnership=partnership,
        organisation=factories.OrganisationFactory(
            name="Action for Carers Surrey", charity_number="1234567", website="https://carers.example.org",
            phone="01483 000000", address_1="1 Quarry Street", city="Guildford", postal_code="GU1 3UY",
        ),
    ).organisation
    trust = factories.MembershipFactory(
        partnership=partnership,
        organisation=factories.OrganisationFactory(name="Surrey Heartlands NHS", ods_code="QXU", email=""),
    ).organisation
    guildford = factories.LocationFactory(name="Guildford Carers Centre", postal_code="GU1 3AA",
                                          address_1="2 High Street", state_province="Surrey")
    woking = factories.LocationFactory(name="Woking Hub", postal_code="GU21 6AA", city="Woking")
    redhill = factories.LocationFactory(name="Redhill Centre", postal_code="RH1 1AA", city="Redhill")
    respite = factories.ServiceFactory(
        organisation=charity, name="Guildford Respite Sitters", needs=[needs["breaks"], needs["breaks-sitting"]],
        districts=["GU1", "GU2"], locations=[guildford], url="https://carers.example.org/respite",
        email="respite@carers.example.org", phone="01483 111111", contact_name="Sam Brookes",
        languages=["en", "pl"], opening_hours="Monday to Friday 9am to 5pm", minimum_age=18,
        eligibility_description="Carers registered with a Guildford GP",
        description="Trained volunteers sit with the person you care for so you can have a break.",
    )
    respite.condition_groups.set(ConditionGroup.objects.filter(slug__in=["dementia", "stroke"]))
    counselling = factories.ServiceFactory(
        organisation=charity, name="Carers Counselling", needs=[needs["emotional-counselling"]],
        districts=["GU21"], locations=[woking], is_free=False, fees_description="£10 a session",
        referral_capacity=Service.Capacity.WAITING_LIST, usual_wait_weeks=3, minimum_age=25, maximum_age=90,
    )
    helpline = factories.ServiceFactory(
        organisation=trust, name="Carers Helpline", needs=[needs["information-advice"]],
        delivered_in_person=False, delivered_by_phone=True, phone="0300 000 0000",
    )
    young = factories.ServiceFactory(
        organisation=charity, name="Young Carers Clubs", needs=[needs["young-carers-activities"]],
        serves_whole_area=True, minimum_age=5, maximum_age=17, carer_ages=Service.CarerAges.YOUNG,
    )
    redhill_breaks = factories.ServiceFactory(
        organisation=trust, name="Redhill Breaks", needs=[needs["breaks-short"]], districts=["RH1"],
        locations=[redhill],
    )
    # Not in the feed: a suspended member's service, an inactive service, another partnership's.
    suspended = factories.MembershipFactory(partnership=partnership, status=Membership.Status.SUSPENDED)
    hidden_suspended = factories.ServiceFactory(organisation=suspended.organisation, name="Hidden Suspended",
                                                serves_whole_area=True, locations=[guildford])
    hidden_inactive = factories.ServiceFactory(organisation=charity, name="Hidden Inactive",
                                               status=Service.Status.INACTIVE, locations=[guildford])
    elsewhere = factories.PartnershipFactory(slug="elsewhere", name="Elsewhere Carers")
    other_taxonomy = factories.TaxonomyFactory(partnership=elsewhere)
    other_term = factories.TaxonomyTermFactory(taxonomy=other_taxonomy)
    other_member = factories.MembershipFactory(partnership=elsewhere)
    hidden_elsewhere = factories.ServiceFactory(organisation=other_member.organisation, name="Hidden Elsewhere",
                                                needs=[other_term], locations=[guildford])
    return {
        "charity": charity, "trust": trust, "respite": respite, "counselling": counselling, "helpline": helpline,
        "young": young, "redhill_breaks": redhill_breaks, "guildford": guildford,
        "hidden": [hidden_suspended, hidden_inactive, hidden_elsewhere], "suspended_org": suspended.organisation,
        "other_org": other_member.organisation, "other_taxonomy": other_taxonomy, "other_term": other_term,
    }


LISTED = ["Carers Counselling", "Carers Helpline", "Guildford Respite Sitters", "Redhill Breaks", "Young Carers Clubs"]


# The schemas themselves


@pytest.mark.parametrize(
    ("example", "endpoint"),
    [
        ("service_full.json", "/services/{id}"),
        ("service_list.json", "/services"),
        ("service_at_location_full.json", "/service_at_locations/{id}"),
        ("service_at_location_list.json", "/service_at_locations"),
        ("taxonomy.json", "/taxonomies/{id}"),
        ("taxonomy_list.json", "/taxonomies"),
        ("taxonomy_term.json", "/taxonomy_terms/{id}"),
        ("taxonomy_term_list.json", "/taxonomy_terms"),
        ("organization_full.json", "/organizations/{id}"),
        ("organization_list.json", "/organizations"),
    ],
)
def test_official_examples_validate_against_the_response_schemas(example, endpoint):
    document = json.loads((EXAMPLES / example).read_text())
    assert validation.errors(document, RESPONSE_SCHEMAS[endpoint]) == []


def test_the_schemas_reject_a_document_that_breaks_them():
    """The negative control: validation is not vacuous."""
    service = json.loads((EXAMPLES / "service_full.json").read_text())
    del service["name"]
    service["id"] = "not-a-uuid"
    service["url"] = "not a url"
    service["contacts"][0]["id"] = 7
    found = validation.errors(service, RESPONSE_SCHEMAS["/services/{id}"])
    assert len(found) == 4
    page = json.loads((EXAMPLES / "service_list.json").read_text())
    page["total_items"] = "ten"
    del page["contents"][0]["status"]
    assert len(validation.errors(page, RESPONSE_SCHEMAS["/services"])) == 2


# The root and the OpenAPI document


def test_root_says_version_profile_and_where_the_openapi_document_is(client, db):
    body = fetch(client, "/", "/")
    assert body["version"] == "3.0"
    assert body["profile"].startswith("https://")
    assert body["openapi_url"] == "https://hub.example.org/api/oruk/openapi.json"
    assert reverse("oruk:root") == "/api/oruk/"


def test_openapi_document_is_served_with_this_feed_as_its_server(client, db):
    document = fetch(client, "/openapi.json")
    assert document["servers"][0]["url"] == "https://hub.example.org/api/oruk"
    assert document["openapi"].startswith("3.")
    assert {"/organizations", "/organizations/{id}"} <= set(document["paths"])


def test_served_openapi_document_keeps_every_path_and_parameter_of_the_profile(client, db):
    profile = json.loads(validation.OPENAPI_LOCAL.read_text())
    served = fetch(client, "/openapi.json")

    def parameter_names(document, path):
        entries = document["paths"][path]["get"].get("parameters", [])
        return {entry["$ref"].rsplit("/", 1)[-1] for entry in entries}

    for path in profile["paths"]:
        assert path in served["paths"]
        assert parameter_names(profile, path) <= parameter_names(served, path)
        assert "200" in served["paths"][path]["get"]["responses"]
    # The served document resolves to the same response schemas (read from the local copy).
    assert served["components"]["parameters"]["start_time"]["schema"] == {"type": "string", "format": "time"}


def test_every_served_response_schema_resolves_from_the_shipped_copy(client, feed):
    """The served document's schema references are to the published files; the shipped copy stands in for them."""
    served = validation.OPENAPI_SERVED
    service_id, sal_id = feed["respite"].id, feed["respite"].service_at_locations.get().id
    term = feed["respite"].needs.first()
    paths = {
        "/": "/", "/services": "/services", f"/services/{service_id}": "/services/{id}",
        "/service_at_locations": "/service_at_locations",
        f"/service_at_locations/{sal_id}": "/service_at_locations/{id}",
        "/taxonomies": "/taxonomies", f"/taxonomies/{term.taxonomy_id}": "/taxonomies/{id}",
        "/taxonomy_terms": "/taxonomy_terms", f"/taxonomy_terms/{term.id}": "/taxonomy_terms/{id}",
        "/organizations": "/organizations", f"/organizations/{feed['charity'].id}": "/organizations/{id}",
    }
    for path, endpoint in paths.items():
        body = fetch(client, path, endpoint)
        assert validation.errors(body, validation.response_schema(endpoint, document=served)) == [], path


# Services


def test_services_lists_what_the_directory_lists_and_nothing_else(client, feed):
    page = fetch(client, "/services", "/services")
    assert names(page) == LISTED
    assert page["total_items"] == 5 and page["empty"] is False
    counselling = next(entry for entry in page["contents"] if entry["name"] == "Carers Counselling")
    assert counselling["organization"]["name"] == "Action for Carers Surrey"
    assert counselling["alert"] == "Waiting list: usual wait 3 weeks"
    assert counselling["fees_description"] == "£10 a session"
    assert "schedules" not in counselling  # the list carries one-to-one fields only


def test_service_maps_the_listing_to_hsds(client, feed):
    respite = feed["respite"]
    body = fetch(client, f"/services/{respite.id}", "/services/{id}")
    assert body["id"] == str(respite.id)
    assert body["organization_id"] == str(feed["charity"].id)
    assert body["status"] == "active"
    assert body["url"] == "https://carers.example.org/respite"
    assert body["minimum_age"] == 18 and "maximum_age" not in body
    assert body["last_modified"].endswith("Z")
    assert [language["name"] for language in body["languages"]] == ["English", "Polish"]
    assert [area["service_area"] for area in body["service_areas"]] == ["GU1", "GU2"]
    assert body["schedules"][0]["description"] == "Monday to Friday 9am to 5pm"
    assert body["schedules"][0]["attending_type"] == "In person"
    assert body["cost_options"][0]["option"] == "Free" and body["cost_options"][0]["amount"] == 0
    contact = body["contacts"][0]
    assert contact["name"] == "Sam Brookes" and contact["phones"][0]["number"] == "01483 111111"
    assert body["phones"][0]["number"] == "01483 111111"
    assert {attribute["taxonomy_term"]["name"] for attribute in body["attributes"]} == {
        "Breaks and respite", "Sitting service"}
    assert all(attribute["link_id"] == str(respite.id) for attribute in body["attributes"])
    assert "Dementia" in body["eligibility_description"] and "Guildford GP" in body["eligibility_description"]
    place = body["service_at_locations"][0]
    assert place["location"]["name"] == "Guildford Carers Centre"
    assert place["location"]["latitude"] == pytest.approx(feed["guildford"].latitude)
    address = place["location"]["addresses"][0]
    assert (address["address_1"], address["postal_code"], address["state_province"]) == (
        "2 High Street", "GU1 3AA", "Surrey")
    organisation = body["organization"]
    assert organisation["organization_identifiers"][0]["identifier"] == "1234567"
    assert organisation["organization_identifiers"][0]["identifier_scheme"] == "GB-CHC"


def test_costs_capacity_and_areas_of_other_services(client, feed):
    counselling = fetch(client, f"/services/{feed['counselling'].id}", "/services/{id}")
    assert counselling["cost_options"][0]["amount_description"] == "£10 a session"
    assert "amount" not in counselling["cost_options"][0]
    assert counselling["maximum_age"] == 90
    young = fetch(client, f"/services/{feed['young'].id}", "/services/{id}")
    assert [area["name"] for area in young["service_areas"]] == ["Surrey"]
    assert young["eligibility_description"] == "Young carers only."
    helpline = fetch(client, f"/services/{feed['helpline'].id}", "/services/{id}")
    assert helpline["service_at_locations"] == [] and helpline["contacts"] == []
    assert helpline["schedules"][0]["attending_type"] == "By phone"
    assert helpline["organization"]["organization_identifiers"][0]["identifier_scheme"] == "GB-NHS"


def test_ids_of_sub_objects_are_stable_uuids_derived_from_their_service(client, feed):
    respite = feed["respite"]
    first = fetch(client, f"/services/{respite.id}", "/services/{id}")
    respite.name = "Guildford Respite Sitters (renamed)"
    respite.save()
    second = fetch(client, f"/services/{respite.id}", "/services/{id}")
    for key in ("languages", "service_areas", "cost_options", "contacts", "schedules", "attributes", "phones"):
        assert [item["id"] for item in first[key]] == [item["id"] for item in second[key]], key
    assert first["languages"][1]["id"] == str(uuid.uuid5(respite.id, "language:pl")) == derived_id(
        respite.id, "language", "pl")
    assert first["service_at_locations"][0]["id"] == str(respite.service_at_locations.get().id)


def test_services_outside_the_directory_are_404(client, feed):
    for hidden in feed["hidden"]:
        fetch(client, f"/services/{hidden.id}", status=404)
    fetch(client, f"/services/{uuid.uuid4()}", status=404)


def test_services_filter_by_taxonomy_term_including_narrower_terms(client, feed, needs):
    assert names(fetch(client, "/services", "/services", taxonomy_term_id=needs["breaks"].id)) == [
        "Guildford Respite Sitters", "Redhill Breaks"]
    assert names(fetch(client, "/services", "/services", taxonomy_term_id=needs["breaks-short"].id)) == [
        "Redhill Breaks"]
    assert names(fetch(client, "/services", "/services", taxonomy_term_id=needs["emotional-support"].id)) == [
        "Carers Counselling"]
    assert names(fetch(client, "/services", "/services", taxonomy_term_id=feed["other_term"].id)) == []


def test_services_filter_by_taxonomy(client, feed, needs):
    assert names(fetch(client, "/services", "/services", taxonomy_id=needs["breaks"].taxonomy_id)) == LISTED
    assert names(fetch(client, "/services", "/services", taxonomy_id=feed["other_taxonomy"].id)) == []


def test_services_filter_by_their_own_age_limits(client, feed):
    # minimum_age: services whose minimum age is at least this; maximum_age: whose maximum is at most this.
    assert names(fetch(client, "/services", "/services", minimum_age=18)) == [
        "Carers Counselling", "Guildford Respite Sitters"]
    assert names(fetch(client, "/services", "/services", minimum_age="20.5")) == ["Carers Counselling"]
    assert names(fetch(client, "/services", "/services", maximum_age=17)) == ["Young Carers Clubs"]
    assert names(fetch(client, "/services", "/services", minimum_age=0)) == LISTED
    assert names(fetch(client, "/services", "/services", minimum_age=1e9)) == []


def test_services_search_finds_by_words_and_misspellings(client, feed):
    assert names(fetch(client, "/services", "/services", search="respite")) == ["Guildford Respite Sitters"]
    assert "Carers Counselling" in names(fetch(client, "/services", "/services", search="counseling"))
    assert names(fetch(client, "/services", "/services", search="bereavement")) == []


def test_services_filter_by_organisation_and_modification_time(client, feed):
    assert names(fetch(client, "/services", "/services", organization_id=feed["trust"].id)) == [
        "Carers Helpline", "Redhill Breaks"]
    later = timezone.now() + timedelta(minutes=5)
    assert names(fetch(client, "/services", "/services", modified_after=later.isoformat())) == []
    earlier = timezone.now() - timedelta(days=1)
    assert names(fetch(client, "/services", "/services", modified_after=earlier.isoformat())) == LISTED
    assert names(fetch(client, "/services", "/services", modified_after=earlier.date().isoformat())) == LISTED
    # An offset Python allows but PostgreSQL does not (over 15:59), as schemathesis once sent.
    assert names(fetch(client, "/services", "/services", modified_after="0429-01-01T00:00:00+19:37")) == LISTED


def test_services_filter_by_postcode_area_and_proximity(client, feed):
    # GU1: its own area, the whole partnership area and the phone line reach it; nearest first.
    assert names(fetch(client, "/services", "/services", postcode="gu1 4ab")) == [
        "Guildford Respite Sitters", "Carers Helpline", "Young Carers Clubs"]
    # Within 5 km of GU1's centre, of those that reach GU1: only the one with a place there.
    assert names(fetch(client, "/services", "/services", postcode="GU1", proximity="5000")) == [
        "Guildford Respite Sitters"]


def test_start_time_end_time_and_day_are_accepted_but_cannot_narrow_free_text_opening_hours(client, feed):
    page = fetch(client, "/services", "/services", start_time="09:00", end_time="17:30:00", day="MO")
    assert names(page) == LISTED


# Services at locations


def test_service_at_locations_list_each_place_a_service_is_delivered(client, feed):
    page = fetch(client, "/service_at_locations", "/service_at_locations")
    assert [(entry["service"]["name"], entry["location"]["name"]) for entry in page["contents"]] == [
        ("Carers Counselling", "Woking Hub"),
        ("Guildford Respite Sitters", "Guildford Carers Centre"),
        ("Redhill Breaks", "Redhill Centre"),
    ]
    assert page["contents"][0]["service"]["organization"]["name"] == "Action for Carers Surrey"


def test_service_at_location_nests_the_place_and_the_service(client, feed):
    record = feed["respite"].service_at_locations.get()
    body = fetch(client, f"/service_at_locations/{record.id}", "/service_at_locations/{id}")
    assert body["service_id"] == str(feed["respite"].id)
    assert body["location"]["addresses"][0]["postal_code"] == "GU1 3AA"
    assert body["service"]["languages"][0]["code"] == "en"
    assert "service_at_locations" not in body["service"]


def test_service_at_locations_of_hidden_services_are_404(client, feed):
    for hidden in feed["hidden"]:
        record = ServiceAtLocation.objects.get(service=hidden)
        fetch(client, f"/service_at_locations/{record.id}", status=404)


def test_service_at_locations_filter_by_area_then_by_distance_from_the_postcode(client, feed, needs):
    by_area = fetch(client, "/service_at_locations", "/service_at_locations", postcode="GU21 6AB")
    assert [entry["service"]["name"] for entry in by_area["contents"]] == ["Carers Counselling"]
    near = fetch(client, "/service_at_locations", "/service_at_locations", postcode="RH1", proximity=3000)
    assert [entry["location"]["name"] for entry in near["contents"]] == ["Redhill Centre"]
    far = fetch(client, "/service_at_locations", "/service_at_locations", postcode="GU2", proximity=100)
    assert far["contents"] == [] and far["empty"] is True
    by_need = fetch(client, "/service_at_locations", "/service_at_locations", taxonomy_term_id=needs["breaks"].id)
    assert [entry["service"]["name"] for entry in by_need["contents"]] == [
        "Guildford Respite Sitters", "Redhill Breaks"]


# Taxonomies and terms


def test_taxonomies_are_the_partnerships_own(client, feed, partnership):
    factories.TaxonomyFactory(partnership=partnership, name="Service types", is_need_taxonomy=False,
                              uri="https://example.org/service-types")
    page = fetch(client, "/taxonomies", "/taxonomies")
    assert names(page) == [Taxonomy.objects.get(partnership=partnership, is_need_taxonomy=True).name,
                           "Service types"]
    need_taxonomy = Taxonomy.objects.get(partnership=partnership, is_need_taxonomy=True)
    body = fetch(client, f"/taxonomies/{need_taxonomy.id}", "/taxonomies/{id}")
    assert len(body["taxonomy_terms"]) == need_taxonomy.terms.count()
    fetch(client, f"/taxonomies/{feed['other_taxonomy'].id}", status=404)


def test_taxonomy_terms_list_every_term_with_its_parent(client, feed, needs, partnership):
    page = fetch(client, "/taxonomy_terms", "/taxonomy_terms", per_page=200)
    assert page["total_items"] == len(needs)
    sitting = fetch(client, f"/taxonomy_terms/{needs['breaks-sitting'].id}", "/taxonomy_terms/{id}")
    assert sitting["parent_id"] == str(needs["breaks"].id)
    assert sitting["taxonomy_id"] == str(needs["breaks"].taxonomy_id)
    assert sitting["code"] == "breaks-sitting"
    fetch(client, f"/taxonomy_terms/{feed['other_term'].id}", status=404)


# Organisations


def test_organizations_lists_the_active_members(client, feed, personas):
    page = fetch(client, "/organizations", "/organizations")
    listed = names(page)
    assert "Action for Carers Surrey" in listed and "Riverside Medical Practice" in listed
    assert feed["suspended_org"].name not in listed and feed["other_org"].name not in listed
    assert names(fetch(client, "/organizations", "/organizations", search="heartlands")) == ["Surrey Heartlands NHS"]


def test_organization_nests_its_listed_services(client, feed):
    charity = feed["charity"]
    body = fetch(client, f"/organizations/{charity.id}", "/organizations/{id}")
    assert [service["name"] for service in body["services"]] == [
        "Carers Counselling", "Guildford Respite Sitters", "Young Carers Clubs"]
    assert "languages" not in body["services"][0]
    assert body["phones"][0]["number"] == "01483 000000"
    assert body["locations"][0]["addresses"][0]["postal_code"] == "GU1 3UY"
    full = fetch(client, f"/organizations/{charity.id}", "/organizations/{id}", full_service="true")
    assert full["services"][1]["languages"][1]["code"] == "pl"
    assert full["services"][1]["service_at_locations"][0]["location"]["name"] == "Guildford Carers Centre"
    fetch(client, f"/organizations/{feed['suspended_org'].id}", status=404)
    fetch(client, f"/organizations/{feed['other_org'].id}", status=404)


# Pages


def test_pages_follow_the_profile_envelope(client, feed):
    first = fetch(client, "/services", "/services", per_page=2)
    assert {key: first[key] for key in first if key != "contents"} == {
        "total_items": 5, "total_pages": 3, "page_number": 1, "size": 2, "first_page": True, "last_page": False,
        "empty": False,
    }
    last = fetch(client, "/services", "/services", per_page=2, page=3)
    assert names(last) == ["Young Carers Clubs"] and last["last_page"] is True and last["size"] == 1
    beyond = fetch(client, "/services", "/services", per_page=2, page=9)
    assert beyond["contents"] == [] and beyond["empty"] is True and beyond["total_items"] == 5


def test_an_empty_directory_is_an_empty_page(client, db):
    page = fetch(client, "/services", "/services")
    assert page["total_items"] == 0 and page["total_pages"] == 0 and page["empty"] is True
    assert page["first_page"] is True and page["last_page"] is True


@pytest.mark.parametrize("path", ["/services", "/service_at_locations", "/organizations", "/taxonomy_terms"])
def test_a_page_costs_a_bounded_number_of_queries_whatever_its_size(
    client, partnership, needs, path, django_assert_max_num_queries
):
    location = factories.LocationFactory()
    for index in range(30):
        member = factories.MembershipFactory(partnership=partnership).organisation
        factories.ServiceFactory(organisation=member, name=f"Service {index}", needs=[needs["breaks"]],
                                 districts=["GU1"], locations=[location], languages=["en"])
    for per_page in (5, 200):
        with django_assert_max_num_queries(6):
            page = fetch(client, path, path, per_page=per_page, postcode="GU1") if path.startswith("/serv") else (
                fetch(client, path, path, per_page=per_page))
        assert page["size"] == min(per_page, page["total_items"])
    with django_assert_max_num_queries(6):
        fetch(client, path, path, per_page=5, page=99)


def test_full_records_cost_a_bounded_number_of_queries(client, feed, django_assert_max_num_queries):
    record = feed["respite"].service_at_locations.get()
    for path, endpoint in [
        (f"/services/{feed['respite'].id}", "/services/{id}"),
        (f"/service_at_locations/{record.id}", "/service_at_locations/{id}"),
        (f"/organizations/{feed['charity'].id}?full_service=true", "/organizations/{id}"),
    ]:
        with django_assert_max_num_queries(8):
            response = client.get(STUB + path)
        assert response.status_code == 200
        assert validation.errors(response.json(), RESPONSE_SCHEMAS[endpoint]) == []


# Errors: JSON, explained, with the CORS header, never a 500


@pytest.mark.parametrize("kind", ["services", "service_at_locations", "taxonomies", "taxonomy_terms", "organizations"])
@pytest.mark.parametrize("record_id", ["not-a-uuid", "12345", "%00", "00000000-0000-0000-0000-00000000000g"])
def test_malformed_ids_are_404_json(client, db, kind, record_id):
    fetch(client, f"/{kind}/{record_id}", status=404)


@pytest.mark.parametrize("kind", ["services", "service_at_locations", "taxonomies", "taxonomy_terms", "organizations"])
def test_unknown_ids_are_404_json(client, feed, kind):
    body = fetch(client, f"/{kind}/{uuid.uuid4()}", status=404)
    assert "no" in body["message"].lower()


@pytest.mark.parametrize("path", ["/nothing-here", "/services/", "/services/a/b", "/openapi.yaml"])
def test_unknown_paths_under_the_stub_are_404_json(client, db, path):
    fetch(client, path, status=404)


BAD_PARAMETERS = [
    ("page", {"page": "abc"}),
    ("page", {"page": "0"}),
    ("page", {"page": "-1"}),
    ("page", {"page": "99999999999999999999999"}),
    ("per_page", {"per_page": "0"}),
    ("per_page", {"per_page": "100000"}),
    ("per_page", {"per_page": "1.5"}),
    ("minimum_age", {"minimum_age": "x"}),
    ("minimum_age", {"minimum_age": "nan"}),
    ("maximum_age", {"maximum_age": "Infinity"}),
    ("proximity", {"proximity": "1000"}),
    ("proximity", {"postcode": "GU1", "proximity": "near"}),
    ("proximity", {"postcode": "GU1", "proximity": "-5"}),
    ("postcode", {"postcode": "NOT A POSTCODE"}),
    ("postcode", {"postcode": "GU1\x00"}),
    ("postcode", {"postcode": "ZZ99 9ZZ", "proximity": "1000"}),
    ("taxonomy_term_id", {"taxonomy_term_id": "breaks"}),
    ("taxonomy_id", {"taxonomy_id": "1"}),
    ("organization_id", {"organization_id": "charity"}),
    ("modified_after", {"modified_after": "yesterday"}),
    ("modified_after", {"modified_after": "2024-13-45"}),
    ("start_time", {"start_time": "9am"}),
    ("end_time", {"end_time": "25:00"}),
    ("day", {"day": "someday"}),
    ("search", {"search": "x" * 201}),
]


@pytest.mark.parametrize("path", ["/services", "/service_at_locations"])
@pytest.mark.parametrize(("parameter", "query"), BAD_PARAMETERS)
def test_bad_parameters_are_400_json_naming_the_parameter(client, feed, path, parameter, query):
    body = fetch(client, path, status=400, **query)
    assert body["parameter"] == parameter


@pytest.mark.parametrize(("path", "query"), [
    ("/taxonomies", {"page": "abc"}), ("/taxonomy_terms", {"per_page": "0"}),
    ("/organizations", {"per_page": "201"}), ("/organizations", {"page": "1e3"}),
])
def test_bad_paging_of_other_lists_is_400_json(client, db, path, query):
    fetch(client, path, status=400, **query)


def test_bad_full_service_flag_is_400_json(client, feed):
    fetch(client, f"/organizations/{feed['charity'].id}", status=400, full_service="perhaps")


def test_an_unknown_district_still_filters_by_area_without_proximity(client, feed):
    assert names(fetch(client, "/services", "/services", postcode="ZZ99 9ZZ")) == ["Carers Helpline"]


def test_the_feed_is_read_only_and_open_to_any_origin(client, feed):
    response = client.post(f"{STUB}/services", {"name": "x"})
    assert response.status_code == 405
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Allow"]
    assert validation.errors(response.json(), ERROR_SCHEMA) == []
    preflight = client.options(f"{STUB}/services", HTTP_ORIGIN="https://elsewhere.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert client.get(f"{STUB}/services", HTTP_ORIGIN="https://elsewhere.example")[
        "Access-Control-Allow-Origin"] == "*"


def test_without_a_partnership_the_feed_is_empty_not_broken(client, db, settings):
    settings.PARTNERSHIP_SLUG = "nowhere"
    for path in ["/services", "/service_at_locations", "/taxonomies", "/taxonomy_terms", "/organizations"]:
        assert fetch(client, path, path)["total_items"] == 0
    fetch(client, f"/services/{uuid.uuid4()}", status=404)



@pytest.mark.django_db
def test_the_stub_without_its_slash_answers_with_cors(client):
    response = client.get("/api/oruk")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["version"] == "3.0"
