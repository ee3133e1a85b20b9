"""Writing a ``Feed`` to a partnership's directory.

Records are written in dependency order (taxonomies, terms, organisations, locations, services), each in its own
savepoint: a record that fails is reported with its place and reason and leaves no rows, and the others carry on.
The feed's UUIDs are kept as primary keys, and a row is saved only when a value differs, so a second run of the
same feed changes nothing.

What the feed says wins for the fields it carries; a key missing from a record leaves what we hold alone. What the
partnership curates is kept: its need taxonomy is never edited by an import, and need links a manager added to a
service stay.

What one step learns for the next is kept in small objects: ``Imported`` (the ids now usable as link targets),
``Places`` (virtual and skipped locations), ``Changed`` (what alters services' search documents),
``Memberships`` (organisations already checked) and ``ServiceLookups`` (what the directory holds for services).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import slugify

from organisations.models import (
    Location,
    Membership,
    Organisation,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    summarise,
)
from organisations.services import location_place, services_refresh
from partnership.models import Partnership, PostcodeDistrict
from partnership.places import normalise_postcode

from .feed import WHERE, Feed, Raw, attribute_term_id, location_links, where_of
from .report import CREATED, FAILED, REMOVED, UNCHANGED, UPDATED, ImportReport, Problem
from .values import (
    ImportProblem,
    Rejected,
    age_range,
    as_list,
    canonical_id,
    carer_ages,
    coordinates,
    cost,
    country_code,
    identifier_field,
    is_email_address,
    is_web_address,
    language_code,
    names_whole_area,
    opening_hours,
    outcodes,
    phone_number,
    price,
    service_status,
    text,
)

logger = logging.getLogger(__name__)


def write_feed(feed: Feed, partnership: Partnership, report: ImportReport) -> ImportReport:
    """Bring the partnership's directory up to date with the feed, recording every outcome on the report."""
    for problem in feed.errors:
        report.errors.append(problem)
        report.count(problem.kind, FAILED)
    report.warnings += feed.warnings
    records = Records(report)
    imported, changed = Imported(), Changed()
    memberships = Memberships(partnership, records)
    TaxonomyWriter(feed, partnership, records, imported, changed).run()
    OrganisationWriter(feed, partnership, records, imported, changed, memberships).run()
    places = LocationWriter(feed, partnership, records, imported, changed).run()
    ServiceWriter(feed, partnership, records, imported, changed, memberships, places).run()
    refresh_services(changed, report)
    return report


# --------------------------------------------------------------------------------------------------------------
# What one step learns for the next


@dataclass
class Imported:
    """Feed ids written by this run, or found usable where they stand: later records link only to these."""

    taxonomies: dict[str, Taxonomy] = field(default_factory=dict)
    terms: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    locations: set[str] = field(default_factory=set)


@dataclass
class Places:
    """The feed's locations that are not places to import."""

    virtual: set[str] = field(default_factory=set)  # no place: the services that use them are online
    skipped: set[str] = field(default_factory=set)  # neither physical nor virtual; reported, not linked


@dataclass
class Changed:
    """What changed in a way that alters services' stored summaries and search documents."""

    services: set[str] = field(default_factory=set)  # created, updated or relinked
    organisations: set[str] = field(default_factory=set)  # updated (renamed, say)
    terms: set[str] = field(default_factory=set)  # updated


@dataclass
class ServiceLookups:
    """What the directory holds that services may point at, loaded once before the first service."""

    district_codes: set[str] = field(default_factory=set)
    partnership_terms: set[str] = field(default_factory=set)  # terms the services name that are the partnership's
    held_locations: set[str] = field(default_factory=set)  # imported now, or already in the directory


# --------------------------------------------------------------------------------------------------------------
# The frame around every record


@dataclass
class Pending:
    """What one record did, kept aside until its savepoint commits (a failed record counts only as failed)."""

    counts: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    after: list[Callable[[], None]] = field(default_factory=list)


