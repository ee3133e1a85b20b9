"""Our directory as Open Referral UK (HSDS 3.0) objects.

The shapes follow the UK profile's schemas (organisations/oruk/schema/); where the profile has no field
for something we hold, the HSDS 3.0 field of the same meaning is added (fees_description,
eligibility_description, phones, language name and code), which the profile allows.

Nothing here queries the database: the selectors fetch and prefetch what each shape needs. The schemas
allow no nulls, so a field we do not know is left out rather than sent empty. Objects with no row of
their own (a language, a cost option, a service area) get an id derived from their parent's, so it is
the same in every response.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from partnership.models import Partnership

from ..models import LANGUAGE_NAMES, Location, Organisation, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm

Json = dict[str, Any]

# Identifier schemes from org-id.guide.
IDENTIFIER_SCHEMES = [
    ("charity_number", "GB-CHC", "Charity number"),
    ("ods_code", "GB-NHS", "ODS code"),
]


def derived_id(parent_id: uuid.UUID, kind: str, value: object) -> str:
    """A stable id for a sub-object that has no row of its own."""
    return str(uuid.uuid5(parent_id, f"{kind}:{value}"))


def _known(**fields: Any) -> Json:
    return {name: value for name, value in fields.items() if value is not None and value != ""}


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def page(contents: list[Json], *, total: int, page_number: int, per_page: int) -> Json:
    total_pages = -(-total // per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


# Taxonomies


def taxonomy_term(term: TaxonomyTerm) -> Json:
    return {
        "id": str(term.id),
        "name": term.name,
        "description": term.description,
        **_known(
            code=term.code,
            parent_id=str(term.parent_id) if term.parent_id else None,
            taxonomy=term.taxonomy.name,
            taxonomy_id=str(term.taxonomy_id),
            term_uri=term.term_uri,
            term=term.name,
        ),
    }


def taxonomy(record: Taxonomy, *, with_terms: bool = False) -> Json:
    data = {
        "id": str(record.id),
        "name": record.name,
        "description": record.description,
        **_known(uri=record.uri, version=record.version),
    }
    if with_terms:
        data["taxonomy_terms"] = [taxonomy_term(term) for term in record.terms.all()]
    return data


# Organisations


def organization_summary(organisation: Organisation) -> Json:
    """The one-to-one fields (organization_list.json)."""
    return {
        "id": str(organisation.id),
        "name": organisation.name,
        "description": organisation.description,
        **_known(alternate_name=organisation.alternate_name, email=organisation.email,
                 website=organisation.website),
    }


def organization_identifiers(organisation: Organisation) -> list[Json]:
    return [
        {
            "id": derived_id(organisation.id, "identifier", scheme),
            "organization_id": str(organisation.id),
            "identifier_scheme": scheme,
            "identifier_type": label,
            "identifier": getattr(organisation, field),
        }
        for field, scheme, label in IDENTIFIER_SCHEMES
        if getattr(organisation, field)
    ]


def organization_nested(organisation: Organisation) -> Json:
    """An organisation as a service carries it."""
    return {**organization_summary(organisation), "organization_identifiers": organization_identifiers(organisation)}


def organization_full(organisation: Organisation, services: list[Json]) -> Json:
    data = organization_nested(organisation)
    data["phones"] = (
        [{"id": derived_id(organisation.id, "phone", "main"), "organization_id": str(organisation.id),
          "number": organisation.phone}]
        if organisation.phone else []
    )
    data["locations"] = []
    if organisation.address_1 or organisation.postal_code:
        location_id = derived_id(organisation.id, "location", "address")
        data["locations"].append({
            "id": location_id,
            "location_type": "postal",
            "organization_id": str(organisation.id),
            "addresses": [{
                "id": derived_id(organisation.id, "address", "postal"),
                "location_id": location_id,
                "address_1": organisation.address_1,
                "city": organisation.city,
                "state_province": "",
                "postal_code": organisation.postal_code,
                "country": "GB",
                "address_type": "postal",
            }],
        })
    data["attributes"] = []
    data["services"] = services
    return data


# Locations


def location_summary(location: Location) -> Json:
    """The one-to-one fields of a place where services are delivered."""
    return {
        "id": str(location.id),
        "location_type": "physical",
        **_known(name=location.name, description=location.description, latitude=location.latitude,
                 longitude=location.longitude),
    }


def location_full(location: Location) -> Json:
    data = location_summary(location)
    data["addresses"] = []
    if location.address_1 or location.city or location.postal_code:
        data["addresses"].append({
            "id": derived_id(location.id, "address", "physical"),
            "location_id": str(location.id),
            "address_1": location.address_1,
            "city": location.city,
            "state_province": location.state_province,
            "postal_code": location.postal_code,
            "country": location.country or "GB",
            "address_type": "physical",
        })
    data["accessibility"] = []
    data["attributes"] = []
    return data


# Services


def _last_modified(service: Service) -> datetime:
    # A change to the organisation shown within the service changes the service as published.
    return max(service.updated_at, service.organisation.updated_at)


def _fees_description(service: Service) -> str:
    return service.fees_description or ("Free" if service.is_free else "")


def service_summary(service: Service) -> Json:
    """The one-to-one fields and the organisation (service_list.json)."""
    return {
        "id": str(service.id),
        "organization_id": str(service.organisation_id),
        "name": service.name,
        "status": service.status,
        **_known(
            description=service.description,
            url=service.url,
            email=service.email,
            fees_description=_fees_description(service),
            minimum_age=service.minimum_age,
            maximum_age=service.maximum_age,
            # Capacity is the short-term news a referrer needs before anything else.
            alert=service.wait_description if service.referral_capacity != Service.Capacity.ACCEPTING else None,
            last_modified=_timestamp(_last_modified(service)),
        ),
        "organization": organization_summary(service.organisation),
    }


def _eligibility_description(service: Service) -> str:
    parts = [service.eligibility_description.strip().rstrip("."), service.get_carer_ages_display()]
    conditions = [group.name for group in service.condition_groups.all()]
    if conditions:
        parts.append("Caring for someone with: " + ", ".join(conditions))
    return ". ".join(part for part in parts if part) + "."


def _schedules(service: Service) -> list[Json]:
    attending = ", ".join(service.delivery_methods)
    if not (service.opening_hours or attending):
        return []
    return [{
        "id": derived_id(service.id, "schedule", "opening_hours"),
        "service_id": str(service.id),
        **_known(description=service.opening_hours, attending_type=attending),
    }]


def _service_areas(service: Service, partnership: Partnership) -> list[Json]:
    areas = []
    if service.serves_whole_area:
        area_name = partnership.area_name or partnership.name
        areas.append({
            "id": derived_id(service.id, "service_area", "whole-area"),
            "service_id": str(service.id),
            "name": area_name,
            "service_area": area_name,
        })
    for district in service.service_area_districts.all():
        areas.append({
            "id": derived_id(service.id, "service_area", district.code),
            "service_id": str(service.id),
            "name": f"{district.code} postcode district",
            "service_area": district.code,
            "extent": district.code,
            "extent_type": "text",
        })
    return areas


def _languages(service: Service) -> list[Json]:
    codes = [code for code in service.languages if isinstance(code, str) and code]
    return [
        {"id": derived_id(service.id, "language", code), "service_id": str(service.id),
         "name": LANGUAGE_NAMES.get(code, code), "code": code}
        for code in codes
    ]


def _cost_options(service: Service) -> list[Json]:
    if service.is_free:
        return [{
            "id": derived_id(service.id, "cost_option", "free"),
            "service_id": str(service.id),
            "option": "Free",
            "amount": 0,
            "currency": "GBP",
            "amount_description": service.fees_description or "Free of charge",
        }]
    return [{
        "id": derived_id(service.id, "cost_option", "fees"),
        "service_id": str(service.id),
        "option": "Fees",
        "amount_description": service.fees_description or "There is a charge for this service",
    }]


def _phones(service: Service) -> list[Json]:
    if not service.phone:
        return []
    return [{"id": derived_id(service.id, "phone", "main"), "service_id": str(service.id), "number": service.phone}]


def _contacts(service: Service) -> list[Json]:
    if not service.contact_name:
        return []
    contact_id = uuid.uuid5(service.id, "contact:main")
    phones = (
        [{"id": derived_id(contact_id, "phone", "main"), "contact_id": str(contact_id), "number": service.phone}]
        if service.phone else []
    )
    return [{
        "id": str(contact_id),
        "service_id": str(service.id),
        "name": service.contact_name,
        **_known(email=service.email),
        "phones": phones,
    }]


def _attributes(service: Service) -> list[Json]:
    return [
        {
            "id": derived_id(service.id, "attribute", term.id),
            "link_id": str(service.id),
            "link_type": "need" if term.taxonomy.is_need_taxonomy else "category",
            "link_entity": "service",
            "taxonomy_term_id": str(term.id),
            "taxonomy_term": taxonomy_term(term),
        }
        for term in service.needs.all()
    ]


def service_full(service: Service, *, partnership: Partnership, with_locations: bool = True) -> Json:
    """A fully nested service (service.json); service_at_location.json nests one without its locations."""
    data = service_summary(service)
    data["organization"] = organization_nested(service.organisation)
    data["eligibility_description"] = _eligibility_description(service)
    data.update(
        schedules=_schedules(service),
        service_areas=_service_areas(service, partnership),
        languages=_languages(service),
        funding=[],
        cost_options=_cost_options(service),
        contacts=_contacts(service),
        phones=_phones(service),
        attributes=_attributes(service),
    )
    if with_locations:
        data["service_at_locations"] = [
            service_at_location_nested(record) for record in service.service_at_locations.all()
        ]
    return data


# Services at locations


def _service_at_location_ids(record: ServiceAtLocation) -> Json:
    return {
        "id": str(record.id),
        "service_id": str(record.service_id),
        "location_id": str(record.location_id),
        **_known(description=record.description),
    }


def service_at_location_nested(record: ServiceAtLocation) -> Json:
    """As a fully nested service lists its places."""
    return {**_service_at_location_ids(record), "location": location_full(record.location)}


def service_at_location_summary(record: ServiceAtLocation) -> Json:
    """service_at_location_list.json: the place and the service, one-to-one fields only."""
    return {
        **_service_at_location_ids(record),
        "location": location_summary(record.location),
        "service": service_summary(record.service),
    }


def service_at_location_full(record: ServiceAtLocation, *, partnership: Partnership) -> Json:
    return {
        **_service_at_location_ids(record),
        "location": location_full(record.location),
        "service": service_full(record.service, partnership=partnership, with_locations=False),
    }
