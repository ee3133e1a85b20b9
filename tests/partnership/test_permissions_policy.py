"""Every response forbids the browser features the service never uses (camera, microphone, location,
payment…), so nothing injected into a page could ask a GP's browser for them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("address", ["/", "/healthz", "/api/oruk/services", "/accounts/login/", "/admin/login/",
                                     "/no-such-page/"])
def test_every_response_carries_a_permissions_policy(client, address, partnership):
    policy = client.get(address)["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy
