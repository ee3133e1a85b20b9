"""The routing rules of PRODUCT.md, on the pure function and on a real directory snapshot."""

from __future__ import annotations

from dataclasses import replace

import pytest

from organisations.models import Membership, Service
from referrals.routing import Circumstances, Need, ServiceFacts, circumstances_for, load_directory, needs_for, route
from tests import factories

BREAKS = Need(id="breaks", name="Breaks and respite", term_ids=frozenset({"breaks", "sitting"}))
EMOTIONAL = Need(id="emotional", name="Emotional support", term_ids=frozenset({"emotional"}))
MONEY = Need(id="money", name="Money and benefits", term_ids=frozenset({"money"}))

GUILDFORD = (51.2362, -0.5704)
WOKING = (51.3190, -0.5580)
REDHILL = (51.2400, -0.1700)


def carer(**overrides) -> Circumstances:
    values = {"age": 52, "young_carer": False, "condition_group": "dementia", "district": "GU1",
              "district_in_partnership_area": True, "latitude": GUILDFORD[0], "longitude": GUILDFORD[1]}
    values.update(overrides)
    return Circumstances(**values)


def service(name: str, needs: set, **overrides) -> ServiceFacts:
    values = {"id": name, "name": name, "organisation_name": "Org", "need_ids": frozenset(needs),
              "minimum_age": None, "maximum_age": None, "carer_ages": "all", "condition_groups": frozenset(),
              "districts": frozenset({"GU1"}), "serves_whole_area": False, "by_phone": False, "online": False,
              "coordinates": (GUILDFORD,)}
    values.update(overrides)
    return ServiceFacts(**values)


def names(routing) -> list[str]:
    return [m.service.name for m in routing.matches]


def test_services_covering_more_needs_rank_first_then_nearer_then_shorter_wait():
    directory = [
        service("far one-need", {"breaks"}, coordinates=(REDHILL,)),
        service("near one-need", {"breaks"}, coordinates=(GUILDFORD,)),
        service("two needs far", {"breaks", "emotional"}, coordinates=(WOKING,)),
        service("near long wait", {"breaks"}, coordinates=(GUILDFORD,), waiting_list=True, usual_wait_weeks=6),
    ]
    result = route(circumstances=carer(district="GU1"), needs=[BREAKS, EMOTIONAL], directory=directory)
    assert names(result) == ["two needs far", "near one-need", "near long wait", "far one-need"]


def test_each_match_explains_itself():
    directory = [service("Respite", {"sitting", "emotional"}, coordinates=(WOKING,), waiting_list=True,
                         usual_wait_weeks=2)]
    match = route(circumstances=carer(), needs=[BREAKS, EMOTIONAL], directory=directory).matches[0]
    assert match.reasons == ["Covers breaks and respite and emotional support", "6 miles", "usual wait 2 weeks"]


def test_a_service_must_reach_the_carers_place():
    directory = [
        service("other district", {"breaks"}, districts=frozenset({"RH1"})),
        service("whole area", {"breaks"}, districts=frozenset(), serves_whole_area=True),
        service("by phone", {"breaks"}, districts=frozenset(), by_phone=True),
        service("online", {"breaks"}, districts=frozenset(), online=True),
    ]
    inside = set(names(route(circumstances=carer(), needs=[BREAKS], directory=directory)))
    assert inside == {"by phone", "online", "whole area"}
    outside = carer(district="SW1A", district_in_partnership_area=False)
    assert set(names(route(circumstances=outside, needs=[BREAKS], directory=directory))) == {"by phone", "online"}


def test_eligibility_age_young_carer_and_condition_group():
    directory = [
        service("adults only", {"breaks"}, carer_ages="adults"),
        service("young only", {"breaks"}, carer_ages="young"),
        service("over 65", {"breaks"}, minimum_age=65),
        service("mental health", {"breaks"}, condition_groups=frozenset({"mental-health"})),
        service("dementia", {"breaks"}, condition_groups=frozenset({"dementia"})),
    ]
    adult = set(names(route(circumstances=carer(), needs=[BREAKS], directory=directory)))
    assert adult == {"adults only", "dementia"}
    young = set(names(route(circumstances=carer(age=14, young_carer=True), needs=[BREAKS], directory=directory)))
    assert young == {"young only", "dementia"}
    unknown_condition = route(circumstances=carer(condition_group=None, age=70), needs=[BREAKS], directory=directory)
    assert set(names(unknown_condition)) == {"adults only", "over 65", "mental health", "dementia"}


def test_a_need_no_service_meets_in_the_area_is_unmet():
    directory = [service("breaks", {"breaks"})]
    result = route(circumstances=carer(), needs=[BREAKS, MONEY], directory=directory)
    assert result.unmet_needs == [MONEY]


