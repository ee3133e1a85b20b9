"""The routing rules of PRODUCT.md, on the pure function and on a real directory snapshot."""

from __future__ import annotations

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
