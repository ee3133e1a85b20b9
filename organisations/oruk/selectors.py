"""Reads for the Open Referral UK feed: what the public directory lists, narrowed by the feed's parameters.

Every list is one query for its page (the total counted by a window function) plus a fixed number of
prefetches, whatever the page size; a page past the end costs one count more.
"""

from __future__ import annotations

import math
import uuid

from django.db.models import F, Prefetch, Q, QuerySet

from partnership.models import Partnership, PostcodeDistrict
from partnership.pagination import paginate
from partnership.places import bounding_box, squared_miles_sql

from ..models import Organisation, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm, active_member_of

# The directory's own search and distance, so the feed finds what the directory finds.
from ..search import _near_service_ids, _text_filter, nearest_place_squared_miles
from .params import BadParameter, Paging, ServiceFilters

# Out of the range of any age column, yet small enough for any database to compare with.
AGE_CEILING = 100_000


def full_service_prefetches(prefix: str = "", *, with_locations: bool = True) -> list[Prefetch]:
    """What a fully nested service shows beyond its own row and its organisation."""
    prefetches = [
        Prefetch(f"{prefix}needs", queryset=TaxonomyTerm.objects.select_related("taxonomy").order_by(
            "taxonomy__name", "name", "pk")),
        Prefetch(f"{prefix}service_area_districts", queryset=PostcodeDistrict.objects.order_by("code")),
        Prefetch(f"{prefix}condition_groups"),
    ]
    if with_locations:
        prefetches.append(Prefetch(f"{prefix}service_at_locations", queryset=ServiceAtLocation.objects
                                   .select_related("location").order_by("location__name", "pk")))
    return prefetches


def listed_services(partnership: Partnership | None) -> QuerySet[Service]:
    if not partnership:  # none set up yet (request.partnership is falsy then)
        return Service.objects.none()
    return Service.objects.listed(partnership)


def member_organisations(partnership: Partnership | None) -> QuerySet[Organisation]:
    if not partnership:  # none set up yet (request.partnership is falsy then)
        return Organisation.objects.none()
    return Organisation.objects.filter(active_member_of(partnership, via="memberships"))


def taxonomies(partnership: Partnership | None) -> QuerySet[Taxonomy]:
    if not partnership:  # none set up yet (request.partnership is falsy then)
        return Taxonomy.objects.none()
    return Taxonomy.objects.filter(partnership=partnership).order_by("name", "pk")


def taxonomy_terms(partnership: Partnership | None) -> QuerySet[TaxonomyTerm]:
    if not partnership:  # none set up yet (request.partnership is falsy then)
        return TaxonomyTerm.objects.none()
    return (
        TaxonomyTerm.objects.filter(taxonomy__partnership=partnership)
        .select_related("taxonomy")
        .order_by("taxonomy__name", "name", "pk")
    )


def service_at_locations(partnership: Partnership | None) -> QuerySet[ServiceAtLocation]:
    return ServiceAtLocation.objects.filter(service__in=listed_services(partnership).values("pk"))


def page(queryset: QuerySet, paging: Paging) -> tuple[list, int]:
    """One page of rows and the number of rows in all pages (a page past the end is empty: a feed reports
    what it was asked for)."""
    found = paginate(queryset, number=paging.page, per_page=paging.per_page, past_end="empty")
    return found.rows, found.total


def _narrow(services: QuerySet[Service], filters: ServiceFilters) -> tuple[QuerySet[Service], bool]:
    """Every filter but place; returns the services and whether they carry a search `rank`."""
    needs = Service.needs.through.objects
    if filters.taxonomy_term_id:
        # A term and its narrower terms, as in the directory: 'Breaks' also finds a sitting service.
        terms = TaxonomyTerm.objects.filter(Q(pk=filters.taxonomy_term_id) | Q(parent_id=filters.taxonomy_term_id))
        services = services.filter(pk__in=needs.filter(taxonomyterm__in=terms.values("pk")).values("service_id"))
    if filters.taxonomy_id:
        services = services.filter(
            pk__in=needs.filter(taxonomyterm__taxonomy_id=filters.taxonomy_id).values("service_id")
        )
    if filters.organization_id:
        services = services.filter(organisation_id=filters.organization_id)
    # As the profile describes them, the age parameters bound the service's own limits; a service
    # without a minimum age has a minimum of nought, one without a maximum has no maximum.
    if filters.minimum_age is not None:
        at_least = min(max(math.ceil(filters.minimum_age), 0), AGE_CEILING)
        condition = Q(minimum_age__gte=at_least)
        if at_least == 0:
            condition |= Q(minimum_age__isnull=True)
        services = services.filter(condition)
    if filters.maximum_age is not None:
        at_most = min(max(math.floor(filters.maximum_age), -1), AGE_CEILING)
        services = services.filter(maximum_age__lte=at_most)
    if filters.modified_after is not None:
        services = services.filter(
            Q(updated_at__gte=filters.modified_after) | Q(organisation__updated_at__gte=filters.modified_after)
        )
    if filters.search:
        return _text_filter(services, filters.search)
    return services, False


