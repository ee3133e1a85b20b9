"""Places: UK postcodes, their districts, and distance — one home, one formula.

Distance is measured between postcode district centres and service locations on an equirectangular
projection: exact enough at county scale, and the same sum in Python (routing, the demo) and in SQL (the
directory and the feed), so a service "within 5 miles" is within 5 miles on every page.
"""

from __future__ import annotations

import math
import re

from django.db.models import F, Value

from .models import PostcodeDistrict

# A UK postcode: outward code (area + district) then, optionally, the inward code.
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})?$")
MILES_PER_DEGREE_LATITUDE = 69.05


def normalise_postcode(value: str) -> str:
    """'gu1 4ab' -> 'GU1 4AB'; 'gu1' -> 'GU1'. Returns '' for something that is not a postcode."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if not compact:
        return ""
    if len(compact) >= 5 and POSTCODE_RE.match(f"{compact[:-3]} {compact[-3:]}"):
        return f"{compact[:-3]} {compact[-3:]}"
    if POSTCODE_RE.match(compact):
        return compact
    return ""


def outcode_of(postcode: str) -> str:
    """The postcode district ('GU1') of a full or partial postcode, or '' if it is not one."""
    normalised = normalise_postcode(postcode)
    return normalised.split(" ")[0] if normalised else ""


def unknown_district_message(postcode: str) -> str | None:
    """The error to show when a postcode's district is not one we ship a centre for, else None.

    A postcode that looks right but names a district that does not exist ("ZZ1 1ZZ") is a typo, and
    silently ignoring it would route or search as if no place had been given.
    """
    district = outcode_of(postcode)
    if not district or PostcodeDistrict.objects.filter(code=district).exists():
        return None
    return f"We do not recognise {district} — check the postcode"


def squared_miles(lat0: float, lon0: float, latitude: float, longitude: float) -> float:
    """The squared distance in miles from (lat0, lon0): the one formula (squared_miles_sql is its twin)."""
    lon_scale = math.cos(math.radians(lat0)) * MILES_PER_DEGREE_LATITUDE
    dy = (latitude - lat0) * MILES_PER_DEGREE_LATITUDE
    dx = (longitude - lon0) * lon_scale
    return dy * dy + dx * dx


def miles_between(lat0: float, lon0: float, latitude: float, longitude: float) -> float:
    return math.sqrt(squared_miles(lat0, lon0, latitude, longitude))


def squared_miles_sql(lat0: float, lon0: float, lat_field: str, lon_field: str):
    """squared_miles() as a database expression over two fields, to annotate, filter and order by."""
    lon_scale = math.cos(math.radians(lat0)) * MILES_PER_DEGREE_LATITUDE
    dy = (F(lat_field) - Value(lat0)) * Value(MILES_PER_DEGREE_LATITUDE)
    dx = (F(lon_field) - Value(lon0)) * Value(lon_scale)
    return dy * dy + dx * dx


def bounding_box(lat0: float, lon0: float, miles: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The latitude and longitude ranges that hold every point within `miles`: a cheap first filter the
    location index can serve, before the exact distance."""
    dlat = miles / MILES_PER_DEGREE_LATITUDE
    dlon = miles / (MILES_PER_DEGREE_LATITUDE * max(0.1, math.cos(math.radians(lat0))))
    return (lat0 - dlat, lat0 + dlat), (lon0 - dlon, lon0 + dlon)
