"""Import an Open Referral UK (HSDS 3.0) feed into a partnership's directory.

Entry point: ``import_feed(source=..., partnership=...) -> ImportReport``. The source may be a JSON response
(a service, an organisation with its services, a page envelope, a list), a folder of such responses, a tabular
data package (a folder of CSV tables, with or without ``datapackage.json``) or the http(s) address of an ORUK API.

It works in two steps. Reading turns whatever came in into one record per HSDS object (taxonomy, taxonomy term,
organisation, location, service), keyed by the feed's UUID and remembering where it came from (``services.csv
line 3``, ``service_full.json $.service_at_locations[0].location``). Importing then writes them, in dependency
order, each in its own savepoint: a record that fails is reported with its place and reason and leaves no rows,
and the others carry on. The feed's UUIDs are kept as primary keys, and a row is saved only when a value differs,
so a second run of the same feed changes nothing.

What the feed says wins for the fields it carries; a key missing from a record (a list entry without its
nested arrays, a table missing from a package) leaves what we hold alone. What the partnership curates is kept:
its need taxonomy is never edited by an import, and need links a manager added to a service stay.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import logging
import re
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import DatabaseError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import slugify

from partnership.models import Partnership, PostcodeDistrict, normalise_postcode

from .models import (
    LANGUAGE_NAMES,
    Location,
    Membership,
    Organisation,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    summarise,
)
from .services import location_place, services_refresh

logger = logging.getLogger(__name__)

Raw = dict[str, Any]

WHERE = "_where"  # where a record came from, kept on each dict read from the feed
MAX_RESPONSE_BYTES = 50 * 1024 * 1024
MAX_PAGES = 10_000
PAGE_SIZE = 100
FETCH_ERRORS = (OSError, ValueError, http.client.HTTPException)

CREATED, UPDATED, UNCHANGED, REMOVED, FAILED = "created", "updated", "unchanged", "removed", "failed"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, REMOVED, FAILED)
KINDS = ("taxonomy", "taxonomy term", "organisation", "membership", "location", "service", "service at location")


class SourceError(Exception):
    """The source as a whole cannot be read (missing, not JSON, unreachable): nothing was imported."""


class ImportProblem(ValueError):
    """A record cannot be imported as it stands; ``where`` names a nested row when that is the culprit."""

    def __init__(self, reason: str, *, where: str = "") -> None:
        super().__init__(reason)
        self.where = where


# --------------------------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class Problem:
    where: str
    kind: str
    reason: str
    record_id: str = ""

    def __str__(self) -> str:
        subject = f"{self.kind} {self.record_id}".strip()
        return f"{self.where}: {subject}: {self.reason}"


@dataclass
class ImportReport:
    source: str
    partnership: str
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[Problem] = field(default_factory=list)  # records not imported
    warnings: list[Problem] = field(default_factory=list)  # imported, with something left out
    refreshed_services: int = 0

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        if n:
            self.counts[kind][outcome] += n

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    @property
    def changed(self) -> bool:
        return any(self.total(outcome) for outcome in (CREATED, UPDATED, REMOVED))

    def summary_lines(self) -> list[str]:
        kinds = [kind for kind in KINDS if kind in self.counts] + sorted(set(self.counts) - set(KINDS))
        lines = [f"Imported {self.source} into {self.partnership}", ""]
        lines.append(f"{'':<22}" + "".join(f"{outcome:>11}" for outcome in OUTCOMES))
        for kind in kinds:
            lines.append(f"{kind:<22}" + "".join(f"{self.counts[kind][outcome]:>11}" for outcome in OUTCOMES))
        if not kinds:
            lines.append("Nothing found to import.")
        if self.errors:
            lines += ["", f"Not imported ({len(self.errors)}):"] + [f"  {problem}" for problem in self.errors]
        if self.warnings:
            lines += ["", f"Imported with warnings ({len(self.warnings)}):"]
            lines += [f"  {problem}" for problem in self.warnings]
        return lines


# --------------------------------------------------------------------------------------------------------------
# Reading: every source becomes a Feed of records keyed by id


def _canonical_id(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        return None


def _annotate(node: Any, source: str, path: str = "$") -> None:
    """Remember on every object of a JSON document where it is, to report it by its JSON path."""
    if isinstance(node, dict):
        node[WHERE] = source if path == "$" else f"{source} {path}"
        for key, value in list(node.items()):
            if key != WHERE:
                _annotate(value, source, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _annotate(value, source, f"{path}[{index}]")


def _where(node: Any, default: str = "") -> str:
    return node.get(WHERE, default) if isinstance(node, dict) else default


def _child(where: str, step: str) -> str:
    """The JSON path of a child: 'feed.json' + '[2]' -> 'feed.json $[2]'."""
    return f"{where}{step}" if " $" in where else f"{where} ${step}"


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


class Feed:
    """The HSDS objects found in a source, merged by id: later mentions add to (and override) earlier ones."""

    def __init__(self) -> None:
        self.taxonomies: dict[str, Raw] = {}
        self.terms: dict[str, Raw] = {}
        self.organisations: dict[str, Raw] = {}
        self.locations: dict[str, Raw] = {}
        self.services: dict[str, Raw] = {}
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    # -- what a JSON object is

    def add_json(self, node: Any, where: str = "") -> None:
        """Add a JSON response; ``where`` is its place, for the odd item that is not an object to say where."""
        if isinstance(node, list):
            for index, item in enumerate(node):
                self.add_json(item, _child(where, f"[{index}]"))
            return
        if not isinstance(node, dict):
            self.errors.append(Problem(where or "?", "record", "is not a JSON object"))
            return
        if isinstance(node.get("contents"), list):  # a page envelope
            for index, item in enumerate(node["contents"]):
                self.add_json(item, _child(_where(node, where), f".contents[{index}]"))
            return
        kind = _classify(node)
        if kind == "service":
            self.add_service(node)
        elif kind == "organisation":
            self.add_organisation(node)
        elif kind == "service at location":
            self.add_service_at_location(node)
        elif kind == "location":
            self.add_location(node)
        elif kind == "taxonomy":
            self.add_taxonomy(node)
        elif kind == "taxonomy term":
            self.add_term(node)
        else:
            self.errors.append(Problem(
                _where(node, where), "record", "not recognised as a service, organisation, location, taxonomy or term",
                str(node.get("id") or ""),
            ))

    # -- each kind of object

    def _id(self, node: Raw, kind: str) -> str | None:
        raw_id = node.get("id")
        record_id = _canonical_id(raw_id)
        if record_id is None:
            reason = "has no id" if raw_id in (None, "") else f"id {raw_id!r} is not a UUID"
            self.errors.append(Problem(_where(node, "?"), kind, reason))
        return record_id

    @staticmethod
    def _merge(store: dict[str, Raw], record_id: str, node: Raw, *, weak: bool = False) -> None:
        """Fold another mention of an object into what we hold; a weak mention only fills gaps."""
        record = {key: value for key, value in node.items() if key not in ("services", "taxonomy_terms")}
        if record_id not in store:
            store[record_id] = record
            return
        held = store[record_id]
        for key, value in record.items():
            if key == WHERE:
                continue
            if key == "_extra_service_at_locations":
                held.setdefault(key, []).extend(value)
            elif weak:
                held.setdefault(key, value)
            else:
                held[key] = value

    def add_service(self, node: Raw, *, organisation_id: str | None = None) -> str | None:
        service_id = self._id(node, "service")
        if service_id is None:
            return None
        record = dict(node)
        organisation = node.get("organization")
        if isinstance(organisation, dict):
            nested_id = self.add_organisation(organisation)
            if nested_id:
                record["organization_id"] = nested_id
        elif organisation_id:
            record["organization_id"] = organisation_id
        record.pop("organization", None)
        for link in _as_list(node.get("service_at_locations")):
            if isinstance(link, dict) and isinstance(link.get("location"), dict):
                self.add_location(link["location"], organisation_id=record.get("organization_id"))
        for attribute in _as_list(node.get("attributes")):
            if isinstance(attribute, dict) and isinstance(attribute.get("taxonomy_term"), dict):
                self.add_term(attribute["taxonomy_term"], weak=True)
        self._merge(self.services, service_id, record)
        return service_id

    def add_organisation(self, node: Raw) -> str | None:
        organisation_id = self._id(node, "organisation")
        if organisation_id is None:
            return None
        self._merge(self.organisations, organisation_id, node)
        for service in _as_list(node.get("services")):
            if isinstance(service, dict):
                self.add_service(service, organisation_id=organisation_id)
        return organisation_id

    def add_location(self, node: Raw, *, organisation_id: str | None = None) -> str | None:
        location_id = self._id(node, "location")
        if location_id is None:
            return None
        record = dict(node)
        if organisation_id:
            record.setdefault("_organisation_hint", organisation_id)
        # The same place nested under several services is one location: the first full mention stands.
        self._merge(self.locations, location_id, record, weak=location_id in self.locations)
        return location_id

    def add_service_at_location(self, node: Raw) -> None:
        service = node.get("service")
        location = node.get("location")
        service_id = self.add_service(service) if isinstance(service, dict) else _canonical_id(node.get("service_id"))
        if isinstance(location, dict):
            hint = self.services.get(service_id or "", {}).get("organization_id")
            location_id = self.add_location(location, organisation_id=hint)
        else:
            location_id = _canonical_id(node.get("location_id"))
        if service_id is None or location_id is None:
            self.errors.append(Problem(_where(node, "?"), "service at location", "names no service or no location",
                                       str(node.get("id") or "")))
            return
        link = {"id": node.get("id"), "location_id": location_id, "description": node.get("description"),
                WHERE: _where(node)}
        # Linked on its own, so it adds this link without dropping the service's other locations.
        self._merge(self.services, service_id, {"id": service_id, WHERE: _where(node),
                                                "_extra_service_at_locations": [link]}, weak=True)

    def add_taxonomy(self, node: Raw) -> str | None:
        taxonomy_id = self._id(node, "taxonomy")
        if taxonomy_id is None:
            return None
        self._merge(self.taxonomies, taxonomy_id, node)
        for term in _as_list(node.get("taxonomy_terms")):
            if isinstance(term, dict):
                self.add_term({**term, "_taxonomy_id": taxonomy_id})
        return taxonomy_id

    def add_term(self, node: Raw, *, weak: bool = False) -> str | None:
        term_id = self._id(node, "taxonomy term")
        if term_id is None:
            return None
        # A term quoted inside a service's attribute only fills in what a taxonomy or term list did not say.
        self._merge(self.terms, term_id, node, weak=weak)
        return term_id


def _classify(node: Raw) -> str:
    keys = set(node)
    if "location" in keys and ("service" in keys or "service_id" in keys):
        return "service at location"
    if isinstance(node.get("services"), list):
        return "organisation"
    if "taxonomy_terms" in keys:
        return "taxonomy"
    if keys & {"location_type", "addresses", "latitude", "longitude"}:
        return "location"
    if keys & {"status", "organization", "organization_id", "service_areas", "service_at_locations", "cost_options",
               "schedules", "fees", "minimum_age", "maximum_age", "url", "eligibility_description"}:
        return "service"
    if keys & {"term", "parent_id", "taxonomy_id", "term_uri", "code", "taxonomy"}:
        return "taxonomy term"
    if "version" in keys:
        return "taxonomy"
    if keys & {"website", "logo", "organization_identifiers", "parent_organization_id", "email", "uri",
               "legal_status", "year_incorporated"}:
        return "organisation"
    return ""


# -- JSON files and folders


def _read_json_file(path: Path, label: str) -> Any:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{label} is not readable JSON: {exc}") from exc
    _annotate(data, label)
    return data


def _read_json_folder(folder: Path, feed: Feed) -> None:
    files = sorted(path for path in folder.rglob("*.json") if path.is_file())
    if not files:
        raise SourceError(f"{folder} holds no JSON responses and no CSV tables")
    for path in files:
        label = str(path.relative_to(folder))
        feed.add_json(_read_json_file(path, label), label)


# -- tabular data packages

# Each HSDS table and the names its file goes by (the UK profile's first; HSDS core and plural spellings after).
TABLES: dict[str, tuple[str, ...]] = {
    "organization": ("organizations.csv", "organization.csv"),
    "organization_identifier": ("organization_identifiers.csv", "organization_identifier.csv"),
    "service": ("services.csv", "service.csv"),
    "location": ("locations.csv", "location.csv"),
    "address": ("address.csv", "addresses.csv", "physical_addresses.csv"),
    "service_at_location": ("service_at_location.csv", "service_at_locations.csv"),
    "contact": ("contacts.csv", "contact.csv"),
    "phone": ("phones.csv", "phone.csv"),
    "schedule": ("schedule.csv", "schedules.csv"),
    "service_area": ("service_areas.csv", "service_area.csv"),
    "language": ("languages.csv", "language.csv"),
    "cost_option": ("cost_options.csv", "cost_option.csv"),
    "taxonomy": ("taxonomies.csv", "taxonomy.csv"),
    "taxonomy_term": ("taxonomy_terms.csv", "taxonomy_term.csv"),
    "attribute": ("attribute.csv", "attributes.csv"),
}
_TABLE_BY_NAME = {
    alias: table
    for table, files in TABLES.items()
    for alias in {table, table + "s", *(name.removesuffix(".csv") for name in files)}
}


def _is_package(folder: Path) -> bool:
    return (folder / "datapackage.json").is_file() or any(
        (folder / name).is_file() for files in TABLES.values() for name in files
    )


def _package_files(folder: Path, feed: Feed) -> dict[str, Path]:
    """Which file holds each table: as datapackage.json says, else by the usual file names."""
    files: dict[str, Path] = {}
    descriptor = folder / "datapackage.json"
    if descriptor.is_file():
        try:
            resources = json.loads(descriptor.read_text(encoding="utf-8-sig")).get("resources") or []
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as exc:
            raise SourceError(f"datapackage.json is not readable: {exc}") from exc
        for resource in resources:
            if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
                continue
            table = _TABLE_BY_NAME.get(str(resource.get("name", "")).lower()) or _TABLE_BY_NAME.get(
                Path(resource["path"]).stem.lower()
            )
            path = (folder / resource["path"]).resolve()
            if table is None or table in files:
                continue
            if not path.is_relative_to(folder.resolve()) or not path.is_file():
                feed.warnings.append(Problem("datapackage.json", "table",
                                             f"resource {resource.get('name')!r} names no file in the package"))
                continue
            files[table] = path
    for table, names in TABLES.items():
        if table not in files:
            found = next((folder / name for name in names if (folder / name).is_file()), None)
            if found is not None:
                files[table] = found
    return files


def _table_kind(table: str) -> str:
    return {"organization": "organisation"}.get(table, table.replace("_", " "))


def _read_table(path: Path, table: str, feed: Feed) -> list[Raw]:
    """The rows of a CSV table as dicts, blank cells as None, each knowing its line (the header is line 1)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        feed.warnings.append(Problem(path.name, "table", "is not UTF-8; read as Windows-1252"))
    # Some exported tables end lines with CR CR LF (the ORUK examples do): one line break, not two.
    text = re.sub(r"\r+\n", "\n", text)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        rows: list[Raw] = []
        while True:
            line = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                break
            if not any(cell.strip() for cell in cells):
                continue
            where = f"{path.name} line {line}"
            if len(cells) != len(header):
                feed.errors.append(Problem(where, _table_kind(table),
                                           f"has {len(cells)} cells but the header names {len(header)}"))
                continue
            row: Raw = {name: (cell.strip() or None) for name, cell in zip(header, cells, strict=True)}
            row[WHERE] = where
            rows.append(row)
    except csv.Error as exc:
        raise SourceError(f"{path.name} line {reader.line_num} is not valid CSV: {exc}") from exc
    return rows