class Records:
    """Writes each record in its own savepoint, and reports its outcome, its warnings and its failure."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.pending = Pending()
        self.kind = ""

    def write(self, kind: str, record_id: str, raw: Raw, work: Callable[[], str]) -> bool:
        self.pending, self.kind = Pending(), kind
        try:
            with transaction.atomic():
                outcome = work()
        except Exception as exc:  # any failure of one record is reported, and the next one goes ahead
            if not isinstance(exc, ImportProblem | ValidationError | DatabaseError):
                logger.exception("Unexpected failure importing %s %s", kind, record_id)
            where = getattr(exc, "where", "") or where_of(raw, "?")
            self.report.errors.append(Problem(where, kind, _reason(exc), record_id))
            self.report.count(kind, FAILED)
            return False
        self.report.count(kind, outcome)
        for counted_kind, counted_outcome in self.pending.counts:
            self.report.count(counted_kind, counted_outcome)
        self.report.warnings += self.pending.warnings
        for callback in self.pending.after:
            callback()
        return True

    def count(self, kind: str, outcome: str) -> None:
        """Count a row the record wrote besides itself (a membership, a link), once its savepoint commits."""
        self.pending.counts.append((kind, outcome))

    def after(self, callback: Callable[[], None]) -> None:
        """Note what the record made usable by the records after it, once its savepoint commits."""
        self.pending.after.append(callback)

    def warn(self, node: Any, reason: str, *, record_id: str = "", kind: str = "") -> None:
        self.pending.warnings.append(Problem(where_of(node, "?"), kind or self.kind, reason, record_id))

    # -- values that are left blank, with a warning, when they do not fit

    def web_address(self, node: Raw, key: str, record_id: str, max_length: int = 200) -> str:
        value = text(node.get(key))
        if value and not is_web_address(value, max_length=max_length):
            self.warn(node, f"{key} {value[:80]!r} is not a usable web address; left blank", record_id=record_id)
            return ""
        return value

    def email_address(self, node: Raw, key: str, record_id: str) -> str:
        value = text(node.get(key))
        if value and not is_email_address(value):
            self.warn(node, f"{key} {value[:80]!r} is not an email address; left blank", record_id=record_id)
            return ""
        return value

    def first_phone(self, phones: list, record_id: str) -> str:
        for phone in phones:
            if not isinstance(phone, dict):
                continue
            try:
                number = phone_number(phone.get("number"))
            except Rejected as exc:
                self.warn(phone, str(exc), record_id=record_id)
                continue
            if number:
                return number
        return ""


def snapshot(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def save(obj: Any, before: dict[str, Any] | None, *, force_changed: bool = False) -> str:
    """Save only what changed: a second run of the same feed writes nothing and keeps updated_at."""
    has_updated_at = any(f.name == "updated_at" for f in obj._meta.concrete_fields)
    if before is None:
        obj.full_clean()
        obj.save(force_insert=True)
        return CREATED
    changed = [name for name, value in before.items() if getattr(obj, name) != value]
    if not changed and not force_changed:
        return UNCHANGED
    if changed:
        obj.full_clean()
    update_fields = changed + (["updated_at"] if has_updated_at and "updated_at" not in changed else [])
    if update_fields:
        obj.save(update_fields=update_fields)
    return UPDATED


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
        return " ".join(exc.messages)
    if isinstance(exc, DatabaseError):
        return "the database refused it: " + (str(exc).splitlines() or [type(exc).__name__])[0]
    return str(exc)


class Memberships:
    """Imported organisations join as active members; a suspended or departed one is left as it is."""

    def __init__(self, partnership: Partnership, records: Records) -> None:
        self.partnership = partnership
        self.records = records
        self.checked: set[str] = set()

    def ensure(self, organisation_id: str, raw: Raw) -> None:
        if organisation_id in self.checked:
            return
        membership = Membership.objects.filter(partnership=self.partnership, organisation_id=organisation_id).first()
        if membership is None:
            Membership.objects.create(partnership=self.partnership, organisation_id=organisation_id,
                                      status=Membership.Status.ACTIVE, joined_at=timezone.now())
            self.records.count("membership", CREATED)
        else:
            self.records.count("membership", UNCHANGED)
            if membership.status != Membership.Status.ACTIVE:
                self.records.warn(
                    raw,
                    f"the organisation is {membership.get_status_display().lower()} in this partnership; "
                    "left as it is, so its services stay out of the directory",
                    record_id=organisation_id, kind="membership",
                )
        self.records.after(lambda: self.checked.add(organisation_id))


class _Step:
    def __init__(self, feed: Feed, partnership: Partnership, records: Records, imported: Imported,
                 changed: Changed) -> None:
        self.feed = feed
        self.partnership = partnership
        self.records = records
        self.imported = imported
        self.changed = changed


# --------------------------------------------------------------------------------------------------------------
# Taxonomies and terms


def parents_first(terms: dict[str, Raw]) -> tuple[list[str], set[str]]:
    """The terms' ids with every parent before its children, and the terms that would close a loop of parents."""
    order: list[str] = []
    loops: set[str] = set()
    state: dict[str, str] = {}

    def visit(term_id: str) -> None:
        if state.get(term_id):
            return
        state[term_id] = "visiting"
        parent = canonical_id(terms[term_id].get("parent_id"))
        if parent in terms:
            if state.get(parent) == "visiting":
                loops.add(term_id)
            else:
                visit(parent)
        state[term_id] = "done"
        order.append(term_id)

    for term_id in terms:
        visit(term_id)
    return order, loops


