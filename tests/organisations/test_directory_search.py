"""Directory search: what the public and staff find, why, and at what cost in queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organisations.models import Membership, Service
from tests import factories

URL = reverse("organisations:search")


@pytest.fixture
def directory(partnership, needs):
    """A few services around Guildford and beyond, each a different way of reaching a carer."""
    member = factories.MembershipFactory(partnership=partnership).organisation
    guildford = factories.LocationFactory(name="Guildford centre", postal_code="GU1 3AA")
    woking = factories.LocationFactory(name="Woking centre", postal_code="GU21 6AA")
    redhill = factories.LocationFactory(name="Redhill centre", postal_code="RH1 1AA")
    return {
        "respite": factories.ServiceFactory(
            organisation=member, name="Guildford Respite Sitters", needs=[needs["breaks"]],
            districts=["GU1", "GU2"], locations=[guildford],
            description="Trained volunteers sit with the person you care for so you can have a break.",
        ),
        "counselling": factories.ServiceFactory(
            organisation=member, name="Carers Counselling", needs=[needs["emotional-support"]],
            districts=["GU21"], locations=[woking], is_free=False, fees_description="£10 a session",
        ),
        "helpline": factories.ServiceFactory(
            organisation=member, name="Carers Helpline", needs=[needs["emotional-support"],
                                                                  needs["information-advice"]],
            delivered_in_person=False, delivered_by_phone=True,
        ),
        "redhill_breaks": factories.ServiceFactory(
            organisation=member, name="Redhill Breaks", needs=[needs["breaks"]], districts=["RH1"],
            locations=[redhill], referral_capacity=Service.Capacity.WAITING_LIST, usual_wait_weeks=2,
        ),
        "countywide": factories.ServiceFactory(
            organisation=member, name="Countywide Carers Assessment", needs=[needs["carers-assessment"]],
            serves_whole_area=True, delivered_at_home=True,
        ),
    }


def names(response) -> list[str]:
    return [match.service.name for match in response.context["results"].matches]


def test_empty_search_shows_guidance_not_a_blank_page(client, directory):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["results"] is None
    assert "To find support" in response.content.decode()


def test_search_by_need_finds_services_meeting_it_and_says_why(client, directory, needs):
    response = client.get(URL, {"needs": [needs["breaks"].pk]})
    assert sorted(names(response)) == ["Guildford Respite Sitters", "Redhill Breaks"]
    assert "Covers breaks and respite" in response.content.decode()


def test_search_by_parent_need_includes_services_for_narrower_needs(client, partnership, needs):
    member = factories.MembershipFactory(partnership=partnership).organisation
    sitting = needs["breaks-sitting"]
    factories.ServiceFactory(organisation=member, name="Sitting Service", needs=[sitting], serves_whole_area=True)
    response = client.get(URL, {"needs": [needs["breaks"].pk]})
    assert names(response) == ["Sitting Service"]


def test_postcode_search_orders_by_distance_and_includes_remote_services(client, directory):
    response = client.get(URL, {"postcode": "gu1 4ab"})
    found = names(response)
    assert found[0] == "Guildford Respite Sitters"
    assert "Carers Helpline" in found  # by phone reaches anybody
    assert "Countywide Carers Assessment" in found  # GU1 is in the partnership area
    assert "Redhill Breaks" not in found  # serves RH1 only
    assert "Carers Counselling" not in found  # serves GU21 only
    first = response.context["results"].matches[0]
    assert "Serves GU1" in first.reasons


def test_distance_filter_adds_services_with_a_location_within_reach(client, directory):
    near = names(client.get(URL, {"postcode": "GU1 4AB", "distance": "10"}))
    assert "Carers Counselling" in near  # Woking is about 6 miles from Guildford
    assert "Redhill Breaks" not in near  # Redhill is further
    result = client.get(URL, {"postcode": "GU1", "distance": "10"}).context["results"]
    counselling = next(m for m in result.matches if m.service.name == "Carers Counselling")
    assert 3 < counselling.distance_miles < 10


def test_misspelt_word_still_finds_the_service(client, directory):
    assert "Guildford Respite Sitters" in names(client.get(URL, {"q": "respit"}))
    assert "Carers Counselling" in names(client.get(URL, {"q": "counseling"}))


def test_text_search_does_not_return_services_that_do_not_match(client, directory):
    assert names(client.get(URL, {"q": "bereavement"})) == []


def test_filters_for_delivery_cost_and_capacity(client, directory):
    assert names(client.get(URL, {"delivery": ["phone"]})) == ["Carers Helpline"]
    assert "Carers Counselling" not in names(client.get(URL, {"free": "on", "q": "carers"}))
    accepting = names(client.get(URL, {"accepting": "on", "needs": [directory["respite"].needs.first().pk]}))
    assert accepting == ["Guildford Respite Sitters"]


def test_invalid_postcode_is_reported_next_to_the_field_and_kept(client, directory):
    response = client.get(URL, {"postcode": "NOT A POSTCODE"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Enter a real postcode" in body
    assert 'value="NOT A POSTCODE"' in body


@pytest.mark.parametrize("postcode, district", [("ZZ99 9ZZ", "ZZ99"), ("zz1", "ZZ1"), ("ZZ1 1ZZ", "ZZ1")])
def test_a_district_we_do_not_know_is_an_error_not_a_search_of_everywhere(client, directory, postcode, district):
    response = client.get(URL, {"postcode": postcode, "needs": [directory["respite"].needs.first().pk]})
    assert response.status_code == 200
    assert response.context["results"] is None
    message = f"We do not recognise {district} — check the postcode"
    assert response.context["form"].errors["postcode"] == [message]
    body = response.content.decode()
    assert "govuk-error-summary" in body and f'<a href="#id_postcode">{message}</a>' in body
    assert f'value="{postcode}"' in body


def test_inactive_services_and_suspended_members_are_not_listed(client, partnership, needs):
    suspended = factories.MembershipFactory(partnership=partnership, status=Membership.Status.SUSPENDED)
    factories.ServiceFactory(organisation=suspended.organisation, name="Hidden A", serves_whole_area=True,
                             needs=[needs["breaks"]])
    active = factories.MembershipFactory(partnership=partnership)
    factories.ServiceFactory(organisation=active.organisation, name="Hidden B", status=Service.Status.INACTIVE,
                             needs=[needs["breaks"]])
    assert names(client.get(URL, {"needs": [needs["breaks"].pk]})) == []


def test_a_page_of_results_costs_a_bounded_number_of_queries(client, partnership, needs,
                                                             django_assert_max_num_queries):
    member = factories.MembershipFactory(partnership=partnership).organisation
    location = factories.LocationFactory()
    for index in range(45):
        factories.ServiceFactory(organisation=member, name=f"Breaks {index}", needs=[needs["breaks"]],
                                 districts=["GU1"], locations=[location])
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"needs": [needs["breaks"].pk], "postcode": "GU1", "q": "breaks"})
    results = response.context["results"]
    assert results.total == 45 and len(results.matches) == 20 and results.num_pages == 3
    with django_assert_max_num_queries(12):
        last = client.get(URL, {"needs": [needs["breaks"].pk], "page": 3}).context["results"]
    assert len(last.matches) == 5


def test_page_past_the_end_shows_the_last_page(client, directory, needs):
    results = client.get(URL, {"needs": [needs["breaks"].pk], "page": 99}).context["results"]
    assert results.number == 1 and results.total == 2


def test_service_and_organisation_pages(client, directory):
    service = directory["counselling"]
    response = client.get(service.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Carers Counselling" in body and "£10 a session" in body
    response = client.get(service.organisation.get_absolute_url())
    assert response.status_code == 200
    assert "Carers Counselling" in response.content.decode()


def test_inactive_service_page_is_404(client, directory):
    service = directory["helpline"]
    service.status = Service.Status.INACTIVE
    service.save()
    assert client.get(service.get_absolute_url()).status_code == 404