def _read_package(folder: Path, feed: Feed) -> None:
    files = _package_files(folder, feed)
    tables = {table: _read_table(path, table, feed) for table, path in files.items()}

    def rows_by(table: str, column: str) -> dict[str, list[Raw]] | None:
        """Rows of a table grouped by a parent id; None when the package has no such table."""
        if table not in tables:
            return None
        grouped: dict[str, list[Raw]] = defaultdict(list)
        for row in tables[table]:
            parent = _canonical_id(row.get(column))
            if parent:
                grouped[parent].append(row)
        return grouped

    def ids(table: str) -> set[str | None]:
        return {_canonical_id(row.get("id")) for row in tables.get(table, [])} - {None}

    service_ids, organisation_ids, location_ids = ids("service"), ids("organization"), ids("location")
    contact_ids, link_ids = ids("contact"), ids("service_at_location")

    def orphans(table: str, column: str, known: set, what: str) -> None:
        for row in tables.get(table, []):
            parent = _canonical_id(row.get(column))
            if parent not in known:
                feed.warnings.append(Problem(row[WHERE], _table_kind(table),
                                             f"{column} {row.get(column)!r} matches no {what} in the package; ignored",
                                             row.get("id") or ""))

    for table in ("contact", "service_area", "language", "cost_option"):
        orphans(table, "service_id", service_ids, "service")
    orphans("service_at_location", "service_id", service_ids, "service")
    orphans("address", "location_id", location_ids, "location")
    orphans("organization_identifier", "organization_id", organisation_ids, "organisation")
    for row in tables.get("phone", []):
        owners = {_canonical_id(row.get("contact_id")), _canonical_id(row.get("service_id"))}
        if not owners & (contact_ids | service_ids):
            feed.warnings.append(Problem(row[WHERE], "phone", "belongs to no contact or service in the package; "
                                         "ignored", row.get("id") or ""))
    for row in tables.get("schedule", []):
        if not ({_canonical_id(row.get("service_id")), _canonical_id(row.get("service_at_location_id"))}
                & (service_ids | link_ids)):
            feed.warnings.append(Problem(row[WHERE], "schedule", "belongs to no service in the package; ignored",
                                         row.get("id") or ""))
    for row in tables.get("attribute", []):
        if _canonical_id(row.get("link_id")) not in service_ids | organisation_ids | location_ids:
            feed.warnings.append(Problem(row[WHERE], "attribute",
                                         f"link_id {row.get('link_id')!r} matches nothing in the package; ignored",
                                         row.get("id") or ""))

    for row in tables.get("taxonomy", []):
        feed.add_taxonomy(row)
    for row in tables.get("taxonomy_term", []):
        feed.add_term(row)

    identifiers = rows_by("organization_identifier", "organization_id")
    for row in tables.get("organization", []):
        record = dict(row)
        if identifiers is not None:
            record["organization_identifiers"] = identifiers.get(_canonical_id(row.get("id")), [])
        feed.add_organisation(record)

    addresses = rows_by("address", "location_id")
    for row in tables.get("location", []):
        record = dict(row)
        if addresses is not None:
            record["addresses"] = addresses.get(_canonical_id(row.get("id")), [])
        feed.add_location(record)

    phones_by_contact = rows_by("phone", "contact_id") or {}
    phones_by_service = rows_by("phone", "service_id")
    contacts = rows_by("contact", "service_id")
    schedules = rows_by("schedule", "service_id")
    schedules_by_link = rows_by("schedule", "service_at_location_id") or {}
    areas = rows_by("service_area", "service_id")
    languages = rows_by("language", "service_id")
    costs = rows_by("cost_option", "service_id")
    attributes = rows_by("attribute", "link_id")
    links = rows_by("service_at_location", "service_id")
    for row in tables.get("service", []):
        service_id = _canonical_id(row.get("id"))
        record = dict(row)
        # A table the package has sets the service's list, even to nothing; a missing table leaves it alone.
        for key, grouped in (("contacts", contacts), ("service_areas", areas), ("languages", languages),
                             ("cost_options", costs), ("attributes", attributes), ("service_at_locations", links),
                             ("phones", phones_by_service)):
            if grouped is not None:
                record[key] = grouped.get(service_id, []) if service_id else []
        if costs is None and "fees" in row:
            record["cost_options"] = []  # a package without cost options says what it costs in fees alone
        if contacts is not None:
            record["contacts"] = [{**contact, "phones": phones_by_contact.get(_canonical_id(contact.get("id")), [])}
                                  for contact in record["contacts"]]
        if schedules is not None:
            own = list(schedules.get(service_id, [])) if service_id else []
            for link in record.get("service_at_locations") or []:
                own += [s for s in schedules_by_link.get(_canonical_id(link.get("id")), []) if s not in own]
            record["schedules"] = own
        feed.add_service(record)