class TaxonomyWriter(_Step):
    def run(self) -> None:
        self._import_taxonomies()
        self._import_terms()

    def _import_taxonomies(self) -> None:
        existing = {str(k): v for k, v in Taxonomy.objects.in_bulk(list(self.feed.taxonomies)).items()}
        for taxonomy_id, raw in self.feed.taxonomies.items():
            def work(taxonomy_id=taxonomy_id, raw=raw) -> str:
                return self._taxonomy(taxonomy_id, raw, existing.get(taxonomy_id))
            self.records.write("taxonomy", taxonomy_id, raw, work)

    def _taxonomy(self, taxonomy_id: str, raw: Raw, obj: Taxonomy | None) -> str:
        if obj is not None and obj.partnership_id != self.partnership.pk:
            raise ImportProblem("this id belongs to a taxonomy of another partnership")
        if obj is not None and obj.is_need_taxonomy:
            # The need taxonomy is the partnership manager's to curate: an import links to it, never edits it.
            self.records.after(lambda: self.imported.taxonomies.__setitem__(taxonomy_id, obj))
            return UNCHANGED
        before = snapshot(obj) if obj is not None else None
        obj = obj or Taxonomy(id=taxonomy_id, partnership=self.partnership, is_need_taxonomy=False)
        if "name" in raw or before is None:
            obj.name = text(raw.get("name"))
            if not obj.name:
                raise ImportProblem("name is missing")
        if "description" in raw:
            obj.description = text(raw.get("description"))
        if "uri" in raw:
            obj.uri = self.records.web_address(raw, "uri", taxonomy_id)
        if "version" in raw:
            obj.version = text(raw.get("version"))
        outcome = save(obj, before)
        self.records.after(lambda: self.imported.taxonomies.__setitem__(taxonomy_id, obj))
        return outcome

    def _term_taxonomies(self, existing: dict[str, TaxonomyTerm]) -> dict[str, str]:
        """Which taxonomy each term belongs to: as the feed says, else where we hold it, else by its name."""
        targets: dict[str, str] = {}
        for term_id, raw in self.feed.terms.items():
            named = raw.get("_taxonomy_id") or raw.get("taxonomy_id")
            if named:
                target = canonical_id(named)
                targets[term_id] = target or f"invalid:{named}"
            elif term_id in existing:
                targets[term_id] = str(existing[term_id].taxonomy_id)
            else:
                # A vocabulary named only in words gets an id of its own, stable for this partnership.
                name = text(raw.get("taxonomy")) or "Imported terms"
                targets[term_id] = str(uuid.uuid5(self.partnership.pk, f"oruk-taxonomy:{name.lower()}"))
        return targets

    def _named_taxonomies(self, targets: dict[str, str]) -> set[str]:
        """Create the taxonomies the terms name that the feed does not describe, named as the terms say.

        Returns those of them that another partnership holds, whose terms cannot be imported.
        """
        foreign: set[str] = set()
        missing = {t for t in targets.values() if t not in self.imported.taxonomies and not t.startswith("invalid:")}
        missing -= set(self.feed.taxonomies)
        held = {str(k): v for k, v in Taxonomy.objects.in_bulk(list(missing)).items()}
        for taxonomy_id in sorted(missing):
            obj = held.get(taxonomy_id)
            if obj is not None:
                if obj.partnership_id == self.partnership.pk:
                    self.imported.taxonomies[taxonomy_id] = obj
                    self.records.report.count("taxonomy", UNCHANGED)
                else:
                    foreign.add(taxonomy_id)
                continue
            first = next(self.feed.terms[t] for t in targets if targets[t] == taxonomy_id)
            raw = {"name": text(first.get("taxonomy")) or "Imported terms", WHERE: where_of(first, "?")}

            def work(taxonomy_id=taxonomy_id, raw=raw) -> str:
                return self._taxonomy(taxonomy_id, raw, None)
            self.records.write("taxonomy", taxonomy_id, raw, work)
        return foreign

    def _import_terms(self) -> None:
        existing = {
            str(k): v
            for k, v in TaxonomyTerm.objects.select_related("taxonomy").in_bulk(list(self.feed.terms)).items()
        }
        targets = self._term_taxonomies(existing)
        foreign = self._named_taxonomies(targets)
        order, loops = parents_first(self.feed.terms)
        for term_id in order:
            raw = self.feed.terms[term_id]

            def work(term_id=term_id, raw=raw) -> str:
                return self._term(term_id, raw, existing.get(term_id), targets[term_id], foreign=foreign, loops=loops)
            self.records.write("taxonomy term", term_id, raw, work)

    def _term(self, term_id: str, raw: Raw, obj: TaxonomyTerm | None, taxonomy_id: str, *, foreign: set[str],
              loops: set[str]) -> str:
        if taxonomy_id.startswith("invalid:"):
            raise ImportProblem(f"taxonomy_id {taxonomy_id.removeprefix('invalid:')!r} is not a UUID")
        taxonomy = self.imported.taxonomies.get(taxonomy_id)
        if taxonomy_id in foreign:
            raise ImportProblem(f"its taxonomy {taxonomy_id} belongs to another partnership")
        if taxonomy is None:
            raise ImportProblem(f"its taxonomy {taxonomy_id} could not be imported")
        if obj is not None and obj.taxonomy.partnership_id != self.partnership.pk:
            raise ImportProblem("this id belongs to a term of another partnership")
        if obj is not None and obj.taxonomy.is_need_taxonomy:
            self.records.after(lambda: self.imported.terms.add(term_id))
            return UNCHANGED
        if taxonomy.is_need_taxonomy:
            raise ImportProblem("the feed adds it to the partnership's need taxonomy, which only its manager curates")
        before = snapshot(obj) if obj is not None else None
        obj = obj or TaxonomyTerm(id=term_id)
        obj.taxonomy = taxonomy
        if "name" in raw or before is None:
            obj.name = text(raw.get("name")) or text(raw.get("term")) or text(raw.get("code"))
            if not obj.name:
                raise ImportProblem("name is missing")
        if "code" in raw or "term" in raw:
            obj.code = text(raw.get("code")) or text(raw.get("term"))
        if "description" in raw:
            obj.description = text(raw.get("description"))
        if "term_uri" in raw:
            obj.term_uri = self.records.web_address(raw, "term_uri", term_id)
        if "parent_id" in raw:
            obj.parent_id = self._term_parent(raw, term_id, taxonomy, loops)
        base = slugify(obj.code or obj.name)[:90] or "term"
        clash = TaxonomyTerm.objects.filter(taxonomy=taxonomy, slug=base).exclude(pk=term_id).exists()
        obj.slug = f"{base}-{term_id[:8]}" if clash else base
        outcome = save(obj, before)
        self.records.after(lambda: self.imported.terms.add(term_id))
        if outcome == UPDATED:
            self.records.after(lambda: self.changed.terms.add(term_id))
        return outcome

    def _term_parent(self, raw: Raw, term_id: str, taxonomy: Taxonomy, loops: set[str]) -> uuid.UUID | None:
        raw_parent = raw.get("parent_id")
        if raw_parent in (None, ""):
            return None
        parent_id = canonical_id(raw_parent)
        if parent_id is None or parent_id == term_id or term_id in loops:
            self.records.warn(raw, f"parent_id {raw_parent!r} would make a loop or is not a term id; left at the top "
                                   "level", record_id=term_id)
            return None
        parent = TaxonomyTerm.objects.filter(pk=parent_id).values_list("taxonomy_id", flat=True).first()
        if parent is None or (parent_id in self.feed.terms and parent_id not in self.imported.terms):
            self.records.warn(raw, f"parent term {parent_id} is not in the feed or the directory; left at the top "
                                   "level", record_id=term_id)
            return None
        if parent != taxonomy.pk:
            self.records.warn(raw, f"parent term {parent_id} is in another taxonomy; left at the top level",
                              record_id=term_id)
            return None
        return uuid.UUID(parent_id)


