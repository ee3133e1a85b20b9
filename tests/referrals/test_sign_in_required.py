"""The authorisation audit of the whole site: every address the URLconf serves either is on the public
allowlist below or sends an anonymous visitor to sign in — for GET and for POST, at real objects'
addresses (so an ownership 404 cannot hide a missing sign-in check). A new address fails this test until
it is placed on one side or the other."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from referrals.models import PossibleDuplicate
from tests import factories

pytestmark = pytest.mark.django_db

# Pages for everyone: the directory, its Open Referral UK feed, the health check and statements.
PUBLIC = re.compile(r"^(|healthz|accessibility|directory/.*|api/oruk.*)$")
# Django's admin signs people in itself, and allauth's pages are the sign-in (the security issue routes
# the admin through the app's sign-in); neither is the app's to check here.
NOT_OURS = re.compile(r"^(admin/|accounts/)")


def _routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


@pytest.fixture
def real(sent_prescription, personas, write_prescription, client, partnership):
    """An id of each kind the addresses take, from real objects."""
    client.force_login(personas.referrer)
    draft = write_prescription(first_name="Joan")
    client.logout()
    referral = sent_prescription.referrals.first()
    flag = PossibleDuplicate.objects.create(partnership=partnership, carer=sent_prescription.carer,
                                            existing=factories.CarerFactory(partnership=partnership))
    notification = factories.NotificationFactory(referral=referral, recipient_user=personas.coordinator)
    return {
        "reference": sent_prescription.reference, "action": "accept",
        "pk": {"prescriptions/drafts/": draft.pk, "carers/possible-duplicates/": flag.pk,
               "notifications/": notification.pk, "partnership/failed-messages/": notification.pk,
               "referrals/": referral.pk, "referral-items/": referral.pk, "inbox/items/": referral.pk},
    }


def _address(route: str, real: dict) -> str:
    def value(match: re.Match) -> str:
        name = match.group(2)
        if name == "pk":
            return str(next(pk for start, pk in real["pk"].items() if route.startswith(start)))
        return str(real[name])  # a KeyError names a new kind of id this test must be taught

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def test_every_page_but_the_public_ones_asks_an_anonymous_visitor_to_sign_in(client, real):
    checked, refused = [], []
    login = reverse("account_login")
    for route in _routes():
        if NOT_OURS.match(route) or PUBLIC.match(route):
            continue
        address = _address(route, real)
        for method in (client.get, client.post):
            response = method(address, follow=True)
            final = response.redirect_chain[-1][0] if response.redirect_chain else address
            if not final.startswith(login):
                refused.append(f"{method.__name__.upper()} {address} → {response.status_code} {final}")
        checked.append(route)
    assert refused == []
    # The audit reached the pages that matter (a broken walk would pass vacuously).
    for route in ("inbox/", "referrals/<uuid:pk>/", "prescriptions/<str:reference>/",
                  "partnership/failed-messages/", "account/notifications/"):
        assert route in checked


def test_the_public_pages_are_open_to_everyone(client, real, needs):
    for route in _routes():
        if PUBLIC.match(route) and "<" not in route:
            assert client.get("/" + route, follow=True).status_code == 200, route