# -- an ORUK API over http(s)


def _fetch_json(url: str, timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": "partnership-hub-oruk-import/1"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked by caller
        body = response.read(MAX_RESPONSE_BYTES + 1)
    if len(body) > MAX_RESPONSE_BYTES:
        raise ValueError(f"the response is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB")
    data = json.loads(body.decode("utf-8-sig"))
    _annotate(data, url)
    return data


def _read_api(url: str, feed: Feed, timeout: float) -> None:
    """Page through /services for the ids, then fetch each full record from /services/{id}."""
    parts = urllib.parse.urlsplit(url)
    if parts.path.lower().endswith(".json"):  # a feed published as one document
        try:
            feed.add_json(_fetch_json(url, timeout), url)
        except FETCH_ERRORS as exc:
            raise SourceError(f"could not fetch {url}: {exc}") from exc
        return
    base = url.split("?", 1)[0].rstrip("/").removesuffix("/services")
    listed: list[tuple[str, str]] = []  # (id, the page it was listed on)
    seen: set[str] = set()
    page = 1
    while page <= MAX_PAGES:
        page_url = f"{base}/services?page={page}&per_page={PAGE_SIZE}"
        try:
            envelope = _fetch_json(page_url, timeout)
            if not isinstance(envelope, dict) or not isinstance(envelope.get("contents"), list):
                raise ValueError("it is not a page of services (no contents list)")
        except FETCH_ERRORS as exc:
            if page == 1:
                raise SourceError(f"could not read {page_url}: {exc}") from exc
            feed.errors.append(Problem(page_url, "page", f"could not be read, so paging stopped: {exc}"))
            break
        new = []
        for entry in envelope["contents"]:
            service_id = _canonical_id(entry.get("id")) if isinstance(entry, dict) else None
            if service_id is None:
                feed.errors.append(Problem(_where(entry, page_url), "service", "has no valid id"))
            elif service_id not in seen:
                seen.add(service_id)
                new.append((service_id, _where(entry, page_url)))
        listed += new
        total_pages = envelope.get("total_pages")
        # Stop at the last page, or when a server that ignores ?page= sends the same page again.
        if (not new or envelope.get("last_page") is True
                or (isinstance(total_pages, int) and page >= total_pages)):
            break
        page += 1
    for service_id, _listed_on in listed:
        record_url = f"{base}/services/{service_id}"
        try:
            record = _fetch_json(record_url, timeout)
            if not isinstance(record, dict) or _canonical_id(record.get("id")) != service_id:
                raise ValueError("the response is not this service")
        except FETCH_ERRORS as exc:
            feed.errors.append(Problem(record_url, "service", f"could not be fetched: {exc}", service_id))
            continue
        feed.add_service(record)


def read_feed(source: str | Path, *, timeout: float = 30.0) -> Feed:
    """Read a source into a Feed. Raises SourceError when the source itself cannot be read."""
    feed = Feed()
    text = str(source)
    scheme = urllib.parse.urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        _read_api(text, feed, timeout)
        return feed
    path = Path(text)
    if path.is_file() and path.name == "datapackage.json":
        path = path.parent
    if path.is_dir():
        if _is_package(path):
            _read_package(path, feed)
        else:
            _read_json_folder(path, feed)
    elif path.is_file():
        if path.suffix.lower() == ".csv":
            _read_package(path.parent, feed)
        else:
            feed.add_json(_read_json_file(path, path.name), path.name)
    else:
        raise SourceError(f"{text} is not a file, a folder or an http(s) address")
    return feed


# --------------------------------------------------------------------------------------------------------------
# Cleaning values from the feed

_url_validator = URLValidator(schemes=["http", "https"])
_email_validator = EmailValidator()

# ISO 639-2/3 codes some feeds use, for the languages we name.
LANGUAGE_ALIASES = {
    "eng": "en", "cym": "cy", "wel": "cy", "pol": "pl", "urd": "ur", "pan": "pa", "ben": "bn", "guj": "gu",
    "hin": "hi", "nep": "ne", "ron": "ro", "rum": "ro", "ara": "ar", "por": "pt", "spa": "es", "tur": "tr",
    "zho": "zh", "chi": "zh", "ukr": "uk", "som": "so", "tam": "ta", "fas": "fa", "per": "fa", "bsl": "bfi",
}
LANGUAGE_BY_NAME = {name.lower(): code for code, name in LANGUAGE_NAMES.items()} | {"bsl": "bfi"}
DAY_NAMES = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
             "SA": "Saturday", "SU": "Sunday"}
