"""Where a feed comes from, read into a ``Feed``: a JSON response or a folder of them, a tabular data package (a
folder of CSV tables, with or without ``datapackage.json``), or the http(s) address of an ORUK API, paged through
one ``requests.Session``.

A source that cannot be read at all raises ``SourceError``; a bad record or row in it is noted on the feed.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import urllib.parse
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests

from .feed import WHERE, Feed, Raw, annotate, where_of
from .report import Problem
from .values import canonical_id

MAX_RESPONSE_BYTES = 50 * 1024 * 1024
MAX_PAGES = 10_000
PAGE_SIZE = 100
MAX_REDIRECTS = 10
USER_AGENT = "partnership-hub-oruk-import/1"
FETCH_ERRORS = (OSError, ValueError, http.client.HTTPException)  # requests' own errors are OSErrors


class SourceError(Exception):
    """The source as a whole cannot be read (missing, not JSON, unreachable): nothing was imported."""


def read_feed(source: str | Path, *, timeout: float = 30.0, session: requests.Session | None = None) -> Feed:
    """Read a source into a Feed. Raises SourceError when the source itself cannot be read.

    ``session`` is the HTTP session for an API address; by default one is opened for this read and closed after.
    """
    feed = Feed()
    text = str(source)
    scheme = urllib.parse.urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        if session is not None:
            Api(session, timeout=timeout).read(text, feed)
        else:
            with open_session() as own_session:
                Api(own_session, timeout=timeout).read(text, feed)
        return feed
    path = Path(text)
    if path.is_file() and path.name == "datapackage.json":
        path = path.parent
    if path.is_dir():
        if is_package(path):
            read_package(path, feed)
        else:
            read_json_folder(path, feed)
    elif path.is_file():
        if path.suffix.lower() == ".csv":
            read_package(path.parent, feed)
        else:
            feed.add_json(read_json_file(path, path.name), path.name)
    else:
        raise SourceError(f"{text} is not a file, a folder or an http(s) address")
    return feed


# --------------------------------------------------------------------------------------------------------------
# JSON files and folders


def read_json_file(path: Path, label: str) -> Any:
    """A JSON document, each object in it annotated with its place under ``label``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{label} is not readable JSON: {exc}") from exc
    annotate(data, label)
    return data


def read_json_folder(folder: Path, feed: Feed) -> None:
    files = sorted(path for path in folder.rglob("*.json") if path.is_file())
    if not files:
        raise SourceError(f"{folder} holds no JSON responses and no CSV tables")
    for path in files:
        label = str(path.relative_to(folder))
        feed.add_json(read_json_file(path, label), label)


# --------------------------------------------------------------------------------------------------------------
# Tabular data packages

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


def is_package(folder: Path) -> bool:
    return (folder / "datapackage.json").is_file() or any(
        (folder / name).is_file() for files in TABLES.values() for name in files
    )


def package_files(folder: Path, feed: Feed) -> dict[str, Path]:
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


def read_table(path: Path, table: str, feed: Feed) -> list[Raw]:
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


def read_package(folder: Path, feed: Feed) -> None:
    """Read a package's tables and nest each row under its parent, as the API would have sent the records."""
    files = package_files(folder, feed)
    tables = {table: read_table(path, table, feed) for table, path in files.items()}

    def rows_by(table: str, column: str) -> dict[str, list[Raw]] | None:
        """Rows of a table grouped by a parent id; None when the package has no such table."""
        if table not in tables:
            return None
        grouped: dict[str, list[Raw]] = defaultdict(list)
        for row in tables[table]:
            parent = canonical_id(row.get(column))
            if parent:
                grouped[parent].append(row)
        return grouped

    def ids(table: str) -> set[str | None]:
        return {canonical_id(row.get("id")) for row in tables.get(table, [])} - {None}

    service_ids, organisation_ids, location_ids = ids("service"), ids("organization"), ids("location")
    contact_ids, link_ids = ids("contact"), ids("service_at_location")

    def orphans(table: str, column: str, known: set, what: str) -> None:
        for row in tables.get(table, []):
            parent = canonical_id(row.get(column))
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
        owners = {canonical_id(row.get("contact_id")), canonical_id(row.get("service_id"))}
        if not owners & (contact_ids | service_ids):
            feed.warnings.append(Problem(row[WHERE], "phone", "belongs to no contact or service in the package; "
                                         "ignored", row.get("id") or ""))
    for row in tables.get("schedule", []):
        if not ({canonical_id(row.get("service_id")), canonical_id(row.get("service_at_location_id"))}
                & (service_ids | link_ids)):
            feed.warnings.append(Problem(row[WHERE], "schedule", "belongs to no service in the package; ignored",
                                         row.get("id") or ""))
    for row in tables.get("attribute", []):
        if canonical_id(row.get("link_id")) not in service_ids | organisation_ids | location_ids:
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
            record["organization_identifiers"] = identifiers.get(canonical_id(row.get("id")), [])
        feed.add_organisation(record)

    addresses = rows_by("address", "location_id")
    for row in tables.get("location", []):
        record = dict(row)
        if addresses is not None:
            record["addresses"] = addresses.get(canonical_id(row.get("id")), [])
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
        service_id = canonical_id(row.get("id"))
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
            record["contacts"] = [{**contact, "phones": phones_by_contact.get(canonical_id(contact.get("id")), [])}
                                  for contact in record["contacts"]]
        if schedules is not None:
            own = list(schedules.get(service_id, [])) if service_id else []
            for link in record.get("service_at_locations") or []:
                own += [s for s in schedules_by_link.get(canonical_id(link.get("id")), []) if s not in own]
            record["schedules"] = own
        feed.add_service(record)