# --------------------------------------------------------------------------------------------------------------
# Organisations and their membership of the partnership


class OrganisationWriter(_Step):
    def __init__(self, feed: Feed, partnership: Partnership, records: Records, imported: Imported, changed: Changed,
                 memberships: Memberships) -> None:
        super().__init__(feed, partnership, records, imported, changed)
        self.memberships = memberships

    def run(self) -> None:
        existing = {str(k): v for k, v in Organisation.objects.in_bulk(list(self.feed.organisations)).items()}
        for organisation_id, raw in self.feed.organisations.items():
            def work(organisation_id=organisation_id, raw=raw) -> str:
                return self._organisation(organisation_id, raw, existing.get(organisation_id))
            if self.records.write("organisation", organisation_id, raw, work):
                self.imported.organisations.add(organisation_id)

    def _organisation(self, organisation_id: str, raw: Raw, obj: Organisation | None) -> str:
        before = snapshot(obj) if obj is not None else None
        obj = obj or Organisation(id=organisation_id)
        if "name" in raw or before is None:
            obj.name = text(raw.get("name"))
            if not obj.name:
                raise ImportProblem("name is missing")
        if "alternate_name" in raw:
            obj.alternate_name = text(raw.get("alternate_name"))
        if "description" in raw:
            obj.description = text(raw.get("description"))
        if "email" in raw:
            obj.email = self.records.email_address(raw, "email", organisation_id)
        if "website" in raw:
            obj.website = self.records.web_address(raw, "website", organisation_id)
        if "phones" in raw:
            obj.phone = self.records.first_phone(as_list(raw.get("phones")), organisation_id)
        for identifier in as_list(raw.get("organization_identifiers")):
            if not isinstance(identifier, dict):
                continue
            target = identifier_field(identifier)
            if target is None:
                continue
            name, limit = target
            value = text(identifier.get("identifier"))
            if value and len(value) <= limit:
                setattr(obj, name, value)
            elif value:
                self.records.warn(identifier, f"identifier {value[:40]!r} is too long for a {name.replace('_', ' ')}",
                                  record_id=organisation_id)
        outcome = save(obj, before)
        if outcome == UPDATED:
            self.records.after(lambda: self.changed.organisations.add(organisation_id))
        self.memberships.ensure(organisation_id, raw)
        return outcome


