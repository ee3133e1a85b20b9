"""Writes to the directory that span several models."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from partnership.models import Partnership, PostcodeDistrict
from partnership.places import outcode_of

from .models import Location, Service, Taxonomy, TaxonomyTerm

NEED_TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "carers_needs.json"


@transaction.atomic
def need_taxonomy_install(*, partnership: Partnership, path: Path = NEED_TAXONOMY_FILE) -> Taxonomy:
    """Give a partnership the shipped carers' need taxonomy, or bring its terms up to date.

    Terms are matched by code, so running it again changes nothing and keeps curated additions.
    """
    data = json.loads(path.read_text())
    taxonomy, _ = Taxonomy.objects.update_or_create(
        partnership=partnership,
        is_need_taxonomy=True,
        defaults={"name": data["name"], "description": data["description"], "version": data["version"]},
    )
    existing = {term.code: term for term in taxonomy.terms.all()}

    def upsert(entries: list[dict], parent: TaxonomyTerm | None) -> None:
        for position, entry in enumerate(entries):
            term = existing.get(entry["code"]) or TaxonomyTerm(taxonomy=taxonomy, code=entry["code"])
            term.name = entry["name"]
            term.slug = slugify(entry["code"])
            term.description = entry.get("description", "")
            term.parent = parent
            term.position = position
            term.save()
            upsert(entry.get("children", []), term)

    upsert(data["terms"], None)
    return taxonomy


def location_place(*, location: Location) -> Location:
    """Place a location on the map from its postcode district when it has no coordinates."""
    district_code = outcode_of(location.postal_code)
    district = PostcodeDistrict.objects.filter(code=district_code).first() if district_code else None
    location.district = district
    if district is not None and (location.latitude is None or location.longitude is None):
        location.latitude, location.longitude = district.latitude, district.longitude
    return location


def services_refresh(*, service_ids) -> int:
    """Recompute stored summaries and search documents after listings change."""
    return Service.objects.filter(pk__in=list(service_ids)).refresh_derived_fields()
