"""Directory results by place: the services nearby first, then those reaching the carer only by phone,
online or across the whole partnership area, under their own heading; and "within 5 miles" means it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests import factories

URL = reverse("organisations:search")
REMOTE_HEADING = "Also available by phone or online"


@pytest.fixture
def directory(partnership, needs):
    """Services a carer in Guildford (GU1) might find, each reaching GU1 a different way."""
    member = factories.MembershipFactory(partnership=partnership).organisation
    guildford = factories.LocationFactory(name="Guildford centre", postal_code="GU1 3AA")
    woking = factories.LocationFactory(name="Woking centre", postal_code="GU21 6AA")  # about 6 miles away
    oxted = factories.LocationFactory(name="Oxted hall", postal_code="RH8 0AA")  # about 24 miles away
    breaks = [needs["breaks"]]

    def service(name: str, **kwargs):
        return factories.ServiceFactory(organisation=member, name=name, needs=breaks, **kwargs)

    return {
        "sitters": service("Guildford Respite Sitters", districts=["GU1"], locations=[guildford]),
        "home_visits": service("GU1 Home Visits", districts=["GU1"], delivered_in_person=False,
                               delivered_at_home=True),  # serves GU1 with no place to measure from
        "woking": service("Woking Carers Centre", districts=["GU21"], locations=[woking]),
        "oxted": service("Oxted Carers Club", districts=["GU1", "RH8"], locations=[oxted]),
        "oxted_phone": service("Oxted Advice Line", districts=["GU1", "RH8"], locations=[oxted],
                               delivered_by_phone=True),
        "helpline": service("Carers Helpline", delivered_in_person=False, delivered_by_phone=True),
        "online": service("Carers Online Course", delivered_in_person=False, delivered_online=True),
        "countywide": service("Countywide Breaks", serves_whole_area=True, delivered_in_person=False,
                              delivered_at_home=True),
    }


def groups(response) -> tuple[list[str], list[str]]:
    results = response.context["results"]
    return ([m.service.name for m in results.nearby_matches], [m.service.name for m in results.remote_matches])


def text_of(response) -> str:
    """The page's words in order, without markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_within_5_miles_does_not_list_a_service_24_miles_away_even_if_its_area_covers_the_district(
        client, directory):
    results = client.get(URL, {"postcode": "GU1 4AB", "distance": "5"}).context["results"]
    found = [match.service.name for match in results.matches]
    assert "Guildford Respite Sitters" in found
    assert "Oxted Carers Club" not in found  # 24 miles, in person only
    assert "Woking Carers Centre" not in found  # about 6 miles


def test_within_5_miles_lists_nearby_services_nearest_first_then_those_reaching_by_phone_online_or_area(
        client, directory):
    nearby, remote = groups(client.get(URL, {"postcode": "GU1 4AB", "distance": "5"}))
    # Serving GU1 with no place to measure from, it cannot be further: after the measured ones.
    assert nearby == ["Guildford Respite Sitters", "GU1 Home Visits"]
    # 24 miles away, but it also works by phone: listed with the services that reach by phone, and
    # first of them, as the one with a place nearest.
    assert remote == ["Oxted Advice Line", "Carers Helpline", "Carers Online Course", "Countywide Breaks"]


def test_a_wider_distance_brings_in_services_with_a_place_within_it(client, directory):
    nearby, remote = groups(client.get(URL, {"postcode": "GU1", "distance": "10"}))
    assert nearby == ["Guildford Respite Sitters", "Woking Carers Centre", "GU1 Home Visits"]
    assert "Oxted Carers Club" not in remote


def test_without_a_distance_services_serving_the_district_are_nearby_by_distance(client, directory):
    nearby, remote = groups(client.get(URL, {"postcode": "GU1 4AB"}))
    assert nearby == ["Guildford Respite Sitters", "Oxted Advice Line", "Oxted Carers Club", "GU1 Home Visits"]
    assert remote == ["Carers Helpline", "Carers Online Course", "Countywide Breaks"]
    assert "Woking Carers Centre" not in nearby + remote  # serves GU21 only