# --------------------------------------------------------------------------------------------------------------
# An ORUK API over http(s)


class HTTPStatusError(OSError):
    """A response whose status is not a success, worded 'HTTP Error 404: Not Found' in reports."""


def open_session() -> requests.Session:
    """The one HTTP session a read of an API goes through: its pages and records share its connections."""
    session = requests.Session()
    session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
    session.max_redirects = MAX_REDIRECTS
    return session


class Api:
    """An ORUK API read through one session: /services paged for the ids, then each service in full."""

    def __init__(self, session: requests.Session, *, timeout: float) -> None:
        self.session = session
        self.timeout = timeout

    def fetch_json(self, url: str) -> Any:
        """A JSON response, at most MAX_RESPONSE_BYTES, each object annotated with the address it came from."""
        with self.session.get(url, timeout=self.timeout, stream=True) as response:
            if not 200 <= response.status_code < 300:
                raise HTTPStatusError(f"HTTP Error {response.status_code}: {response.reason}")
            body = bytearray()
            for chunk in response.iter_content(chunk_size=64 * 1024):
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise ValueError(f"the response is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB")
        data = json.loads(bytes(body).decode("utf-8-sig"))
        annotate(data, url)
        return data

    def read(self, url: str, feed: Feed) -> None:
        """Page through /services for the ids, then fetch each full record from /services/{id}."""
        parts = urllib.parse.urlsplit(url)
        if parts.path.lower().endswith(".json"):  # a feed published as one document
            try:
                feed.add_json(self.fetch_json(url), url)
            except FETCH_ERRORS as exc:
                raise SourceError(f"could not fetch {url}: {exc}") from exc
            return
        base = url.split("?", 1)[0].rstrip("/").removesuffix("/services")
        for service_id in self._listed_ids(base, feed):
            record_url = f"{base}/services/{service_id}"
            try:
                record = self.fetch_json(record_url)
                if not isinstance(record, dict) or canonical_id(record.get("id")) != service_id:
                    raise ValueError("the response is not this service")
            except FETCH_ERRORS as exc:
                feed.errors.append(Problem(record_url, "service", f"could not be fetched: {exc}", service_id))
                continue
            feed.add_service(record)

    def _listed_ids(self, base: str, feed: Feed) -> list[str]:
        """The ids of the services the API lists, page by page, each once, in the order listed."""
        listed: list[str] = []
        seen: set[str] = set()
        page = 1
        while page <= MAX_PAGES:
            page_url = f"{base}/services?page={page}&per_page={PAGE_SIZE}"
            try:
                envelope = self.fetch_json(page_url)
                if not isinstance(envelope, dict) or not isinstance(envelope.get("contents"), list):
                    raise ValueError("it is not a page of services (no contents list)")
            except FETCH_ERRORS as exc:
                if page == 1:
                    raise SourceError(f"could not read {page_url}: {exc}") from exc
                feed.errors.append(Problem(page_url, "page", f"could not be read, so paging stopped: {exc}"))
                break
            new = []
            for entry in envelope["contents"]:
                service_id = canonical_id(entry.get("id")) if isinstance(entry, dict) else None
                if service_id is None:
                    feed.errors.append(Problem(where_of(entry, page_url), "service", "has no valid id"))
                elif service_id not in seen:
                    seen.add(service_id)
                    new.append(service_id)
            listed += new
            total_pages = envelope.get("total_pages")
            # Stop at the last page, or when a server that ignores ?page= sends the same page again.
            if (not new or envelope.get("last_page") is True
                    or (isinstance(total_pages, int) and page >= total_pages)):
                break
            page += 1
        return listed
