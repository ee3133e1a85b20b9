"""Shared surgery computers: no page shown to someone signed in may be kept by the browser's cache, so a
carer's details do not come back with the back button after the GP has signed out."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_shown_to_someone_signed_in_are_never_stored(client, personas, sent_prescription):
    client.force_login(personas.referrer)
    for address in (reverse("referrals:prescription", args=[sent_prescription.reference]),
                    reverse("referrals:mine"), reverse("notifications:notifications"), "/"):
        assert "no-store" in client.get(address)["Cache-Control"], address


def test_a_redirect_and_an_error_page_for_someone_signed_in_are_not_stored_either(client, personas):
    client.force_login(personas.referrer)
    assert "no-store" in client.get("/referrals/").get("Cache-Control", "")
    assert "no-store" in client.get("/prescriptions/NOPE-NOPE/").get("Cache-Control", "")


def test_public_pages_for_a_visitor_stay_cacheable(client, partnership):
    assert "no-store" not in client.get("/").get("Cache-Control", "")
    assert "no-store" not in client.get("/api/oruk/services").get("Cache-Control", "")
