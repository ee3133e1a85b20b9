"""Property-based checks of the live Open Referral UK feed against the OpenAPI document it serves.

Schemathesis reads /api/oruk/openapi.json from a running server, generates requests for every GET
operation (valid and invalid parameters, real and made-up ids) and checks that no response is a
server error and that every response matches what the document says for its status. The document's
references to the published profile schemas are read from the copy shipped in organisations/oruk/schema.
"""

from __future__ import annotations

import json

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from organisations.models import ServiceAtLocation, Taxonomy, TaxonomyTerm
from organisations.oruk import validation
from tests import factories

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
EXAMPLES_PER_OPERATION = 20
# Every path the served document lists (each is a GET).
PATHS = sorted(json.loads(validation.OPENAPI_SERVED.read_text())["paths"])
DETAIL_PATHS = {
    "/services/{id}": "services",
    "/service_at_locations/{id}": "service_at_locations",
    "/taxonomies/{id}": "taxonomies",
    "/taxonomy_terms/{id}": "taxonomy_terms",
    "/organizations/{id}": "organizations",
}


@pytest.fixture
def directory(partnership, needs):
    member = factories.MembershipFactory(
        partnership=partnership,
        organisation=factories.OrganisationFactory(name="Action for Carers Surrey", charity_number="1234567",
                                                   phone="01483 000000", postal_code="GU1 3UY"),
    ).organisation
    guildford = factories.LocationFactory(name="Guildford centre", postal_code="GU1 3AA")
    factories.ServiceFactory(
        organisation=member, name="Guildford Respite Sitters", needs=[needs["breaks-sitting"]],
        districts=["GU1", "GU2"], locations=[guildford], languages=["en", "pl"], phone="01483 111111",
        contact_name="Sam Brookes", opening_hours="Weekdays 9 to 5", minimum_age=18, url="https://example.org/r",
    )
    factories.ServiceFactory(
        organisation=member, name="Carers Helpline", needs=[needs["information-advice"]], is_free=False,
        fees_description="£5 a call", delivered_in_person=False, delivered_by_phone=True, serves_whole_area=True,
    )
    return member


def _real_ids(directory) -> dict[str, list[str]]:
    """The ids of records in the directory, so requests reach 200s as well as 404s."""
    return {
        "services": [str(pk) for pk in directory.services.values_list("pk", flat=True)],
        "service_at_locations": [str(pk) for pk in ServiceAtLocation.objects.values_list("pk", flat=True)],
        "taxonomies": [str(pk) for pk in Taxonomy.objects.values_list("pk", flat=True)],
        "taxonomy_terms": [str(pk) for pk in TaxonomyTerm.objects.values_list("pk", flat=True)[:5]],
        "organizations": [str(directory.pk)],
    }


def _with_local_schemas(document: dict) -> dict:
    """The served document with its references to the published profile files pointed at the shipped copy."""
    text = json.dumps(document).replace(validation.PUBLISHED_SCHEMA_URL, validation.SCHEMA_DIR.as_uri() + "/")
    return json.loads(text)


@pytest.fixture
def oruk_api(live_server, settings, directory):
    settings.PARTNERSHIP_SLUG = "surrey"
    settings.SITE_URL = live_server.url  # so the document's `servers` entry is this live server
    response = requests.get(f"{live_server.url}/api/oruk/openapi.json", timeout=10)
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    document = _with_local_schemas(response.json())
    server = document["servers"][0]["url"]
    assert server == f"{live_server.url}/api/oruk"
    api = schemathesis.openapi.from_dict(document)
    api.config.update(base_url=server)  # requests go where the served document says
    return api, _real_ids(directory)


# One test for all operations, each a subtest: the live server's database is set up once, not per operation.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_get_operation_conforms_to_the_served_openapi_document(oruk_api, subtests):
    # Schemathesis' own pytest loader (schemathesis.pytest.from_fixture) fails on pytest 9, so each
    # operation's strategies drive Hypothesis directly: valid and invalid requests alike, and for an
    # operation on one record, requests for real records too (a made-up id is only ever a 404).
    api, real_ids = oruk_api
    assert set(DETAIL_PATHS) <= set(PATHS)
    for path in PATHS:
        operation = api[path]["GET"]
        strategies = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        if path in DETAIL_PATHS:
            strategies += [operation.as_strategy(path_parameters={"id": record_id})
                           for record_id in real_ids[DETAIL_PATHS[path]]]
        cases = st.one_of(strategies)

        @given(case=cases)
        @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck))
        def conforms(case):
            response = case.call_and_validate(checks=CHECKS)
            assert response.headers["access-control-allow-origin"] == ["*"]

        with subtests.test(msg=f"GET {path}"):
            conforms()
