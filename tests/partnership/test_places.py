"""Places: one distance formula, the same in Python (routing, the demo) and in the database (the directory
and the feed), so a service within 5 miles is within 5 miles on every page."""

from __future__ import annotations

import math

import pytest

from partnership.models import PostcodeDistrict
from partnership.places import bounding_box, miles_between, squared_miles, squared_miles_sql

pytestmark = pytest.mark.django_db


def test_guildford_to_woking_is_about_six_miles(db):
    guildford, woking = PostcodeDistrict.objects.get(code="GU1"), PostcodeDistrict.objects.get(code="GU21")
    miles = miles_between(guildford.latitude, guildford.longitude, woking.latitude, woking.longitude)
    assert 4 < miles < 8


def test_the_database_and_python_measure_the_same_distance(db):
    guildford = PostcodeDistrict.objects.get(code="GU1")
    lat0, lon0 = guildford.latitude, guildford.longitude
    rows = (PostcodeDistrict.objects.filter(code__in=["GU21", "RH1", "KT1", "GU1"])
            .annotate(d2=squared_miles_sql(lat0, lon0, "latitude", "longitude")))
    for row in rows:
        assert row.d2 == pytest.approx(squared_miles(lat0, lon0, row.latitude, row.longitude), rel=1e-9)


def test_the_bounding_box_holds_every_point_within_the_distance():
    lat0, lon0, miles = 51.24, -0.57, 5
    (south, north), (west, east) = bounding_box(lat0, lon0, miles)
    for bearing in range(0, 360, 15):
        # A point a little inside the circle, found by walking along the bearing.
        lat = lat0 + 0.999 * miles * math.cos(math.radians(bearing)) / 69.05
        lon = lon0 + 0.999 * miles * math.sin(math.radians(bearing)) / (69.05 * math.cos(math.radians(lat0)))
        assert miles_between(lat0, lon0, lat, lon) <= miles
        assert south <= lat <= north and west <= lon <= east