# --------------------------------------------------------------------------------------------------------------
# Locations


class LocationWriter(_Step):
    def run(self) -> Places:
        places = Places()
        existing = {str(k): v for k, v in Location.objects.in_bulk(list(self.feed.locations)).items()}
        hinted = {canonical_id(raw.get("organization_id") or raw.get("_organisation_hint"))
                  for raw in self.feed.locations.values()} - {None}
        known_organisations = self.imported.organisations | {
            str(pk) for pk in Organisation.objects.filter(pk__in=hinted).values_list("pk", flat=True)
        }
        for location_id, raw in self.feed.locations.items():
            location_type = text(raw.get("location_type")).lower() or "physical"
            if location_type == "virtual":
                places.virtual.add(location_id)
                continue
            if location_type != "physical":
                places.skipped.add(location_id)
                self.records.report.warnings.append(Problem(
                    where_of(raw, "?"), "location", f"is a {location_type} location, not a place where services are "
                    "delivered; not imported", location_id))
                continue

            def work(location_id=location_id, raw=raw) -> str:
                return self._location(location_id, raw, existing.get(location_id), known_organisations)
            if self.records.write("location", location_id, raw, work):
                self.imported.locations.add(location_id)
        return places

    def _location(self, location_id: str, raw: Raw, obj: Location | None, known_organisations: set[str]) -> str:
        before = snapshot(obj) if obj is not None else None
        obj = obj or Location(id=location_id)
        if obj.organisation_id is None:
            organisation_id = canonical_id(raw.get("organization_id") or raw.get("_organisation_hint"))
            if organisation_id in known_organisations:
                obj.organisation_id = uuid.UUID(organisation_id)
        if "name" in raw:
            obj.name = text(raw.get("name"))
        if "description" in raw:
            obj.description = text(raw.get("description"))
        if "latitude" in raw or "longitude" in raw:
            try:
                obj.latitude, obj.longitude = coordinates(raw.get("latitude"), raw.get("longitude"))
            except Rejected as exc:
                self.records.warn(raw, str(exc), record_id=location_id)
                obj.latitude, obj.longitude = None, None
        if "addresses" in raw:
            self._address(obj, as_list(raw.get("addresses")), location_id)
        location_place(location=obj)
        return save(obj, before)

    def _address(self, obj: Location, addresses: list, location_id: str) -> None:
        addresses = [a for a in addresses if isinstance(a, dict)]
        chosen = next((a for a in addresses if text(a.get("address_type")).lower() == "physical"), None)
        chosen = chosen or (addresses[0] if addresses else {})
        obj.address_1 = ", ".join(p for p in (text(chosen.get("address_1")), text(chosen.get("address_2"))) if p)
        obj.city = text(chosen.get("city"))
        obj.state_province = text(chosen.get("state_province")) or text(chosen.get("region"))
        postcode = text(chosen.get("postal_code"))
        obj.postal_code = normalise_postcode(postcode) or postcode
        try:
            obj.country = country_code(chosen.get("country"))
        except Rejected as exc:
            self.records.warn(chosen, str(exc), record_id=location_id)
            obj.country = "GB"