def test_the_remote_services_come_after_the_nearby_ones_under_their_own_heading(client, directory):
    response = client.get(URL, {"postcode": "GU1 4AB", "distance": "5"})
    body = response.content.decode()
    assert body.count(REMOTE_HEADING) == 1
    assert re.search(r'<h3 class="[^"]*" id="remote-results-heading">Also available by phone or online</h3>', body)
    assert "Including services that cover the whole partnership area" in body
    text = text_of(response)
    heading = text.index(REMOTE_HEADING)
    assert text.index("GU1 Home Visits") < heading < text.index("Oxted Advice Line")
    # Two lists, each named; the remote services' titles sit under the group's heading.
    assert '<ol class="govuk-list" aria-labelledby="results-heading">' in body
    assert '<ol class="govuk-list" aria-labelledby="results-heading remote-results-heading">' in body
    assert re.search(r'<h4 class="govuk-heading-s app-result__title"><a [^>]+>Carers Helpline</a></h4>', body)


def test_a_page_that_begins_inside_the_remote_group_starts_with_its_heading(client, directory, settings):
    settings.DIRECTORY_PAGE_SIZE = 3
    query = {"postcode": "GU1 4AB", "distance": "5"}
    first = client.get(URL, query)
    assert groups(first) == (["Guildford Respite Sitters", "GU1 Home Visits"], ["Oxted Advice Line"])
    assert REMOTE_HEADING in first.content.decode()  # the group starts part-way down the page

    second = client.get(URL, {**query, "page": 2})
    assert groups(second) == ([], ["Carers Helpline", "Carers Online Course", "Countywide Breaks"])
    text = text_of(second)
    assert text.index("Showing 4 to 6") < text.index(REMOTE_HEADING) < text.index("Carers Helpline")


def test_a_page_of_nearby_services_only_has_no_remote_heading(client, directory, settings):
    settings.DIRECTORY_PAGE_SIZE = 2
    response = client.get(URL, {"postcode": "GU1 4AB", "distance": "5"})
    assert groups(response) == (["Guildford Respite Sitters", "GU1 Home Visits"], [])
    assert REMOTE_HEADING not in response.content.decode()


def test_the_whole_area_hint_is_shown_only_where_whole_area_services_reach(client, directory):
    # Outside the partnership area a whole-area service does not reach the carer.
    response = client.get(URL, {"postcode": "RH8 0AA", "distance": "5"})
    nearby, remote = groups(response)
    assert nearby == ["Oxted Advice Line", "Oxted Carers Club"]
    assert remote == ["Carers Helpline", "Carers Online Course"]
    body = response.content.decode()
    assert REMOTE_HEADING in body and "Including services that cover the whole partnership area" not in body


def test_without_a_postcode_results_are_not_grouped(client, directory, needs):
    response = client.get(URL, {"needs": [needs["breaks"].pk]})
    results = response.context["results"]
    assert results.total == 8 and results.remote_matches == []
    assert [m.service.name for m in results.matches][:2] == ["Carers Helpline", "Carers Online Course"]  # by name
    assert REMOTE_HEADING not in response.content.decode()


def test_words_searched_do_not_reorder_the_nearby_group_away_from_nearest_first(client, directory):
    nearby, remote = groups(client.get(URL, {"postcode": "GU1", "q": "oxted"}))
    assert nearby == ["Oxted Advice Line", "Oxted Carers Club"]
    assert remote == []
    nearby, _ = groups(client.get(URL, {"postcode": "GU1", "q": "carers"}))
    assert nearby[0] == "Guildford Respite Sitters"


def test_a_grouped_page_costs_a_bounded_number_of_queries(client, partnership, needs,
                                                          django_assert_max_num_queries):
    member = factories.MembershipFactory(partnership=partnership).organisation
    location = factories.LocationFactory()
    for index in range(30):
        factories.ServiceFactory(organisation=member, name=f"Breaks {index}", needs=[needs["breaks"]],
                                 districts=["GU1"], locations=[location])
        factories.ServiceFactory(organisation=member, name=f"Breaks line {index}", needs=[needs["breaks"]],
                                 delivered_in_person=False, delivered_by_phone=True)
    query = {"needs": [needs["breaks"].pk], "postcode": "GU1", "distance": "5", "q": "breaks"}
    with django_assert_max_num_queries(12):
        response = client.get(URL, {**query, "page": 2})
    results = response.context["results"]
    assert results.total == 60 and len(results.nearby_matches) == 10 and len(results.remote_matches) == 10
    assert REMOTE_HEADING in response.content.decode()