def _reaching(services: QuerySet[Service], district: str, partnership: Partnership | None) -> QuerySet[Service]:
    """Services whose area covers the district, by the directory's rule (whole area, phone and online reach)."""
    in_area = partnership is not None and partnership.area_districts.filter(code=district).exists()
    return services.filter(
        pk__in=Service.objects.reaching(district, district_in_partnership_area=in_area).values("pk")
    )


def _centre(filters: ServiceFilters) -> PostcodeDistrict | None:
    centre = PostcodeDistrict.objects.filter(code=filters.district).first()
    if centre is None and filters.proximity_miles is not None:
        raise BadParameter("postcode", f"There is no known centre for postcode district {filters.district}, "
                                       "so proximity cannot be measured from it")
    return centre


def find_services(partnership: Partnership | None, filters: ServiceFilters) -> QuerySet[Service]:
    services, ranked = _narrow(listed_services(partnership), filters)
    order: list = [F("rank").desc()] if ranked else []
    if filters.district:
        services = _reaching(services, filters.district, partnership)
        centre = _centre(filters)
        if centre is not None:
            lat0, lon0 = centre.latitude, centre.longitude
            services = services.annotate(distance_sq=nearest_place_squared_miles(lat0, lon0))
            if filters.proximity_miles is not None:
                services = services.filter(pk__in=_near_service_ids(lat0, lon0, filters.proximity_miles))
            order.append(F("distance_sq").asc(nulls_last=True))
    return services.select_related("organisation").order_by(*order, "name", "pk")


def find_service_at_locations(partnership: Partnership | None, filters: ServiceFilters) -> QuerySet[ServiceAtLocation]:
    """Services delivered at places: postcode narrows by the service's area, proximity by the place itself."""
    services, _ = _narrow(listed_services(partnership), filters)
    order: list = []
    if filters.district:
        services = _reaching(services, filters.district, partnership)
    rows = ServiceAtLocation.objects.filter(service__in=services.values("pk"))
    if filters.district:
        centre = _centre(filters)
        if centre is not None:
            lat0, lon0 = centre.latitude, centre.longitude
            rows = rows.annotate(d2=squared_miles_sql(lat0, lon0, "location__latitude", "location__longitude"))
            if filters.proximity_miles is not None:
                miles = filters.proximity_miles
                latitudes, longitudes = bounding_box(lat0, lon0, miles)
                # The bounding box first, so the location index does the work.
                rows = rows.filter(location__latitude__range=latitudes, location__longitude__range=longitudes,
                                   d2__lte=miles * miles)
            order.append(F("d2").asc(nulls_last=True))
    return rows.select_related("service__organisation", "location").order_by(
        *order, "service__name", "location__name", "pk"
    )


def find_organisations(partnership: Partnership | None, search: str) -> QuerySet[Organisation]:
    organisations = member_organisations(partnership)
    for word in search.split():
        organisations = organisations.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return organisations.order_by("name", "pk")


def service(partnership: Partnership | None, service_id: uuid.UUID) -> Service | None:
    return (
        listed_services(partnership)
        .filter(pk=service_id)
        .select_related("organisation")
        .prefetch_related(*full_service_prefetches())
        .first()
    )


def service_at_location(partnership: Partnership | None, record_id: uuid.UUID) -> ServiceAtLocation | None:
    return (
        service_at_locations(partnership)
        .filter(pk=record_id)
        .select_related("service__organisation", "location")
        .prefetch_related(*full_service_prefetches("service__", with_locations=False))
        .first()
    )


def organisation(partnership: Partnership | None, organisation_id: uuid.UUID, *, full_service: bool
                 ) -> Organisation | None:
    """A member organisation with the services the directory lists for it, as `listed_services`."""
    services = listed_services(partnership).order_by("name", "pk")
    if full_service:
        services = services.prefetch_related(*full_service_prefetches())
    return (
        member_organisations(partnership)
        .filter(pk=organisation_id)
        .prefetch_related(Prefetch("services", queryset=services, to_attr="listed_services"))
        .first()
    )


def taxonomy(partnership: Partnership | None, taxonomy_id: uuid.UUID) -> Taxonomy | None:
    return (
        taxonomies(partnership)
        .filter(pk=taxonomy_id)
        .prefetch_related(Prefetch("terms", queryset=TaxonomyTerm.objects.order_by("name", "pk")))
        .first()
    )


def taxonomy_term(partnership: Partnership | None, term_id: uuid.UUID) -> TaxonomyTerm | None:
    return taxonomy_terms(partnership).filter(pk=term_id).first()
