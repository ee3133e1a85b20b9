"""The Open Referral UK (HSDS 3.0 UK profile) feed: open, read-only JSON under one API stub.

Every response, errors included, carries `Access-Control-Allow-Origin: *` so any site's script can
read the feed (profile_compliance.md). An unknown or malformed id is a 404, a parameter we cannot
use is a 400 that says which and why; neither is ever a 500.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from . import params, selectors, serializers

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/openreferral/uk-profile"
OPENAPI_FILE = Path(__file__).resolve().parent / "openapi.json"
READ_METHODS = ("GET", "HEAD")


@cache
def _openapi_document() -> dict:
    return json.loads(OPENAPI_FILE.read_text())


def _stub_url() -> str:
    return settings.SITE_URL + reverse("oruk:root").rstrip("/")


def _error(status: int, message: str, *, parameter: str = "") -> JsonResponse:
    body = {"status": status, "message": message}
    if parameter:
        body["parameter"] = parameter
    return JsonResponse(body, status=status)


def _not_found(kind: str) -> JsonResponse:
    return _error(404, f"There is no {kind} with that id in this directory")


def feed_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Open to any origin, read-only, and answering a bad parameter with a 400 that explains it."""

    @csrf_exempt  # nothing here changes anything, and a POST should get the JSON 405, not a CSRF page
    @wraps(view)
    def endpoint(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "*"
            response["Access-Control-Max-Age"] = "86400"
        elif request.method not in READ_METHODS:
            response = _error(405, "The feed is read-only: use GET")
            response["Allow"] = "GET, HEAD, OPTIONS"
        else:
            try:
                response = view(request, *args, **kwargs)
            except params.BadParameter as error:
                response = _error(400, error.message, parameter=error.parameter)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return endpoint


def _page(contents: list, *, total: int, paging: params.Paging) -> JsonResponse:
    return JsonResponse(serializers.page(contents, total=total, page_number=paging.page, per_page=paging.per_page))


@feed_endpoint
def root(request: HttpRequest) -> HttpResponse:
    return JsonResponse({
        "version": HSDS_VERSION,
        "profile": PROFILE_URL,
        "openapi_url": settings.SITE_URL + reverse("oruk:openapi"),
    })


@feed_endpoint
def openapi(request: HttpRequest) -> HttpResponse:
    document = copy.deepcopy(_openapi_document())
    document["servers"] = [{"url": _stub_url(), "description": "This directory's Open Referral UK feed"}]
    return JsonResponse(document)


@feed_endpoint
def services(request: HttpRequest) -> HttpResponse:
    filters, paging = params.service_filters(request.GET), params.paging(request.GET)
    rows, total = selectors.page(selectors.find_services(request.public_partnership, filters), paging)
    return _page([serializers.service_summary(row) for row in rows], total=total, paging=paging)


@feed_endpoint
def service(request: HttpRequest, record_id: str) -> HttpResponse:
    partnership = request.public_partnership
    service_id = params.as_uuid(record_id)
    found = selectors.service(partnership, service_id) if service_id else None
    if found is None:
        return _not_found("service")
    return JsonResponse(serializers.service_full(found, partnership=partnership))


@feed_endpoint
def service_at_locations(request: HttpRequest) -> HttpResponse:
    filters, paging = params.service_filters(request.GET), params.paging(request.GET)
    rows, total = selectors.page(selectors.find_service_at_locations(request.public_partnership, filters), paging)
    return _page([serializers.service_at_location_summary(row) for row in rows], total=total, paging=paging)


@feed_endpoint
def service_at_location(request: HttpRequest, record_id: str) -> HttpResponse:
    partnership = request.public_partnership
    record_uuid = params.as_uuid(record_id)
    found = selectors.service_at_location(partnership, record_uuid) if record_uuid else None
    if found is None:
        return _not_found("service at location")
    return JsonResponse(serializers.service_at_location_full(found, partnership=partnership))


@feed_endpoint
def taxonomies(request: HttpRequest) -> HttpResponse:
    paging = params.paging(request.GET)
    rows, total = selectors.page(selectors.taxonomies(request.public_partnership), paging)
    return _page([serializers.taxonomy(row) for row in rows], total=total, paging=paging)


@feed_endpoint
def taxonomy(request: HttpRequest, record_id: str) -> HttpResponse:
    taxonomy_id = params.as_uuid(record_id)
    found = selectors.taxonomy(request.public_partnership, taxonomy_id) if taxonomy_id else None
    if found is None:
        return _not_found("taxonomy")
    return JsonResponse(serializers.taxonomy(found, with_terms=True))


@feed_endpoint
def taxonomy_terms(request: HttpRequest) -> HttpResponse:
    paging = params.paging(request.GET)
    rows, total = selectors.page(selectors.taxonomy_terms(request.public_partnership), paging)
    return _page([serializers.taxonomy_term(row) for row in rows], total=total, paging=paging)


@feed_endpoint
def taxonomy_term(request: HttpRequest, record_id: str) -> HttpResponse:
    term_id = params.as_uuid(record_id)
    found = selectors.taxonomy_term(request.public_partnership, term_id) if term_id else None
    if found is None:
        return _not_found("taxonomy term")
    return JsonResponse(serializers.taxonomy_term(found))


@feed_endpoint
def organizations(request: HttpRequest) -> HttpResponse:
    search, paging = params.search_text(request.GET), params.paging(request.GET)
    rows, total = selectors.page(selectors.find_organisations(request.public_partnership, search), paging)
    return _page([serializers.organization_summary(row) for row in rows], total=total, paging=paging)


@feed_endpoint
def organization(request: HttpRequest, record_id: str) -> HttpResponse:
    full_service = params.flag(request.GET, "full_service")
    partnership = request.public_partnership
    organisation_id = params.as_uuid(record_id)
    found = selectors.organisation(partnership, organisation_id, full_service=full_service) if organisation_id else None
    if found is None:
        return _not_found("organization")
    if full_service:
        services = [serializers.service_full(row, partnership=partnership) for row in found.listed_services]
    else:
        services = [serializers.service_summary(row) for row in found.listed_services]
    for entry in services:
        entry.pop("organization")  # it is the organisation these services are nested in
    return JsonResponse(serializers.organization_full(found, services))


@feed_endpoint
def not_found(request: HttpRequest) -> HttpResponse:
    return _error(404, "There is no such endpoint in this Open Referral UK feed")
