"""Validate documents against the Open Referral UK schemas shipped in schema/, without the network.

schema/ is a copy of the profile's published schemas (openapi.local.json and the files it refers to).
References to the published copies (raw.githubusercontent.com/openreferral/uk-profile/...), as in the
OpenAPI document this app serves, are read from the local copy too.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from urllib.request import url2pathname

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
OPENAPI_LOCAL = SCHEMA_DIR / "openapi.local.json"
OPENAPI_SERVED = SCHEMA_DIR.parent / "openapi.json"  # what /api/oruk/openapi.json serves
PUBLISHED_SCHEMA_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"


def _local_path(uri: str) -> Path:
    if uri.startswith(PUBLISHED_SCHEMA_URL):
        path = SCHEMA_DIR / uri.removeprefix(PUBLISHED_SCHEMA_URL)
    elif uri.startswith("file:"):
        path = Path(url2pathname(urlsplit(uri).path))
    else:
        raise NoSuchResource(ref=uri)
    path = path.resolve()
    if not (path == OPENAPI_SERVED or path.is_relative_to(SCHEMA_DIR)) or not path.is_file():
        raise NoSuchResource(ref=uri)
    return path


def _retrieve(uri: str) -> Resource:
    return Resource.from_contents(json.loads(_local_path(uri).read_text()), default_specification=DRAFT202012)


REGISTRY: Registry = Registry(retrieve=_retrieve)


def _is_absolute_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.scheme in {"mailto", "urn", "tel"})) and " " not in value


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value.upper() and moment.tzinfo is not None


@cache
def format_checker() -> FormatChecker:
    """jsonschema's own checks (uuid, email, ...) and strict uri and date-time, which it leaves to extras."""
    checker = FormatChecker(formats=list(FormatChecker.checkers))
    checker.checks("uri")(_is_absolute_uri)
    checker.checks("date-time")(_is_date_time)
    return checker


def schema_uri(path: Path) -> str:
    return path.resolve().as_uri()


def response_schema(path: str, *, status: str = "200", document: Path = OPENAPI_LOCAL) -> dict[str, Any]:
    """A reference to the JSON response schema of GET `path` (as written in the OpenAPI document)."""
    pointer = "/".join(
        part.replace("~", "~0").replace("/", "~1")
        for part in ["paths", path, "get", "responses", status, "content", "application/json", "schema"]
    )
    return {"$ref": f"{schema_uri(document)}#/{quote(pointer, safe='/~')}"}


def page_schema(item_schema: Path, *, document: Path = OPENAPI_LOCAL) -> dict[str, Any]:
    """The profile's page envelope around items of one of the schema files."""
    return {
        "allOf": [{"$ref": f"{schema_uri(document)}#/components/schemas/Page"}],
        "properties": {"contents": {"type": "array", "items": {"$ref": schema_uri(item_schema)}}},
    }


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=format_checker())


def errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Every way the instance breaks the schema, as readable lines (none when it conforms)."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator(schema).iter_errors(instance)
    ]
