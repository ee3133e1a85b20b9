"""The Open Referral UK (HSDS 3.0) objects a source holds, as one record per object keyed by the feed's UUID.

Whatever shape they came in (a service with its organisation, locations and terms nested in it, an organisation
with its services, a page envelope, a list, rows of CSV tables), a ``Feed`` keeps each taxonomy, taxonomy term,
organisation, location and service once, merged from every mention, and each record remembers where it came from
(``services.csv line 3``, ``service_full.json $.service_at_locations[0].location``) under the ``WHERE`` key.
"""

from __future__ import annotations

from typing import Any

from .report import Problem
from .values import as_list, canonical_id

Raw = dict[str, Any]

WHERE = "_where"  # where a record came from, kept on each dict read from the feed


def annotate(node: Any, source: str, path: str = "$") -> None:
    """Remember on every object of a JSON document where it is, to report it by its JSON path."""
    if isinstance(node, dict):
        node[WHERE] = source if path == "$" else f"{source} {path}"
        for key, value in list(node.items()):
            if key != WHERE:
                annotate(value, source, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            annotate(value, source, f"{path}[{index}]")


def where_of(node: Any, default: str = "") -> str:
    return node.get(WHERE, default) if isinstance(node, dict) else default


def child_where(where: str, step: str) -> str:
    """The JSON path of a child: 'feed.json' + '[2]' -> 'feed.json $[2]'."""
    return f"{where}{step}" if " $" in where else f"{where} ${step}"


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
                self.add_json(item, child_where(where, f"[{index}]"))
            return
        if not isinstance(node, dict):
            self.errors.append(Problem(where or "?", "record", "is not a JSON object"))
            return
        if isinstance(node.get("contents"), list):  # a page envelope
            for index, item in enumerate(node["contents"]):
                self.add_json(item, child_where(where_of(node, where), f".contents[{index}]"))
            return
        kind = classify(node)
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
                where_of(node, where), "record",
                "not recognised as a service, organisation, location, taxonomy or term", str(node.get("id") or ""),
            ))

    # -- each kind of object

    def _id(self, node: Raw, kind: str) -> str | None:
        raw_id = node.get("id")
        record_id = canonical_id(raw_id)
        if record_id is None:
            reason = "has no id" if raw_id in (None, "") else f"id {raw_id!r} is not a UUID"
            self.errors.append(Problem(where_of(node, "?"), kind, reason))
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
        for link in as_list(node.get("service_at_locations")):
            if isinstance(link, dict) and isinstance(link.get("location"), dict):
                self.add_location(link["location"], organisation_id=record.get("organization_id"))
        for attribute in as_list(node.get("attributes")):
            if isinstance(attribute, dict) and isinstance(attribute.get("taxonomy_term"), dict):
                self.add_term(attribute["taxonomy_term"], weak=True)
        self._merge(self.services, service_id, record)
        return service_id

    def add_organisation(self, node: Raw) -> str | None:
        organisation_id = self._id(node, "organisation")
        if organisation_id is None:
            return None
        self._merge(self.organisations, organisation_id, node)
        for service in as_list(node.get("services")):
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
        service_id = self.add_service(service) if isinstance(service, dict) else canonical_id(node.get("service_id"))
        if isinstance(location, dict):
            hint = self.services.get(service_id or "", {}).get("organization_id")
            location_id = self.add_location(location, organisation_id=hint)
        else:
            location_id = canonical_id(node.get("location_id"))
        if service_id is None or location_id is None:
            self.errors.append(Problem(where_of(node, "?"), "service at location", "names no service or no location",
                                       str(node.get("id") or "")))
            return
        link = {"id": node.get("id"), "location_id": location_id, "description": node.get("description"),
                WHERE: where_of(node)}
        # Linked on its own, so it adds this link without dropping the service's other locations.
        self._merge(self.services, service_id, {"id": service_id, WHERE: where_of(node),
                                                "_extra_service_at_locations": [link]}, weak=True)

    def add_taxonomy(self, node: Raw) -> str | None:
        taxonomy_id = self._id(node, "taxonomy")
        if taxonomy_id is None:
            return None
        self._merge(self.taxonomies, taxonomy_id, node)
        for term in as_list(node.get("taxonomy_terms")):
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


def classify(node: Raw) -> str:
    """What kind of HSDS object a JSON object is, by the keys it has; "" when it is none we know."""
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


def attribute_term_id(attribute: Any) -> str | None:
    """The id of the taxonomy term a service's attribute names, nested or by taxonomy_term_id."""
    if not isinstance(attribute, dict):
        return None
    term = attribute.get("taxonomy_term")
    return canonical_id(term.get("id") if isinstance(term, dict) else attribute.get("taxonomy_term_id"))


def location_links(service: Raw) -> list:
    """A service's links to its places: those it lists, then those linked on their own (service_at_location)."""
    return as_list(service.get("service_at_locations")) + as_list(service.get("_extra_service_at_locations"))
