"""The partnership a request is about, resolved once per request (request.partnership): a person's own
for staff, managers and carers; the installation's for everyone else. Ready for one installation hosting
several partnerships."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from partnership.middleware import CurrentPartnershipMiddleware, current_partnership
from partnership.models import Partnership
from tests import factories

pytestmark = pytest.mark.django_db


def _resolve(user=None):
    request = RequestFactory().get("/")
    if user is not None:
        request.user = user
    CurrentPartnershipMiddleware(lambda request: None)(request)
    return request


@pytest.fixture
def second(partnership) -> Partnership:
    """Another partnership in the same installation, created after ours."""
    return factories.PartnershipFactory(name="Another Carers Partnership", slug="another")


def test_a_visitor_gets_the_installations_partnership(partnership, second):
    assert _resolve().partnership == partnership


def test_the_configured_slug_chooses_among_several(settings, partnership, second):
    settings.PARTNERSHIP_SLUG = "another"
    assert _resolve().partnership == second


def test_staff_get_the_partnership_their_organisation_belongs_to(partnership, second, personas):
    staff = factories.StaffRoleFactory(
        membership=factories.MembershipFactory(partnership=second, status="active")).user
    assert _resolve(staff).partnership == second
    assert _resolve(personas.coordinator).partnership == partnership


def test_a_membership_that_has_ended_does_not_count(partnership, second):
    staff = factories.StaffRoleFactory(
        membership=factories.MembershipFactory(partnership=second, status="left")).user
    assert _resolve(staff).partnership == partnership  # the installation's, not the one they left


def test_a_manager_and_a_carer_get_their_own(partnership, second, carers):
    manager = factories.PartnershipManagerFactory(partnership=second).user
    assert _resolve(manager).partnership == second
    assert _resolve(carers.margaret).partnership == partnership


def test_it_is_worked_out_once_and_only_when_asked(django_assert_num_queries, partnership):
    request = _resolve()
    with django_assert_num_queries(0):
        CurrentPartnershipMiddleware(lambda request: None)(request)
    with django_assert_num_queries(1):
        assert request.partnership.pk == partnership.pk
        assert request.partnership.name == partnership.name


def test_a_page_that_needs_one_is_a_404_until_one_is_set_up(db):
    from django.http import Http404

    request = _resolve()
    assert not request.partnership
    with pytest.raises(Http404):
        current_partnership(request)


def test_the_directory_and_the_feed_are_the_addresses_partnership_whoever_is_signed_in(partnership, second):
    staff = factories.StaffRoleFactory(
        membership=factories.MembershipFactory(partnership=second, status="active")).user
    request = _resolve(staff)
    assert request.partnership == second
    assert request.public_partnership == partnership


def test_the_cores_name_for_an_active_membership_is_the_directorys():
    from organisations.models import Membership
    from partnership.models import ACTIVE_MEMBERSHIP

    assert ACTIVE_MEMBERSHIP == Membership.Status.ACTIVE