CHARITY_SCHEMES = {"GB-CHC", "GB-SC", "GB-NIC"}
NHS_SCHEMES = {"GB-NHS"}
INACTIVE_STATUSES = {"inactive", "defunct", "temporarily closed"}


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def _number(value: Any, label: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ImportProblem(f"{label} must be a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ImportProblem(f"{label} must be a number, not {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ImportProblem(f"{label} must be a number, not {value!r}")
    return number


def _age(value: Any, label: str) -> int | None:
    number = _number(value, label)
    if number is None:
        return None
    if number < 0 or number > 150 or number != int(number):
        raise ImportProblem(f"{label} must be a whole number of years, not {value!r}")
    return int(number)


def _money(amount: float) -> str:
    return f"{amount:.0f}" if amount == int(amount) else f"{amount:.2f}"


class _Rejected(Exception):
    """A value that does not fit; its field is left blank and a warning says why."""


# --------------------------------------------------------------------------------------------------------------
# Importing


@dataclass
class _Tally:
    """What one record did, kept aside until its savepoint commits (a failed record counts only as failed)."""

    counts: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    after: list[Callable[[], None]] = field(default_factory=list)


def _snapshot(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _save(obj: Any, before: dict[str, Any] | None, *, force_changed: bool = False) -> str:
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


class _Importer:
    def __init__(self, feed: Feed, partnership: Partnership, report: ImportReport) -> None:
        self.feed = feed
        self.partnership = partnership
        self.report = report
        self.tally = _Tally()
        self.kind = ""
        self.taxonomies_ready: dict[str, Taxonomy] = {}
        self.terms_ready: set[str] = set()
        self.organisations_ready: set[str] = set()
        self.memberships_checked: set[str] = set()
        self.locations_ready: set[str] = set()
        self.virtual_locations: set[str] = set()
        self.skipped_locations: set[str] = set()
        self.updated_organisations: set[str] = set()
        self.updated_terms: set[str] = set()
        self.touched_services: set[str] = set()
        self.district_codes: set[str] = set()
        self.partnership_terms: set[str] = set()
        self.held_locations: set[str] = set()
        self.parent_loops: set[str] = set()
        self.foreign_taxonomies: set[str] = set()

    # -- the frame around every record

    def _record(self, kind: str, record_id: str, raw: Raw, work: Callable[[], str]) -> bool:
        self.tally, self.kind = _Tally(), kind
        try:
            with transaction.atomic():
                outcome = work()
        except Exception as exc:  # any failure of one record is reported, and the next one goes ahead
            if not isinstance(exc, ImportProblem | ValidationError | DatabaseError):
                logger.exception("Unexpected failure importing %s %s", kind, record_id)
            where = getattr(exc, "where", "") or _where(raw, "?")
            self.report.errors.append(Problem(where, kind, _reason(exc), record_id))
            self.report.count(kind, FAILED)
            return False
        self.report.count(kind, outcome)
        for counted_kind, counted_outcome in self.tally.counts:
            self.report.count(counted_kind, counted_outcome)
        self.report.warnings += self.tally.warnings
        for callback in self.tally.after:
            callback()
        return True

    def _warn(self, node: Any, reason: str, *, record_id: str = "") -> None:
        self.tally.warnings.append(Problem(_where(node, "?"), self.kind, reason, record_id))

    def _url(self, node: Raw, key: str, record_id: str, max_length: int = 200) -> str:
        value = _text(node.get(key))
        if not value:
            return ""
        try:
            if len(value) > max_length:
                raise _Rejected(f"is longer than {max_length} characters")
            _url_validator(value)
        except (ValidationError, _Rejected):
            self._warn(node, f"{key} {value[:80]!r} is not a usable web address; left blank", record_id=record_id)
            return ""
        return value

    def _email(self, node: Raw, key: str, record_id: str) -> str:
        value = _text(node.get(key))
        if not value:
            return ""
        try:
            _email_validator(value)
        except ValidationError:
            self._warn(node, f"{key} {value[:80]!r} is not an email address; left blank", record_id=record_id)
            return ""
        return value

    # -- the run

    def run(self) -> ImportReport:
        for problem in self.feed.errors:
            self.report.errors.append(problem)
            self.report.count(problem.kind, FAILED)
        self.report.warnings += self.feed.warnings
        self._import_taxonomies()
        self._import_terms()
        self._import_organisations()
        self._import_locations()
        self._import_services()
        self._refresh()
        return self.report

    # -- taxonomies and terms

    def _import_taxonomies(self) -> None:
        existing = {str(k): v for k, v in Taxonomy.objects.in_bulk(list(self.feed.taxonomies)).items()}
        for taxonomy_id, raw in self.feed.taxonomies.items():
            def work(taxonomy_id=taxonomy_id, raw=raw) -> str:
                return self._taxonomy(taxonomy_id, raw, existing.get(taxonomy_id))
            self._record("taxonomy", taxonomy_id, raw, work)

    def _taxonomy(self, taxonomy_id: str, raw: Raw, obj: Taxonomy | None) -> str:
        if obj is not None and obj.partnership_id != self.partnership.pk:
            raise ImportProblem("this id belongs to a taxonomy of another partnership")
        if obj is not None and obj.is_need_taxonomy:
            # The need taxonomy is the partnership manager's to curate: an import links to it, never edits it.
            self.tally.after.append(lambda: self.taxonomies_ready.__setitem__(taxonomy_id, obj))
            return UNCHANGED
        before = _snapshot(obj) if obj is not None else None
        obj = obj or Taxonomy(id=taxonomy_id, partnership=self.partnership, is_need_taxonomy=False)
        if "name" in raw or before is None:
            obj.name = _text(raw.get("name"))
            if not obj.name:
                raise ImportProblem("name is missing")
        if "description" in raw:
            obj.description = _text(raw.get("description"))
        if "uri" in raw:
            obj.uri = self._url(raw, "uri", taxonomy_id)
        if "version" in raw:
            obj.version = _text(raw.get("version"))
        outcome = _save(obj, before)
        self.tally.after.append(lambda: self.taxonomies_ready.__setitem__(taxonomy_id, obj))
        return outcome

    def _term_taxonomies(self, existing: dict[str, TaxonomyTerm]) -> dict[str, str]:
        """Which taxonomy each term belongs to: as the feed says, else where we hold it, else by its name."""
        targets: dict[str, str] = {}
        for term_id, raw in self.feed.terms.items():
            named = raw.get("_taxonomy_id") or raw.get("taxonomy_id")
            if named:
                target = _canonical_id(named)
                targets[term_id] = target or f"invalid:{named}"
            elif term_id in existing:
                targets[term_id] = str(existing[term_id].taxonomy_id)
            else:
                # A vocabulary named only in words gets an id of its own, stable for this partnership.
                name = _text(raw.get("taxonomy")) or "Imported terms"
                targets[term_id] = str(uuid.uuid5(self.partnership.pk, f"oruk-taxonomy:{name.lower()}"))
        return targets

    def _import_terms(self) -> None:
        existing = {
            str(k): v
            for k, v in TaxonomyTerm.objects.select_related("taxonomy").in_bulk(list(self.feed.terms)).items()
        }
        targets = self._term_taxonomies(existing)
        # Taxonomies the terms name that the feed does not describe: create them, named as the terms say.
        missing = {t for t in targets.values() if t not in self.taxonomies_ready and not t.startswith("invalid:")}
        missing -= set(self.feed.taxonomies)
        held = {str(k): v for k, v in Taxonomy.objects.in_bulk(list(missing)).items()}
        for taxonomy_id in sorted(missing):
            obj = held.get(taxonomy_id)
            if obj is not None:
                if obj.partnership_id == self.partnership.pk:
                    self.taxonomies_ready[taxonomy_id] = obj
                    self.report.count("taxonomy", UNCHANGED)
                else:
                    self.foreign_taxonomies.add(taxonomy_id)
                continue
            first = next(self.feed.terms[t] for t in targets if targets[t] == taxonomy_id)
            raw = {"name": _text(first.get("taxonomy")) or "Imported terms", WHERE: _where(first, "?")}

            def work(taxonomy_id=taxonomy_id, raw=raw) -> str:
                return self._taxonomy(taxonomy_id, raw, None)
            self._record("taxonomy", taxonomy_id, raw, work)

        for term_id in self._parents_first(self.feed.terms):
            raw = self.feed.terms[term_id]

            def work(term_id=term_id, raw=raw) -> str:
                return self._term(term_id, raw, existing.get(term_id), targets[term_id])
            self._record("taxonomy term", term_id, raw, work)

    def _parents_first(self, terms: dict[str, Raw]) -> list[str]:
        order: list[str] = []
        state: dict[str, str] = {}

        def visit(term_id: str) -> None:
            if state.get(term_id):
                return
            state[term_id] = "visiting"
            parent = _canonical_id(terms[term_id].get("parent_id"))
            if parent in terms:
                if state.get(parent) == "visiting":
                    self.parent_loops.add(term_id)  # the term that would close a loop of parents
                else:
                    visit(parent)
            state[term_id] = "done"
            order.append(term_id)

        for term_id in terms:
            visit(term_id)
        return order

    def _term(self, term_id: str, raw: Raw, obj: TaxonomyTerm | None, taxonomy_id: str) -> str:
        if taxonomy_id.startswith("invalid:"):
            raise ImportProblem(f"taxonomy_id {taxonomy_id.removeprefix('invalid:')!r} is not a UUID")
        taxonomy = self.taxonomies_ready.get(taxonomy_id)
        if taxonomy_id in self.foreign_taxonomies:
            raise ImportProblem(f"its taxonomy {taxonomy_id} belongs to another partnership")
        if taxonomy is None:
            raise ImportProblem(f"its taxonomy {taxonomy_id} could not be imported")
        if obj is not None and obj.taxonomy.partnership_id != self.partnership.pk:
            raise ImportProblem("this id belongs to a term of another partnership")
        if obj is not None and obj.taxonomy.is_need_taxonomy:
            self.tally.after.append(lambda: self.terms_ready.add(term_id))
            return UNCHANGED
        if taxonomy.is_need_taxonomy:
            raise ImportProblem("the feed adds it to the partnership's need taxonomy, which only its manager curates")
        before = _snapshot(obj) if obj is not None else None
        obj = obj or TaxonomyTerm(id=term_id)
        obj.taxonomy = taxonomy
        if "name" in raw or before is None:
            obj.name = _text(raw.get("name")) or _text(raw.get("term")) or _text(raw.get("code"))
            if not obj.name:
                raise ImportProblem("name is missing")
        if "code" in raw or "term" in raw:
            obj.code = _text(raw.get("code")) or _text(raw.get("term"))
        if "description" in raw:
            obj.description = _text(raw.get("description"))
        if "term_uri" in raw:
            obj.term_uri = self._url(raw, "term_uri", term_id)
        if "parent_id" in raw:
            obj.parent_id = self._term_parent(raw, term_id, taxonomy)
        base = slugify(obj.code or obj.name)[:90] or "term"
        clash = TaxonomyTerm.objects.filter(taxonomy=taxonomy, slug=base).exclude(pk=term_id).exists()
        obj.slug = f"{base}-{term_id[:8]}" if clash else base
        outcome = _save(obj, before)
        self.tally.after.append(lambda: self.terms_ready.add(term_id))
        if outcome == UPDATED:
            self.tally.after.append(lambda: self.updated_terms.add(term_id))
        return outcome

    def _term_parent(self, raw: Raw, term_id: str, taxonomy: Taxonomy) -> uuid.UUID | None:
        raw_parent = raw.get("parent_id")
        if raw_parent in (None, ""):
            return None
        parent_id = _canonical_id(raw_parent)
        if parent_id is None or parent_id == term_id or term_id in self.parent_loops:
            self._warn(raw, f"parent_id {raw_parent!r} would make a loop or is not a term id; left at the top level",
                       record_id=term_id)
            return None
        parent = TaxonomyTerm.objects.filter(pk=parent_id).values_list("taxonomy_id", flat=True).first()
        if parent is None or (parent_id in self.feed.terms and parent_id not in self.terms_ready):
            self._warn(raw, f"parent term {parent_id} is not in the feed or the directory; left at the top level",
                       record_id=term_id)
            return None
        if parent != taxonomy.pk:
            self._warn(raw, f"parent term {parent_id} is in another taxonomy; left at the top level",
                       record_id=term_id)
            return None
        return uuid.UUID(parent_id)

    # -- organisations and their membership of the partnership

    def _import_organisations(self) -> None:
        existing = {str(k): v for k, v in Organisation.objects.in_bulk(list(self.feed.organisations)).items()}
        for organisation_id, raw in self.feed.organisations.items():
            def work(organisation_id=organisation_id, raw=raw) -> str:
                return self._organisation(organisation_id, raw, existing.get(organisation_id))
            if self._record("organisation", organisation_id, raw, work):
                self.organisations_ready.add(organisation_id)

    def _organisation(self, organisation_id: str, raw: Raw, obj: Organisation | None) -> str:
        before = _snapshot(obj) if obj is not None else None
        obj = obj or Organisation(id=organisation_id)
        if "name" in raw or before is None:
            obj.name = _text(raw.get("name"))
            if not obj.name:
                raise ImportProblem("name is missing")
        if "alternate_name" in raw:
            obj.alternate_name = _text(raw.get("alternate_name"))
        if "description" in raw:
            obj.description = _text(raw.get("description"))
        if "email" in raw:
            obj.email = self._email(raw, "email", organisation_id)
        if "website" in raw:
            obj.website = self._url(raw, "website", organisation_id)
        if "phones" in raw:
            obj.phone = self._first_phone(_as_list(raw.get("phones")), organisation_id)
        for identifier in _as_list(raw.get("organization_identifiers")):
            if not isinstance(identifier, dict):
                continue
            scheme = _text(identifier.get("identifier_scheme")).upper()
            kind = _text(identifier.get("identifier_type")).lower()
            value = _text(identifier.get("identifier"))
            if scheme in CHARITY_SCHEMES or "charity" in kind:
                target, limit = "charity_number", 20
            elif scheme in NHS_SCHEMES or "ods" in kind.split():
                target, limit = "ods_code", 12
            else:
                continue
            if value and len(value) <= limit:
                setattr(obj, target, value)
            elif value:
                self._warn(identifier, f"identifier {value[:40]!r} is too long for a {target.replace('_', ' ')}",
                           record_id=organisation_id)
        outcome = _save(obj, before)
        if outcome == UPDATED:
            self.tally.after.append(lambda: self.updated_organisations.add(organisation_id))
        self._ensure_membership(organisation_id, raw)
        return outcome

    def _ensure_membership(self, organisation_id: str, raw: Raw) -> None:
        """Imported organisations join as active members; a suspended or departed one is left as it is."""
        if organisation_id in self.memberships_checked:
            return
        membership = Membership.objects.filter(partnership=self.partnership, organisation_id=organisation_id).first()
        if membership is None:
            Membership.objects.create(partnership=self.partnership, organisation_id=organisation_id,
                                      status=Membership.Status.ACTIVE, joined_at=timezone.now())
            self.tally.counts.append(("membership", CREATED))
        else:
            self.tally.counts.append(("membership", UNCHANGED))
            if membership.status != Membership.Status.ACTIVE:
                self.tally.warnings.append(Problem(
                    _where(raw, "?"), "membership",
                    f"the organisation is {membership.get_status_display().lower()} in this partnership; "
                    "left as it is, so its services stay out of the directory",
                    organisation_id,
                ))
        self.tally.after.append(lambda: self.memberships_checked.add(organisation_id))

    # -- locations

    def _import_locations(self) -> None:
        existing = {str(k): v for k, v in Location.objects.in_bulk(list(self.feed.locations)).items()}
        hinted = {_canonical_id(raw.get("organization_id") or raw.get("_organisation_hint"))
                  for raw in self.feed.locations.values()} - {None}
        known_organisations = self.organisations_ready | {
            str(pk) for pk in Organisation.objects.filter(pk__in=hinted).values_list("pk", flat=True)
        }
        for location_id, raw in self.feed.locations.items():
            location_type = _text(raw.get("location_type")).lower() or "physical"
            if location_type == "virtual":
                self.virtual_locations.add(location_id)  # no place: the services that use it are online
                continue
            if location_type != "physical":
                self.skipped_locations.add(location_id)
                self.report.warnings.append(Problem(
                    _where(raw, "?"), "location", f"is a {location_type} location, not a place where services are "
                    "delivered; not imported", location_id))
                continue

            def work(location_id=location_id, raw=raw) -> str:
                return self._location(location_id, raw, existing.get(location_id), known_organisations)
            if self._record("location", location_id, raw, work):
                self.locations_ready.add(location_id)

    def _location(self, location_id: str, raw: Raw, obj: Location | None, known_organisations: set[str]) -> str:
        before = _snapshot(obj) if obj is not None else None
        obj = obj or Location(id=location_id)
        if obj.organisation_id is None:
            organisation_id = _canonical_id(raw.get("organization_id") or raw.get("_organisation_hint"))
            if organisation_id in known_organisations:
                obj.organisation_id = uuid.UUID(organisation_id)
        if "name" in raw:
            obj.name = _text(raw.get("name"))
        if "description" in raw:
            obj.description = _text(raw.get("description"))
        if "latitude" in raw or "longitude" in raw:
            obj.latitude, obj.longitude = self._coordinates(raw, location_id)
        if "addresses" in raw:
            self._address(obj, _as_list(raw.get("addresses")), location_id)
        location_place(location=obj)
        return _save(obj, before)

    def _coordinates(self, raw: Raw, location_id: str) -> tuple[float | None, float | None]:
        latitude = _number(raw.get("latitude"), "latitude")
        longitude = _number(raw.get("longitude"), "longitude")
        if latitude is None or longitude is None:
            return None, None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            self._warn(raw, f"latitude {latitude:g} and longitude {longitude:g} are not a place on Earth; "
                            "placed by postcode instead", record_id=location_id)
            return None, None
        return latitude, longitude

    def _address(self, obj: Location, addresses: list, location_id: str) -> None:
        addresses = [a for a in addresses if isinstance(a, dict)]
        chosen = next((a for a in addresses if _text(a.get("address_type")).lower() == "physical"), None)
        chosen = chosen or (addresses[0] if addresses else {})
        obj.address_1 = ", ".join(p for p in (_text(chosen.get("address_1")), _text(chosen.get("address_2"))) if p)
        obj.city = _text(chosen.get("city"))
        obj.state_province = _text(chosen.get("state_province")) or _text(chosen.get("region"))
        postcode = _text(chosen.get("postal_code"))
        obj.postal_code = normalise_postcode(postcode) or postcode
        country = _text(chosen.get("country")).upper()
        if country in ("UK", "UNITED KINGDOM", "GREAT BRITAIN", "ENGLAND", "WALES", "SCOTLAND", "NORTHERN IRELAND"):
            country = "GB"
        if len(country) == 2 and country.isalpha():
            obj.country = country
        elif country:
            self._warn(chosen, f"country {country[:40]!r} is not a two-letter country code; taken as GB",
                       record_id=location_id)
            obj.country = "GB"
        else:
            obj.country = "GB"

    # -- services

    def _import_services(self) -> None:
        ids = list(self.feed.services)
        existing = {
            str(k): v
            for k, v in Service.objects.prefetch_related(
                Prefetch("needs", queryset=TaxonomyTerm.objects.select_related("taxonomy")),
                "service_area_districts",
                "service_at_locations",
            ).in_bulk(ids).items()
        }
        referenced_terms = {
            term_id
            for raw in self.feed.services.values()
            for attribute in _as_list(raw.get("attributes"))
            if (term_id := self._attribute_term_id(attribute))
        }
        self.partnership_terms = {
            str(pk)
            for pk in TaxonomyTerm.objects.filter(
                pk__in=list(referenced_terms), taxonomy__partnership=self.partnership
            ).values_list("pk", flat=True)
        }
        linked = {
            _canonical_id(link.get("location_id") or (link.get("location") or {}).get("id"))
            for raw in self.feed.services.values()
            for link in _as_list(raw.get("service_at_locations")) + _as_list(raw.get("_extra_service_at_locations"))
            if isinstance(link, dict)
        } - {None}
        self.held_locations = self.locations_ready | {
            str(pk) for pk in Location.objects.filter(pk__in=list(linked - self.locations_ready)).values_list(
                "pk", flat=True)
        }
        self.district_codes = set(PostcodeDistrict.objects.values_list("code", flat=True))
        for service_id, raw in self.feed.services.items():
            def work(service_id=service_id, raw=raw) -> str:
                return self._service(service_id, raw, existing.get(service_id))
            self._record("service", service_id, raw, work)

    def _service(self, service_id: str, raw: Raw, obj: Service | None) -> str:
        organisation_id = self._service_organisation(raw, obj)
        before = _snapshot(obj) if obj is not None else None
        obj = obj or Service(id=service_id)
        obj.organisation_id = uuid.UUID(organisation_id)
        if "name" in raw or before is None:
            obj.name = _text(raw.get("name"))
            if not obj.name:
                raise ImportProblem("name is missing")
        if "description" in raw:
            obj.description = _text(raw.get("description"))
        if "url" in raw:
            obj.url = self._url(raw, "url", service_id)
        if "email" in raw:
            obj.email = self._email(raw, "email", service_id)
        if "status" in raw:
            obj.status = self._status(raw)
        if "minimum_age" in raw or "maximum_age" in raw:
            self._ages(obj, raw)
        if "eligibility_description" in raw:
            obj.eligibility_description = _text(raw.get("eligibility_description"))
        # Cost options say what a service costs; the deprecated fees text alone only describes a new service,
        # so a list entry (fees, no cost options) does not undo what a full record said.
        if "cost_options" in raw or ("fees" in raw and before is None):
            self._cost(obj, raw, service_id)
        if "schedules" in raw:
            obj.opening_hours = self._opening_hours(_as_list(raw.get("schedules")))
        if "languages" in raw:
            obj.languages = self._languages(_as_list(raw.get("languages")), service_id)
        if "contacts" in raw:
            contacts = [c for c in _as_list(raw.get("contacts")) if isinstance(c, dict)]
            obj.contact_name = next((_text(c.get("name")) for c in contacts if _text(c.get("name"))), "")[:120]
        if "contacts" in raw or "phones" in raw:
            phones = _as_list(raw.get("phones")) + [
                phone for contact in _as_list(raw.get("contacts")) if isinstance(contact, dict)
                for phone in _as_list(contact.get("phones"))
            ]
            obj.phone = self._first_phone(phones, service_id)
        districts, whole_area = None, None
        if "service_areas" in raw:
            districts, whole_area = self._areas(_as_list(raw.get("service_areas")), service_id)
            obj.serves_whole_area = whole_area
        links = self._links(raw, service_id)
        if "service_at_locations" in raw:
            obj.delivered_in_person = any(link["physical"] for link in links)
            obj.delivered_online = any(link["virtual"] for link in links)
        else:  # links added one at a time (service_at_location responses) only add ways of delivery
            obj.delivered_in_person |= any(link["physical"] for link in links)
            obj.delivered_online |= any(link["virtual"] for link in links)
        needs = self._needs(raw, obj if before is not None else None, service_id) if "attributes" in raw else None

        outcome = _save(obj, before)
        related_changed = False
        if needs is not None and (before is None or {t.pk for t in obj.needs.all()} != needs):
            obj.needs.set(list(needs))
            related_changed = True
        if districts is not None and (before is None or {d.pk for d in obj.service_area_districts.all()} != districts):
            obj.service_area_districts.set(list(districts))
            related_changed = True
        related_changed |= self._sync_links(obj, links, replace="service_at_locations" in raw, created=before is None)
        if outcome == UNCHANGED and related_changed:
            outcome = _save(obj, before, force_changed=True)
        if outcome != UNCHANGED:
            self.tally.after.append(lambda: self.touched_services.add(service_id))
        return outcome

    def _service_organisation(self, raw: Raw, obj: Service | None) -> str:
        raw_id = raw.get("organization_id")
        if raw_id in (None, ""):
            if obj is not None:
                return str(obj.organisation_id)
            raise ImportProblem("names no organisation (organization_id or a nested organization)")
        organisation_id = _canonical_id(raw_id)
        if organisation_id is None:
            raise ImportProblem(f"organization_id {raw_id!r} is not a UUID")
        if organisation_id in self.organisations_ready:
            return organisation_id
        if organisation_id in self.feed.organisations:
            raise ImportProblem(f"its organisation {organisation_id} could not be imported")
        if not Organisation.objects.filter(pk=organisation_id).exists():
            raise ImportProblem(f"its organisation {organisation_id} is neither in the feed nor in the directory")
        self._ensure_membership(organisation_id, raw)
        return organisation_id

    def _status(self, raw: Raw) -> str:
        status = _text(raw.get("status")).lower()
        if status in ("", "active"):
            return Service.Status.ACTIVE
        if status in INACTIVE_STATUSES:
            return Service.Status.INACTIVE
        raise ImportProblem(f"status {status!r} is not one of active, inactive, defunct or temporarily closed")

    def _ages(self, obj: Service, raw: Raw) -> None:
        obj.minimum_age = _age(raw.get("minimum_age"), "minimum_age")
        obj.maximum_age = _age(raw.get("maximum_age"), "maximum_age")
        if obj.minimum_age is not None and obj.maximum_age is not None and obj.minimum_age > obj.maximum_age:
            raise ImportProblem(f"minimum_age {obj.minimum_age} is more than maximum_age {obj.maximum_age}")
        # Routing turns young carers away from adult-only services: say whom the age range admits.
        if obj.minimum_age is not None or obj.maximum_age is not None:
            young = obj.minimum_age is None or obj.minimum_age < 18
            adult = obj.maximum_age is None or obj.maximum_age >= 18
            obj.carer_ages = (Service.CarerAges.ALL if young and adult
                              else Service.CarerAges.YOUNG if young else Service.CarerAges.ADULTS)

    def _cost(self, obj: Service, raw: Raw, service_id: str) -> None:
        priced = []
        for option in _as_list(raw.get("cost_options")):
            if not isinstance(option, dict):
                continue
            try:
                amount = _number(option.get("amount"), "amount")
            except ImportProblem as exc:
                self._warn(option, f"{exc}; this cost option is ignored", record_id=service_id)
                continue
            if amount is None or amount <= 0:
                continue
            currency = _text(option.get("currency")).upper()
            price = f"£{_money(amount)}" if currency in ("", "GBP") else f"{_money(amount)} {currency}"
            words = " ".join(p for p in (price, _text(option.get("amount_description"))) if p)
            if _text(option.get("option")):
                words += f" ({_text(option.get('option'))})"
            priced.append(words)
        fees = _text(raw.get("fees"))
        if priced:
            obj.is_free, description = False, "; ".join(priced)
        elif fees and not re.search(r"\bfree\b", fees, re.IGNORECASE):
            obj.is_free, description = False, fees
        else:
            obj.is_free, description = True, fees
        obj.fees_description = summarise(description, 299)

    def _opening_hours(self, schedules: list) -> str:
        parts: list[str] = []
        for schedule in schedules:
            if not isinstance(schedule, dict):
                continue
            text = _text(schedule.get("description"))
            if not text:
                days = [DAY_NAMES.get(d.strip().upper()[-2:], "") for d in _text(schedule.get("byday")).split(",")]
                hours = [_text(schedule.get(key))[:5] for key in ("opens_at", "closes_at")]
                text = " ".join(p for p in (", ".join(d for d in days if d),
                                            " to ".join(h for h in hours if h)) if p)
            if text and text not in parts:
                parts.append(text)
        return summarise(" ".join(parts), 299)

    def _languages(self, languages: list, service_id: str) -> list[str]:
        codes: list[str] = []
        for language in languages:
            if not isinstance(language, dict):
                continue
            code = _text(language.get("code")).lower().replace("_", "-").split("-")[0]
            name = _text(language.get("name"))
            if code:
                code = LANGUAGE_ALIASES.get(code, code)
                if not (code.isalpha() and 2 <= len(code) <= 3):
                    self._warn(language, f"code {language.get('code')!r} is not an ISO 639 code; ignored",
                               record_id=service_id)
                    continue
            elif name:
                code = LANGUAGE_BY_NAME.get(name.lower(), "")
                if not code:
                    self._warn(language, f"language {name[:40]!r} has no code we know; ignored",
                               record_id=service_id)
                    continue
            else:
                self._warn(language, "language has neither a code nor a name; ignored", record_id=service_id)
                continue
            if code not in codes:
                codes.append(code)
        return codes

    def _first_phone(self, phones: list, record_id: str) -> str:
        for phone in phones:
            if not isinstance(phone, dict):
                continue
            # Spreadsheet exports sometimes keep the quotes that stopped a number becoming a number.
            number = _text(phone.get("number")).strip("\"'").strip()
            if not number:
                continue
            if len(number) > 40:
                self._warn(phone, f"number {number[:40]!r}… is longer than 40 characters; ignored",
                           record_id=record_id)
                continue
            return number
        return ""

    def _areas(self, areas: list, service_id: str) -> tuple[set[str], bool]:
        """Service areas that are postcode districts ("GU1, GU2") or the partnership's own area ("Surrey")."""
        districts: set[str] = set()
        whole_area = False
        area_name = (self.partnership.area_name or "").strip().lower()
        for area in areas:
            if not isinstance(area, dict):
                continue
            texts = [_text(area.get(key)) for key in ("name", "service_area", "extent")]
            understood = False
            for text in filter(None, texts):
                if area_name and text.lower() in (area_name, f"all of {area_name}", f"the whole of {area_name}"):
                    whole_area = understood = True
                    continue
                codes = _outcodes(text)
                if codes is None:
                    continue
                understood = True
                for code in codes:
                    if code in self.district_codes:
                        districts.add(code)
                    else:
                        self._warn(area, f"{code} is not a known postcode district; ignored", record_id=service_id)
            if not understood:
                label = next(filter(None, texts), "")
                self._warn(area, f"service area {summarise(label, 60)!r} names no postcode districts; "
                                 "set the districts it covers by hand", record_id=service_id)
        return districts, whole_area

    def _attribute_term_id(self, attribute: Any) -> str | None:
        if not isinstance(attribute, dict):
            return None
        term = attribute.get("taxonomy_term")
        return _canonical_id(term.get("id") if isinstance(term, dict) else attribute.get("taxonomy_term_id"))

    def _needs(self, raw: Raw, obj: Service | None, service_id: str) -> set[uuid.UUID]:
        """The feed's terms, plus the links the feed does not own (need-taxonomy links and other partnerships')."""
        wanted: set[uuid.UUID] = set()
        for attribute in _as_list(raw.get("attributes")):
            term_id = self._attribute_term_id(attribute)
            if term_id is None:
                self._warn(attribute, "attribute names no taxonomy term; ignored", record_id=service_id)
            elif term_id in self.terms_ready or (term_id in self.partnership_terms and term_id not in self.feed.terms):
                wanted.add(uuid.UUID(term_id))
            else:
                self._warn(attribute, f"taxonomy term {term_id} was not imported; not linked", record_id=service_id)
        if obj is not None:
            wanted |= {
                term.pk for term in obj.needs.all()
                if term.taxonomy.is_need_taxonomy or term.taxonomy.partnership_id != self.partnership.pk
            }
        return wanted

    def _links(self, raw: Raw, service_id: str) -> list[dict[str, Any]]:
        """The service's places: each with its location id, or marked virtual (delivered online)."""
        links: list[dict[str, Any]] = []
        for link in _as_list(raw.get("service_at_locations")) + _as_list(raw.get("_extra_service_at_locations")):
            if not isinstance(link, dict):
                continue
            nested = link.get("location") if isinstance(link.get("location"), dict) else {}
            raw_location = link.get("location_id") or nested.get("id")
            location_id = _canonical_id(raw_location)
            if location_id is None:
                self._warn(link, f"location id {raw_location!r} is not a UUID; not linked", record_id=service_id)
                continue
            if location_id in self.virtual_locations:
                links.append({"virtual": True, "physical": False, "location_id": location_id})
                continue
            if location_id in self.skipped_locations:
                continue
            if location_id not in self.held_locations:
                self._warn(link, f"location {location_id} was not imported; not linked", record_id=service_id)
                continue
            if any(existing["location_id"] == location_id for existing in links):
                continue
            links.append({"virtual": False, "physical": True, "location_id": location_id,
                          "id": _canonical_id(link.get("id")), "description": _text(link.get("description"))})
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
                before = _snapshot(held)
                held.service = service
                held.location_id = uuid.UUID(link["location_id"])
                held.description = link["description"]
                outcome = _save(held, before)
            kept.add(held.pk)
            self.tally.counts.append(("service at location", outcome))
            changed |= outcome != UNCHANGED
        if replace:
            stale = [link.pk for link in current.values() if link.pk not in kept]
            if stale:
                ServiceAtLocation.objects.filter(pk__in=stale).delete()
                self.tally.counts += [("service at location", REMOVED)] * len(stale)
                changed = True
        return changed

    # -- afterwards

    def _refresh(self) -> None:
        touched = set(self.touched_services)
        if self.updated_organisations or self.updated_terms:
            # A renamed organisation or term changes the search document of every service that shows it.
            touched |= {
                str(pk)
                for pk in Service.objects.filter(
                    Q(organisation_id__in=list(self.updated_organisations)) | Q(needs__in=list(self.updated_terms))
                ).values_list("pk", flat=True)
            }
        if touched:
            self.report.refreshed_services = services_refresh(service_ids=touched)


def _outcodes(text: str) -> list[str] | None:
    """The postcode districts a text lists ("GU1, GU2 and KT22", "RH1 1AA"), or None if it is prose."""
    codes: list[str] = []
    for part in re.split(r"[,;/|\n]+|\s+and\s+|\s+&\s+", text):
        part = part.strip()
        if not part:
            continue
        postcode = normalise_postcode(part)
        if postcode:
            codes.append(postcode.split(" ")[0])
            continue
        pieces = [normalise_postcode(piece) for piece in part.split()]
        if len(pieces) > 1 and all(piece and " " not in piece for piece in pieces):
            codes += pieces
            continue
        return None
    return codes or None


def import_feed(*, source: str | Path, partnership: Partnership, timeout: float = 30.0) -> ImportReport:
    """Read an Open Referral UK feed and bring the partnership's directory up to date with it.

    Raises SourceError when the source cannot be read at all; a bad record is reported and skipped.
    """
    feed = read_feed(source, timeout=timeout)
    report = ImportReport(source=str(source), partnership=partnership.name)
    return _Importer(feed, partnership, report).run()

