"""Directory search: free text, needs, place, delivery, cost and capacity, each result explained.

A page costs a bounded number of queries whatever the number of matches: one for the rows of the
page with the total counted by a window function, then one prefetch per relation shown.

With a postcode, results come in two groups: first the services **nearby** (with a distance, those
with a location within it, and those whose area names the carer's district but have no location to
measure; without one, those whose area covers the district, or that reach it and have a place to go
to), then those that reach the carer only by phone, online or by serving the whole partnership area.
A service that is neither within the distance nor reaches the carer remotely is not listed at all:
"within 5 miles" means within 5 miles. Each group reads nearest first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Greatest

from partnership.models import Partnership, PostcodeDistrict
from partnership.pagination import Page, paginate
from partnership.places import bounding_box, squared_miles_sql

from .models import Location, Service, ServiceAtLocation, TaxonomyTerm, covering, reaching_remotely

DELIVERY_FIELDS = {
    "in_person": ("delivered_in_person", "in person"),
    "home_visit": ("delivered_at_home", "home visits"),
    "phone": ("delivered_by_phone", "by phone"),
    "online": ("delivered_online", "online"),
}
# Trigram word similarity above which a misspelt word still counts as a match.
TRIGRAM_THRESHOLD = 0.45


@dataclass
class DirectoryQuery:
    text: str = ""
    needs: list[TaxonomyTerm] = field(default_factory=list)
    district: PostcodeDistrict | None = None
    # The district searched; `district` is its centre (the form refuses a district we do not know).
    district_code: str = ""
    within_miles: int | None = None
    delivery: list[str] = field(default_factory=list)
    free_only: bool = False
    accepting_only: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.needs or self.district_code or self.delivery or self.free_only
                    or self.accepting_only)


@dataclass
class Match:
    service: Service
    distance_miles: float | None
    reasons: list[str]
    # False for a service that reaches the carer's place only by phone, online or by serving the
    # whole partnership area; True otherwise, and for every result of a search without a postcode.
    nearby: bool = True


@dataclass
class ResultPage(Page):
    """A page of the directory's results: the services as Matches, with why each matched."""

    # Whether the place searched is in the partnership area, so whole-area services are among the
    # services reaching it remotely.
    in_partnership_area: bool = False

    @property
    def matches(self) -> list[Match]:
        return self.rows

    @property
    def nearby_matches(self) -> list[Match]:
        return [match for match in self.matches if match.nearby]

    @property
    def remote_matches(self) -> list[Match]:
        """The page's services that reach the place only by phone, online or the whole area: they
        come after the nearby ones, so a page holds the end of one group and the start of the other."""
        return [match for match in self.matches if not match.nearby]


def nearest_place_squared_miles(lat0: float, lon0: float) -> Subquery:
    """For each service, the squared distance in miles from (lat0, lon0) to its nearest place (None for a
    service without one): annotate it as `distance_sq` to show and order by distance."""
    nearest = (
        ServiceAtLocation.objects.filter(service=OuterRef("pk"), location__latitude__isnull=False)
        .annotate(d2=squared_miles_sql(lat0, lon0, "location__latitude", "location__longitude"))
        .order_by("d2")
        .values("d2")[:1]
    )
    return Subquery(nearest, output_field=FloatField())


def _text_filter(queryset: QuerySet, text: str) -> tuple[QuerySet, bool]:
    """Filter by free text; return the queryset and whether it carries a `rank` to order by."""
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config="english", search_type="websearch")
        vector = SearchVector("search_text", config="english")
        queryset = queryset.annotate(
            rank=Greatest(
                SearchRank(vector, query),
                TrigramWordSimilarity(text.lower(), "search_text") * Value(0.5),
                output_field=FloatField(),
            )
        ).filter(
            Q(pk__in=Service.objects.annotate(v=vector).filter(v=query).values("pk"))
            | Q(pk__in=Service.objects.filter(search_text__trigram_word_similar=text.lower()).annotate(
                sim=TrigramWordSimilarity(text.lower(), "search_text")).filter(sim__gte=TRIGRAM_THRESHOLD)
                .values("pk"))
        )
        return queryset, True
    # SQLite (the embedded demo): every word must appear somewhere in the listing.
    for word in text.lower().split():
        queryset = queryset.filter(search_text__contains=word)
    return queryset, False