# --------------------------------------------------------------------------------------------------------------
# Services


class ServiceWriter(_Step):
    def __init__(self, feed: Feed, partnership: Partnership, records: Records, imported: Imported, changed: Changed,
                 memberships: Memberships, places: Places) -> None:
        super().__init__(feed, partnership, records, imported, changed)
        self.memberships = memberships
        self.places = places
        self.lookups = ServiceLookups()

    def run(self) -> None:
        ids = list(self.feed.services)
        existing = {
            str(k): v
            for k, v in Service.objects.prefetch_related(
                Prefetch("needs", queryset=TaxonomyTerm.objects.select_related("taxonomy")),
                "service_area_districts",
                "service_at_locations",
            ).in_bulk(ids).items()
        }
        self.lookups = self._lookups()
        for service_id, raw in self.feed.services.items():
            def work(service_id=service_id, raw=raw) -> str:
                return self._service(service_id, raw, existing.get(service_id))
            self.records.write("service", service_id, raw, work)

    def _lookups(self) -> ServiceLookups:
        referenced_terms = {
            term_id
            for raw in self.feed.services.values()
            for attribute in as_list(raw.get("attributes"))
            if (term_id := attribute_term_id(attribute))
        }
        partnership_terms = {
            str(pk)
            for pk in TaxonomyTerm.objects.filter(
                pk__in=list(referenced_terms), taxonomy__partnership=self.partnership
            ).values_list("pk", flat=True)
        }
        linked = {
            canonical_id(link.get("location_id") or (link.get("location") or {}).get("id"))
            for raw in self.feed.services.values()
            for link in location_links(raw)
            if isinstance(link, dict)
        } - {None}
        ready = self.imported.locations
        held_locations = ready | {
            str(pk) for pk in Location.objects.filter(pk__in=list(linked - ready)).values_list("pk", flat=True)
        }
        district_codes = set(PostcodeDistrict.objects.values_list("code", flat=True))
        return ServiceLookups(district_codes=district_codes, partnership_terms=partnership_terms,
                              held_locations=held_locations)

    def _service(self, service_id: str, raw: Raw, obj: Service | None) -> str:
        organisation_id = self._service_organisation(raw, obj)
        before = snapshot(obj) if obj is not None else None
        obj = obj or Service(id=service_id)
        obj.organisation_id = uuid.UUID(organisation_id)
        if "name" in raw or before is None:
            obj.name = text(raw.get("name"))
            if not obj.name:
                raise ImportProblem("name is missing")
        if "description" in raw:
            obj.description = text(raw.get("description"))
        if "url" in raw:
            obj.url = self.records.web_address(raw, "url", service_id)
        if "email" in raw:
            obj.email = self.records.email_address(raw, "email", service_id)
        if "status" in raw:
            obj.status = service_status(raw.get("status"))
        if "minimum_age" in raw or "maximum_age" in raw:
            obj.minimum_age, obj.maximum_age = age_range(raw.get("minimum_age"), raw.get("maximum_age"))
            admits = carer_ages(obj.minimum_age, obj.maximum_age)
            if admits is not None:
                obj.carer_ages = admits
        if "eligibility_description" in raw:
            obj.eligibility_description = text(raw.get("eligibility_description"))
        # Cost options say what a service costs; the deprecated fees text alone only describes a new service,
        # so a list entry (fees, no cost options) does not undo what a full record said.
        if "cost_options" in raw or ("fees" in raw and before is None):
            obj.is_free, obj.fees_description = cost(self._prices(raw, service_id), text(raw.get("fees")))
        if "schedules" in raw:
            obj.opening_hours = opening_hours(as_list(raw.get("schedules")))
        if "languages" in raw:
            obj.languages = self._languages(as_list(raw.get("languages")), service_id)
        if "contacts" in raw:
            contacts = [c for c in as_list(raw.get("contacts")) if isinstance(c, dict)]
            obj.contact_name = next((text(c.get("name")) for c in contacts if text(c.get("name"))), "")[:120]
        if "contacts" in raw or "phones" in raw:
            phones = as_list(raw.get("phones")) + [
                phone for contact in as_list(raw.get("contacts")) if isinstance(contact, dict)
                for phone in as_list(contact.get("phones"))
            ]
            obj.phone = self.records.first_phone(phones, service_id)
        districts, whole_area = None, None
        if "service_areas" in raw:
            districts, whole_area = self._areas(as_list(raw.get("service_areas")), service_id)
            obj.serves_whole_area = whole_area
        links = self._links(raw, service_id)
        if "service_at_locations" in raw:
            obj.delivered_in_person = any(link["physical"] for link in links)
            obj.delivered_online = any(link["virtual"] for link in links)
        else:  # links added one at a time (service_at_location responses) only add ways of delivery
            obj.delivered_in_person |= any(link["physical"] for link in links)
            obj.delivered_online |= any(link["virtual"] for link in links)
        needs = self._needs(raw, obj if before is not None else None, service_id) if "attributes" in raw else None

        outcome = save(obj, before)
        related_changed = False
        if needs is not None and (before is None or {t.pk for t in obj.needs.all()} != needs):
            obj.needs.set(list(needs))
            related_changed = True
        if districts is not None and (before is None or {d.pk for d in obj.service_area_districts.all()} != districts):
            obj.service_area_districts.set(list(districts))
            related_changed = True
        related_changed |= self._sync_links(obj, links, replace="service_at_locations" in raw, created=before is None)
        if outcome == UNCHANGED and related_changed:
            outcome = save(obj, before, force_changed=True)
        if outcome != UNCHANGED:
            self.records.after(lambda: self.changed.services.add(service_id))
        return outcome

    def _service_organisation(self, raw: Raw, obj: Service | None) -> str:
        raw_id = raw.get("organization_id")
        if raw_id in (None, ""):
            if obj is not None:
                return str(obj.organisation_id)
            raise ImportProblem("names no organisation (organization_id or a nested organization)")
        organisation_id = canonical_id(raw_id)
        if organisation_id is None:
            raise ImportProblem(f"organization_id {raw_id!r} is not a UUID")
        if organisation_id in self.imported.organisations:
            return organisation_id
        if organisation_id in self.feed.organisations:
            raise ImportProblem(f"its organisation {organisation_id} could not be imported")
        if not Organisation.objects.filter(pk=organisation_id).exists():
            raise ImportProblem(f"its organisation {organisation_id} is neither in the feed nor in the directory")
        self.memberships.ensure(organisation_id, raw)
        return organisation_id

    def _prices(self, raw: Raw, service_id: str) -> list[str]:
        prices = []
        for option in as_list(raw.get("cost_options")):
            if not isinstance(option, dict):
                continue
            try:
                words = price(option)
            except ImportProblem as exc:
                self.records.warn(option, f"{exc}; this cost option is ignored", record_id=service_id)
                continue
            if words:
                prices.append(words)
        return prices

    def _languages(self, languages: list, service_id: str) -> list[str]:
        codes: list[str] = []
        for language in languages:
            if not isinstance(language, dict):
                continue
            try:
                code = language_code(language)
            except Rejected as exc:
                self.records.warn(language, str(exc), record_id=service_id)
                continue
            if code not in codes:
                codes.append(code)
        return codes

    def _areas(self, areas: list, service_id: str) -> tuple[set[str], bool]:
        """Service areas that are postcode districts ("GU1, GU2") or the partnership's own area ("Surrey")."""
        districts: set[str] = set()
        whole_area = False
        area_name = self.partnership.area_name or ""
        for area in areas:
            if not isinstance(area, dict):
                continue
            texts = [text(area.get(key)) for key in ("name", "service_area", "extent")]
            understood = False
            for words in filter(None, texts):
                if names_whole_area(words, area_name):
                    whole_area = understood = True
                    continue
                codes = outcodes(words)
                if codes is None:
                    continue
                understood = True
                for code in codes:
                    if code in self.lookups.district_codes:
                        districts.add(code)
                    else:
                        self.records.warn(area, f"{code} is not a known postcode district; ignored",
                                          record_id=service_id)
            if not understood:
                label = next(filter(None, texts), "")
                self.records.warn(area, f"service area {summarise(label, 60)!r} names no postcode districts; "
                                        "set the districts it covers by hand", record_id=service_id)
        return districts, whole_area

    def _needs(self, raw: Raw, obj: Service | None, service_id: str) -> set[uuid.UUID]:
        """The feed's terms, plus the links the feed does not own (need-taxonomy links and other partnerships')."""
        wanted: set[uuid.UUID] = set()
        for attribute in as_list(raw.get("attributes")):
            term_id = attribute_term_id(attribute)
            if term_id is None:
                self.records.warn(attribute, "attribute names no taxonomy term; ignored", record_id=service_id)
            elif term_id in self.imported.terms or (
                term_id in self.lookups.partnership_terms and term_id not in self.feed.terms
            ):
                wanted.add(uuid.UUID(term_id))
            else:
                self.records.warn(attribute, f"taxonomy term {term_id} was not imported; not linked",
                                  record_id=service_id)
        if obj is not None:
            wanted |= {
                term.pk for term in obj.needs.all()
                if term.taxonomy.is_need_taxonomy or term.taxonomy.partnership_id != self.partnership.pk
            }
        return wanted

    def _links(self, raw: Raw, service_id: str) -> list[dict[str, Any]]:
        """The service's places: each with its location id, or marked virtual (delivered online)."""
        links: list[dict[str, Any]] = []
        for link in location_links(raw):
            if not isinstance(link, dict):
                continue
            nested = link.get("location") if isinstance(link.get("location"), dict) else {}
            raw_location = link.get("location_id") or nested.get("id")
            location_id = canonical_id(raw_location)
            if location_id is None:
                self.records.warn(link, f"location id {raw_location!r} is not a UUID; not linked",
                                  record_id=service_id)
                continue
            if location_id in self.places.virtual:
                links.append({"virtual": True, "physical": False, "location_id": location_id})
                continue
            if location_id in self.places.skipped:
                continue
            if location_id not in self.lookups.held_locations:
                self.records.warn(link, f"location {location_id} was not imported; not linked", record_id=service_id)
                continue
            if any(existing["location_id"] == location_id for existing in links):
                continue
            links.append({"virtual": False, "physical": True, "location_id": location_id,
                          "id": canonical_id(link.get("id")), "description": text(link.get("description"))})
        return links

    def _sync_links(self, service: Service, links: list[dict[str, Any]], *, replace: bool, created: bool) -> bool:
        current = {} if created else {str(link.location_id): link for link in service.service_at_locations.all()}
        changed = False
        kept: set[uuid.UUID] = set()
        for link in links:
            if not link["physical"]:
                continue
            held = current.get(link["location_id"])
            if held is None and link["id"]:
                held = ServiceAtLocation.objects.filter(pk=link["id"]).first()
            if held is None:
                held = ServiceAtLocation(id=uuid.UUID(link["id"]) if link["id"] else uuid.uuid4(), service=service,
                                         location_id=uuid.UUID(link["location_id"]), description=link["description"])
                held.save(force_insert=True)
                outcome = CREATED
            else:
                before = snapshot(held)
                held.service = service
                held.location_id = uuid.UUID(link["location_id"])
                held.description = link["description"]
                outcome = save(held, before)
            kept.add(held.pk)
            self.records.count("service at location", outcome)
            changed |= outcome != UNCHANGED
        if replace:
            stale = [link.pk for link in current.values() if link.pk not in kept]
            if stale:
                ServiceAtLocation.objects.filter(pk__in=stale).delete()
                for _ in stale:
                    self.records.count("service at location", REMOVED)
                changed = True
        return changed


# --------------------------------------------------------------------------------------------------------------
# Afterwards


def refresh_services(changed: Changed, report: ImportReport) -> None:
    """Recompute the stored summary and search document of every service whose listing the import changed."""
    touched = set(changed.services)
    if changed.organisations or changed.terms:
        # A renamed organisation or term changes the search document of every service that shows it.
        touched |= {
            str(pk)
            for pk in Service.objects.filter(
                Q(organisation_id__in=list(changed.organisations)) | Q(needs__in=list(changed.terms))
            ).values_list("pk", flat=True)
        }
    if touched:
        report.refreshed_services = services_refresh(service_ids=touched)