def test_the_best_match_for_each_need_is_proposed():
    directory = [
        service("both", {"breaks", "emotional"}, coordinates=(REDHILL,)),
        service("breaks near", {"breaks"}),
        service("money", {"money"}),
        service("money far", {"money"}, coordinates=(REDHILL,)),
    ]
    result = route(circumstances=carer(), needs=[BREAKS, EMOTIONAL, MONEY], directory=directory)
    assert [m.service.name for m in result.selected] == ["both", "money"]


def test_a_service_with_an_open_item_for_the_carer_is_not_proposed_again():
    directory = [service("already", {"breaks"}), service("another", {"breaks"}, coordinates=(REDHILL,))]
    result = route(circumstances=carer(), needs=[BREAKS], directory=directory,
                   open_service_ids=frozenset({"already"}))
    assert names(result) == ["another"]
    assert [s.name for s in result.already_open] == ["already"]
    assert result.unmet_needs == []


def test_unknown_district_centre_still_routes_by_area():
    directory = [service("area", {"breaks"}, districts=frozenset({"GU99"}))]
    result = route(circumstances=carer(district="GU99", latitude=None, longitude=None), needs=[BREAKS],
                   directory=directory)
    assert names(result) == ["area"] and result.matches[0].distance_miles is None


@pytest.mark.django_db
def test_snapshot_of_the_directory_leaves_out_paused_inactive_and_non_members(partnership, needs,
                                                                                 django_assert_max_num_queries):
    member = factories.MembershipFactory(partnership=partnership).organisation
    suspended = factories.MembershipFactory(partnership=partnership, status=Membership.Status.SUSPENDED).organisation
    breaks = needs["breaks"]
    factories.ServiceFactory(organisation=member, name="Open", needs=[needs["breaks-sitting"]], districts=["GU1"],
                             locations=[factories.LocationFactory()])
    factories.ServiceFactory(organisation=member, name="Paused", needs=[breaks],
                             referral_capacity=Service.Capacity.PAUSED)
    factories.ServiceFactory(organisation=member, name="Inactive", needs=[breaks], status=Service.Status.INACTIVE)
    factories.ServiceFactory(organisation=suspended, name="Suspended member", needs=[breaks])
    factories.ServiceFactory(organisation=member, name="Other need", needs=[needs["money"]])
    wanted = needs_for([breaks])
    with django_assert_max_num_queries(6):
        directory = load_directory(partnership=partnership, needs=wanted)
    assert [s.name for s in directory] == ["Open"]
    assert directory[0].coordinates and "GU1" in directory[0].districts
    circumstances = circumstances_for(partnership=partnership, age=40, young_carer=False, condition_group=None,
                                      district="GU1")
    assert circumstances.district_in_partnership_area and circumstances.latitude
    assert names(route(circumstances=circumstances, needs=wanted, directory=directory)) == ["Open"]


# --- One service run in several districts -------------------------------------------------------------


def branch(service_id: str, name: str, needs: set, **overrides) -> ServiceFacts:
    """A listing of a service an organisation may run under the same name in several districts."""
    return replace(service(service_id, needs, **overrides), name=name)


def test_a_service_one_organisation_runs_in_several_districts_is_offered_once_where_nearest():
    directory = [
        branch("branch far", "Carers Breaks", {"breaks"}, organisation_id="charity", coordinates=(REDHILL,)),
        branch("branch near", "Carers Breaks", {"breaks"}, organisation_id="charity", coordinates=(GUILDFORD,)),
        branch("branch middle", "carers  BREAKS", {"breaks"}, organisation_id="charity", coordinates=(WOKING,)),
        branch("other charity", "Carers Breaks", {"breaks"}, organisation_id="other", coordinates=(WOKING,)),
    ]
    result = route(circumstances=carer(), needs=[BREAKS], directory=directory)
    assert [m.service.id for m in result.matches] == ["branch near", "other charity"]
    assert [m.service.id for m in result.selected] == ["branch near"]


def test_a_need_only_a_dropped_branch_meets_is_not_reported_unmet():
    directory = [
        # The nearer branch is kept and the further one dropped; the organisation does offer money
        # advice to this carer, so it is not a gap in what the partnership offers.
        branch("near", "Carers Centre", {"breaks"}, organisation_id="charity", coordinates=(GUILDFORD,)),
        branch("far", "Carers Centre", {"money"}, organisation_id="charity", coordinates=(REDHILL,)),
    ]
    result = route(circumstances=carer(), needs=[BREAKS, MONEY], directory=directory)
    assert [m.service.id for m in result.matches] == ["near"]
    assert result.unmet_needs == []