def search_services(
    *, partnership: Partnership, query: DirectoryQuery, page: int = 1, per_page: int = 20
) -> ResultPage:
    services = Service.objects.listed(partnership)

    if query.needs:
        # Needs chosen together widen the search; each result says which of them it meets.
        services = services.filter(
            pk__in=Service.needs.through.objects.filter(taxonomyterm__in=_with_descendants(query.needs))
            .values("service_id")
        )
    for key in query.delivery:
        services = services.filter(**{DELIVERY_FIELDS[key][0]: True})
    if query.free_only:
        services = services.filter(is_free=True)
    if query.accepting_only:
        services = services.filter(referral_capacity=Service.Capacity.ACCEPTING)

    ranked = False
    if query.text:
        services, ranked = _text_filter(services, query.text)

    order: list = []
    in_area = False
    if query.district_code:
        in_area = partnership.area_districts.filter(code=query.district_code).exists()
        services, order = _by_place(services, query, in_area=in_area, ranked=ranked)
    else:
        if ranked:
            order.append(F("rank").desc())
        order.append("name")

    services = (
        services.select_related("organisation")
        .prefetch_related(
            "needs",
            Prefetch("locations", queryset=Location.objects.order_by("name")),
            "service_area_districts",
        )
        .order_by(*order)
    )
    # A page past the end shows the last page rather than nothing.
    found = paginate(services, number=page, per_page=per_page)
    return ResultPage(rows=[_explain(service, query) for service in found], number=found.number, per_page=per_page,
                      total=found.total, in_partnership_area=in_area)


def _by_place(services: QuerySet, query: DirectoryQuery, *, in_area: bool, ranked: bool) -> tuple[QuerySet, list]:
    """Keep the services that reach the district, marked `nearby` or not, and the order to show them in.

    Every test of a row is against id lists computed once per query (hashed by PostgreSQL), never
    the per-row nearest-place subquery, which is worked out once, for the distance shown.
    """
    # Service.objects.reaching, in its two halves: a service may be both near and reachable remotely.
    in_district = covering(query.district_code)
    remote = reaching_remotely(district_in_partnership_area=in_area)
    located = Q(pk__in=ServiceAtLocation.objects.filter(location__latitude__isnull=False).values("service_id"))
    if query.district is None:
        nearby = in_district
    else:
        lat0, lon0 = query.district.latitude, query.district.longitude
        services = services.annotate(distance_sq=nearest_place_squared_miles(lat0, lon0))
        if query.within_miles:
            # Within the distance, or serving the district with no place to measure from. A service
            # with a place further away is listed only if it reaches the carer remotely.
            near = Q(pk__in=_near_service_ids(lat0, lon0, query.within_miles))
            nearby = near | (in_district & ~located)
        else:
            nearby = in_district | (remote & located)
    services = services.filter(nearby | remote).annotate(
        nearby=ExpressionWrapper(nearby, output_field=BooleanField()))

    # Each group nearest first, whatever the words matched: a result shows its miles, and a service
    # reaching by phone that also has a place near the carer is the more local of its group.
    order: list = [F("nearby").desc()]
    if query.district is not None:
        order.append(F("distance_sq").asc(nulls_last=True))
    if ranked:
        order.append(F("rank").desc())
    order.append("name")
    return services, order


def _near_service_ids(lat0: float, lon0: float, miles: int) -> QuerySet:
    """Services with a location within `miles`; a bounding box first, so the index does the work."""
    latitudes, longitudes = bounding_box(lat0, lon0, miles)
    return (
        ServiceAtLocation.objects.filter(location__latitude__range=latitudes, location__longitude__range=longitudes)
        .annotate(d2=squared_miles_sql(lat0, lon0, "location__latitude", "location__longitude"))
        .filter(d2__lte=miles * miles)
        .values("service_id")
    )


def _with_descendants(needs: list[TaxonomyTerm]) -> list:
    """A need and its narrower terms: 'Breaks and respite' also finds a sitting service."""
    ids = {need.pk for need in needs}
    children = TaxonomyTerm.objects.filter(parent__in=ids).values_list("pk", flat=True)
    return list(ids | set(children))


def _explain(service: Service, query: DirectoryQuery) -> Match:
    reasons: list[str] = []
    distance = None
    if query.needs:
        wanted = {need.pk for need in query.needs}
        met = [need.name for need in service.needs.all() if need.pk in wanted or need.parent_id in wanted]
        if met:
            reasons.append("Covers " + _join(sorted(set(met), key=str.lower)).lower())
    if query.text:
        reasons.append(f"Matches “{query.text}”")
    if query.district_code:
        distance_sq = getattr(service, "distance_sq", None)
        if distance_sq is not None:
            distance = math.sqrt(max(distance_sq, 0.0))
            reasons.append(_miles(distance) + f" from {query.district_code}")
        district_codes = {district.code for district in service.service_area_districts.all()}
        if query.district_code in district_codes:
            reasons.append(f"Serves {query.district_code}")
        elif service.serves_whole_area:
            reasons.append("Serves the whole partnership area")
        if service.is_remote and query.district_code not in district_codes:
            reasons.append("Available " + _join([m.lower() for m in service.delivery_methods
                                                   if m in ("By phone", "Online")]))
    for key in query.delivery:
        reasons.append("Delivered " + DELIVERY_FIELDS[key][1])
    if query.free_only:
        reasons.append("Free")
    if query.accepting_only or service.referral_capacity != Service.Capacity.ACCEPTING:
        reasons.append(service.wait_description)
    return Match(service=service, distance_miles=distance, reasons=reasons, nearby=getattr(service, "nearby", True))


def _miles(distance: float) -> str:
    if distance < 0.5:
        return "Under 1 mile"
    rounded = round(distance)
    return f"{rounded} mile{'s' if rounded != 1 else ''}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
