"""Routing: which services a carer's prescription should go to, in what order, and why.

`route()` is a pure function of the carer's circumstances and a snapshot of the directory, so the
rules of PRODUCT.md can be tested on their own. `load_directory()` takes that snapshot from the
database in a fixed number of queries, whatever the size of the directory.

A service is a candidate when it is active, its organisation is an active member of the partnership,
it accepts referrals (or has a waiting list), it meets at least one selected need, its eligibility
fits the carer (age, young carer, condition group) and it reaches the carer's place (its area covers
the carer's district, or it serves the whole partnership area, or it works by phone or online).
Candidates rank by needs covered, then distance, then waiting time. An organisation that runs the
same service in several districts is offered once, where it is best for this carer.

Each match is `nearby` when it reaches the carer in person (its area covers the carer's district, or
it has a place to go to) rather than only by phone, online or by serving the whole area; the page
shows the matches under the need each answers first, the nearby ones before the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from organisations.models import Service, ServiceAtLocation, TaxonomyTerm
from partnership.models import Partnership, PostcodeDistrict
from partnership.places import miles_between


@dataclass(frozen=True)
class Need:
    id: object
    name: str
    # The need itself and its narrower terms: a sitting service meets "breaks and respite".
    term_ids: frozenset


@dataclass(frozen=True)
class Circumstances:
    age: int
    young_carer: bool
    condition_group: str | None
    district: str
    district_in_partnership_area: bool
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class ServiceFacts:
    id: object
    name: str
    organisation_name: str
    need_ids: frozenset
    minimum_age: int | None
    maximum_age: int | None
    carer_ages: str
    condition_groups: frozenset
    districts: frozenset
    serves_whole_area: bool
    by_phone: bool
    online: bool
    coordinates: tuple = ()
    waiting_list: bool = False
    usual_wait_weeks: int | None = None
    organisation_id: object = None  # with the name, tells one service listed in several districts


@dataclass
class Match:
    service: ServiceFacts
    needs_met: list[Need]  # in the order of the prescription's needs
    distance_miles: float | None
    reasons: list[str]
    selected: bool = False
    # Reaches the carer in person (area or a place to go), not only by phone, online or the whole area.
    nearby: bool = True


class NeedGroup(NamedTuple):
    """The services shown under one need: those whose first met need it is, nearby ones apart."""

    need: Need
    nearby: list[Match]
    remote: list[Match]  # reach the carer only by phone, online or by serving the whole area

    @property
    def matches(self) -> list[Match]:
        return self.nearby + self.remote


@dataclass
class Routing:
    matches: list[Match]
    unmet_needs: list[Need]
    # Services that already have an open referral for this carer: not proposed again.
    already_open: list[ServiceFacts] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)  # the prescription's, in its order

    @property
    def selected(self) -> list[Match]:
        return [match for match in self.matches if match.selected]

    def by_need(self) -> list[NeedGroup]:
        """Each match once, under the first of the prescription's needs it meets, best first.

        A need whose every service also meets an earlier need has no group of its own: its services
        are shown under that earlier need.
        """
        groups = []
        for need in self.needs:
            here = [match for match in self.matches if match.needs_met[0] == need]
            if here:
                groups.append(NeedGroup(need=need, nearby=[m for m in here if m.nearby],
                                        remote=[m for m in here if not m.nearby]))
        return groups


def route(
    *,
    circumstances: Circumstances,
    needs: list[Need],
    directory: Iterable[ServiceFacts],
    open_service_ids: frozenset = frozenset(),
) -> Routing:
    matches: list[Match] = []
    already_open: list[ServiceFacts] = []
    for service in directory:
        met = [need for need in needs if need.term_ids & service.need_ids]
        if not met or not _eligible(service, circumstances) or not _reaches(service, circumstances):
            continue
        if service.id in open_service_ids:
            already_open.append(service)
            continue
        distance = _distance(service, circumstances)
        matches.append(Match(service=service, needs_met=met, distance_miles=distance,
                             reasons=_reasons(service, met, distance, circumstances),
                             nearby=_nearby(service, circumstances)))

    matches.sort(key=lambda m: (
        -len(m.needs_met),
        m.distance_miles if m.distance_miles is not None else float("inf"),
        (m.service.usual_wait_weeks or 0) if m.service.waiting_list else -1,
        m.service.name,
    ))

    # Met before duplicates go: a need answered by another branch of a service offered is not unmet.
    open_need_ids = {need.id for s in already_open for need in needs if need.term_ids & s.need_ids}
    unmet = [need for need in needs
             if not any(need in m.needs_met for m in matches) and need.id not in open_need_ids]

    # One service run in several districts is offered once, at its best for this carer; one the carer
    # already has a referral open with is not offered again from another district.
    seen = {_same_service(s) for s in already_open}
    offered: list[Match] = []
    for match in matches:
        key = _same_service(match.service)
        if key not in seen:
            seen.add(key)
            offered.append(match)

    # Propose the best match for each need; one service may answer several.
    for need in needs:
        covering = [m for m in offered if need in m.needs_met]
        if covering and not any(m.selected for m in covering):
            covering[0].selected = True

    return Routing(matches=offered, unmet_needs=unmet, already_open=already_open, needs=list(needs))


def _same_service(service: ServiceFacts) -> tuple:
    """What makes two listings the same service: one organisation, one name (however it is spaced)."""
    if service.organisation_id is None:
        return ("service", service.id)
    return (service.organisation_id, " ".join(service.name.split()).casefold())


def _eligible(service: ServiceFacts, carer: Circumstances) -> bool:
    if service.minimum_age is not None and carer.age < service.minimum_age:
        return False
    if service.maximum_age is not None and carer.age > service.maximum_age:
        return False
    if carer.young_carer and service.carer_ages == Service.CarerAges.ADULTS:
        return False
    if not carer.young_carer and service.carer_ages == Service.CarerAges.YOUNG:
        return False
    if service.condition_groups and carer.condition_group and carer.condition_group not in service.condition_groups:
        return False
    return True


def _reaches(service: ServiceFacts, carer: Circumstances) -> bool:
    """Service.objects.reaching (organisations/models.py), in memory: the routing is tested without a database."""
    return (
        carer.district in service.districts
        or (service.serves_whole_area and carer.district_in_partnership_area)
        or service.by_phone
        or service.online
    )


def _nearby(service: ServiceFacts, carer: Circumstances) -> bool:
    return carer.district in service.districts or bool(service.coordinates)


def _distance(service: ServiceFacts, carer: Circumstances) -> float | None:
    if carer.latitude is None or carer.longitude is None or not service.coordinates:
        return None
    return min(miles_between(carer.latitude, carer.longitude, lat, lon) for lat, lon in service.coordinates)


def _reasons(service: ServiceFacts, met: list[Need], distance: float | None, carer: Circumstances) -> list[str]:
    reasons = ["Covers " + _join([need.name.lower() for need in met])]
    if distance is not None:
        miles = round(distance)
        reasons.append("under 1 mile" if distance < 0.5 else f"{miles} mile{'s' if miles != 1 else ''}")
    elif carer.district in service.districts:
        reasons.append(f"serves {carer.district}")
    elif service.serves_whole_area and carer.district_in_partnership_area:
        reasons.append("serves the whole area")
    remote = [label for label, flag in (("by phone", service.by_phone), ("online", service.online)) if flag]
    if remote:
        reasons.append(" and ".join(remote))
    if service.waiting_list:
        weeks = service.usual_wait_weeks
        reasons.append(f"usual wait {weeks} week{'s' if weeks != 1 else ''}" if weeks else "waiting list")
    else:
        reasons.append("accepting referrals")
    return reasons


def _join(referrals: list[str]) -> str:
    return referrals[0] if len(referrals) == 1 else ", ".join(referrals[:-1]) + " and " + referrals[-1]


# --- Loading the snapshot ----------------------------------------------------------------------------


def needs_for(terms: Iterable[TaxonomyTerm]) -> list[Need]:
    terms = list(terms)
    children: dict = {}
    for parent_id, child_id in TaxonomyTerm.objects.filter(parent__in=terms).values_list("parent_id", "pk"):
        children.setdefault(parent_id, set()).add(child_id)
    return [Need(id=t.pk, name=t.name, term_ids=frozenset({t.pk} | children.get(t.pk, set()))) for t in terms]


def circumstances_for(*, partnership: Partnership, age: int, young_carer: bool, condition_group: str | None,
                      district: str) -> Circumstances:
    centre = PostcodeDistrict.objects.filter(code=district).first()
    return Circumstances(
        age=age,
        young_carer=young_carer,
        condition_group=condition_group,
        district=district,
        district_in_partnership_area=partnership.area_districts.filter(code=district).exists(),
        latitude=centre.latitude if centre else None,
        longitude=centre.longitude if centre else None,
    )


def load_directory(*, partnership: Partnership, needs: list[Need],
                   circumstances: Circumstances | None = None) -> list[ServiceFacts]:
    """The services that could meet any of these needs (and reach the carer), as plain facts.

    Five queries of plain tuples whatever the size of the directory: building model instances for
    thousands of services would cost more than the routing itself.
    """
    term_ids = set().union(*(need.term_ids for need in needs)) if needs else set()
    candidates = (
        Service.objects.listed(partnership)
        .exclude(referral_capacity=Service.Capacity.PAUSED)
        .filter(pk__in=Service.needs.through.objects.filter(taxonomyterm_id__in=term_ids).values("service_id"))
    )
    if circumstances is not None:
        # Narrow by place in the database too; route() still applies the same rule to what comes back.
        candidates = candidates.filter(pk__in=Service.objects.reaching(
            circumstances.district, district_in_partnership_area=circumstances.district_in_partnership_area,
        ).values("pk"))
    rows = list(candidates.values_list(
        "pk", "name", "organisation_id", "organisation__name", "minimum_age", "maximum_age", "carer_ages",
        "serves_whole_area", "delivered_by_phone", "delivered_online", "referral_capacity", "usual_wait_weeks",
    ))
    ids = [row[0] for row in rows]

    def grouped(rows) -> dict:
        result: dict = {}
        for key, value in rows:
            result.setdefault(key, []).append(value)
        return result

    needs_of = grouped(Service.needs.through.objects.filter(service_id__in=ids)
                       .values_list("service_id", "taxonomyterm_id"))
    groups_of = grouped(Service.condition_groups.through.objects.filter(service_id__in=ids)
                        .values_list("service_id", "conditiongroup_id"))
    districts_of = grouped(Service.service_area_districts.through.objects.filter(service_id__in=ids)
                           .values_list("service_id", "postcodedistrict_id"))
    places_of = grouped(
        (service_id, (lat, lon))
        for service_id, lat, lon in ServiceAtLocation.objects.filter(
            service_id__in=ids, location__latitude__isnull=False, location__longitude__isnull=False
        ).values_list("service_id", "location__latitude", "location__longitude")
    )
    return [
        ServiceFacts(
            id=pk, name=name, organisation_id=organisation_id, organisation_name=organisation_name,
            need_ids=frozenset(needs_of.get(pk, ())),
            minimum_age=minimum_age, maximum_age=maximum_age, carer_ages=carer_ages,
            condition_groups=frozenset(groups_of.get(pk, ())),
            districts=frozenset(districts_of.get(pk, ())),
            serves_whole_area=whole_area, by_phone=by_phone, online=online,
            coordinates=tuple(places_of.get(pk, ())),
            waiting_list=capacity == Service.Capacity.WAITING_LIST, usual_wait_weeks=wait,
        )
        for (pk, name, organisation_id, organisation_name, minimum_age, maximum_age, carer_ages, whole_area,
             by_phone, online, capacity, wait) in rows
    ]