def test_another_branch_of_a_service_with_an_open_referral_is_not_offered_instead():
    directory = [
        branch("open branch", "Carers Breaks", {"breaks"}, organisation_id="charity", coordinates=(REDHILL,)),
        branch("other branch", "Carers Breaks", {"breaks"}, organisation_id="charity", coordinates=(GUILDFORD,)),
        service("another service", {"breaks"}, organisation_id="charity", coordinates=(WOKING,)),
    ]
    result = route(circumstances=carer(), needs=[BREAKS], directory=directory,
                   open_service_ids=frozenset({"open branch"}))
    assert [s.id for s in result.already_open] == ["open branch"]
    assert names(result) == ["another service"]
    assert result.unmet_needs == []


# --- Nearby or by phone and online, and the page grouped by need ---------------------------------------


def test_a_match_is_nearby_when_it_reaches_the_carer_in_person():
    directory = [
        service("area, no place", {"breaks"}, coordinates=()),
        service("place, whole area", {"breaks"}, districts=frozenset(), serves_whole_area=True),
        service("phone, area", {"breaks"}, by_phone=True, coordinates=()),
        service("phone only", {"breaks"}, districts=frozenset(), by_phone=True, coordinates=()),
        service("online only", {"breaks"}, districts=frozenset(), online=True, coordinates=()),
        service("whole area only", {"breaks"}, districts=frozenset(), serves_whole_area=True, coordinates=()),
    ]
    result = route(circumstances=carer(), needs=[BREAKS], directory=directory)
    nearby = {m.service.name: m.nearby for m in result.matches}
    assert nearby == {"area, no place": True, "place, whole area": True, "phone, area": True,
                      "phone only": False, "online only": False, "whole area only": False}


def test_the_page_shows_each_service_once_under_the_first_need_it_meets_nearby_ones_first():
    directory = [
        service("both near", {"breaks", "emotional"}),
        service("emotional near", {"emotional"}, coordinates=(WOKING,)),
        service("emotional line", {"emotional"}, districts=frozenset(), by_phone=True, coordinates=()),
        service("breaks online", {"breaks"}, districts=frozenset(), online=True, coordinates=()),
        service("breaks far", {"breaks"}, coordinates=(REDHILL,)),
        service("money and emotional", {"money", "emotional"}, coordinates=(WOKING,)),
    ]
    result = route(circumstances=carer(), needs=[BREAKS, EMOTIONAL, MONEY], directory=directory)
    grouped = [(need.name, [m.service.name for m in nearby], [m.service.name for m in remote])
               for need, nearby, remote in result.by_need()]
    assert grouped == [
        ("Breaks and respite", ["both near", "breaks far"], ["breaks online"]),
        ("Emotional support", ["money and emotional", "emotional near"], ["emotional line"]),
    ]
    shown = [m.service.name for group in result.by_need() for m in group.matches]
    assert sorted(shown) == sorted(names(result))  # every match, exactly once


def test_the_page_follows_the_order_of_the_prescriptions_needs():
    directory = [service("breaks", {"breaks"}), service("money", {"money"})]
    result = route(circumstances=carer(), needs=[MONEY, BREAKS], directory=directory)
    assert [group.need for group in result.by_need()] == [MONEY, BREAKS]


@pytest.mark.django_db
def test_snapshot_knows_each_services_organisation_so_its_branches_are_offered_once(
        partnership, needs, django_assert_max_num_queries):
    member = factories.MembershipFactory(partnership=partnership).organisation
    other = factories.MembershipFactory(partnership=partnership).organisation
    guildford = factories.LocationFactory(postal_code="GU1 3AA")
    redhill = factories.LocationFactory(postal_code="RH1 1AA")
    breaks = needs["breaks"]
    factories.ServiceFactory(organisation=member, name="Carers Breaks", needs=[breaks], districts=["GU1"],
                             locations=[redhill])
    nearest = factories.ServiceFactory(organisation=member, name="Carers Breaks", needs=[breaks],
                                       districts=["GU1"], locations=[guildford])
    elsewhere = factories.ServiceFactory(organisation=other, name="Carers Breaks", needs=[breaks],
                                         serves_whole_area=True)
    wanted = needs_for([breaks])
    circumstances = circumstances_for(partnership=partnership, age=40, young_carer=False, condition_group=None,
                                      district="GU1")
    with django_assert_max_num_queries(6):
        directory = load_directory(partnership=partnership, needs=wanted, circumstances=circumstances)
    assert {s.organisation_id for s in directory} == {member.pk, other.pk}
    result = route(circumstances=circumstances, needs=wanted, directory=directory)
    assert [(m.service.id, m.nearby) for m in result.matches] == [(nearest.pk, True), (elsewhere.pk, False)]
