"""Shared fixtures: the named personas of PRODUCT.md in a small partnership."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from organisations.models import Organisation, StaffRole, TaxonomyTerm
from organisations.services import need_taxonomy_install
from partnership.models import Partnership, User

from . import factories
from .reference_data import load_reference_data

# A real Celery worker on Redis, and a fake of GOV.UK Notify's HTTP API, for any test that needs them.
pytest_plugins = ["tests.celery_worker", "tests.partnership.notifications.fake_notify"]


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback")))


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request, django_db_blocker):
    """A transactional test ends by emptying every table, the rows migrations load among them
    (postcode districts, condition groups): put them back before such a test and after it."""
    if not _is_transactional(request.node):
        yield
        return
    request.getfixturevalue("transactional_db")
    load_reference_data()
    yield
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher takes about a second per password by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SURREY_DISTRICTS = ["GU1", "GU2", "GU3", "GU4", "GU5", "GU7", "GU21", "GU22", "KT22", "RH1", "RH4"]


@pytest.fixture
def partnership(db) -> Partnership:
    partnership = factories.PartnershipFactory(slug="surrey", name="Surrey Carers Partnership",
                                               districts=SURREY_DISTRICTS)
    need_taxonomy_install(partnership=partnership)
    return partnership


@pytest.fixture
def needs(partnership) -> dict[str, TaxonomyTerm]:
    """The partnership's needs by code: needs['breaks'], needs['emotional-support'], ..."""
    return {term.code: term for term in TaxonomyTerm.objects.needs_of(partnership)}


@dataclass
class Personas:
    referrer: User  # a frontline worker at a GP practice
    coordinator: User  # a service coordinator at the lead carers' charity
    org_admin: User  # the carers' charity's organisation admin
    manager: User  # the partnership manager
    outsider: User  # a coordinator at another organisation
    gp_practice: Organisation
    charity: Organisation
    other_charity: Organisation


@pytest.fixture
def personas(partnership) -> Personas:
    gp = factories.MembershipFactory(
        partnership=partnership,
        organisation=factories.OrganisationFactory(name="Riverside Medical Practice",
                                                   kind=Organisation.Kind.GP_PRACTICE),
    )
    charity = factories.MembershipFactory(
        partnership=partnership, organisation=factories.OrganisationFactory(name="Action for Carers Surrey")
    )
    other = factories.MembershipFactory(
        partnership=partnership, organisation=factories.OrganisationFactory(name="Woking Community Group")
    )
    referrer = factories.StaffRoleFactory(membership=gp, role=StaffRole.Role.REFERRER,
                                          user__email="gp@example.org").user
    coordinator = factories.StaffRoleFactory(membership=charity, role=StaffRole.Role.COORDINATOR,
                                             user__email="coordinator@example.org").user
    org_admin = factories.StaffRoleFactory(membership=charity, role=StaffRole.Role.ORG_ADMIN,
                                           user__email="admin@example.org").user
    outsider = factories.StaffRoleFactory(membership=other, role=StaffRole.Role.COORDINATOR,
                                          user__email="outsider@example.org").user
    manager = factories.PartnershipManagerFactory(partnership=partnership,
                                                  user__email="manager@example.org").user
    return Personas(referrer=referrer, coordinator=coordinator, org_admin=org_admin, manager=manager,
                    outsider=outsider, gp_practice=gp.organisation, charity=charity.organisation,
                    other_charity=other.organisation)


@dataclass
class Carers:
    """Carers who sign in: "the carer it is about" and "another carer", for permission matrices."""

    margaret: User  # Margaret Okafor, whom the journeys' prescriptions (prescription_data) are about
    other: User  # another carer of the same partnership, whom none of them is about


@pytest.fixture
def carers(partnership) -> Carers:
    """Margaret's record has her account whether it was made before or by a prescription the test sent."""
    from referrals.models import Carer

    margaret = Carer.objects.matchable().filter(
        partnership=partnership, first_name="Margaret", last_name="Okafor", date_of_birth=date(1961, 3, 14)
    ).first() or factories.CarerFactory(partnership=partnership, first_name="Margaret", last_name="Okafor",
                                        date_of_birth=date(1961, 3, 14), postcode="GU1 4AB")
    margaret.user = factories.UserFactory(email="margaret@example.net", first_name="Margaret", last_name="Okafor")
    margaret.save(update_fields=["user"])
    other = factories.CarerFactory(partnership=partnership, user=factories.UserFactory(email="other.carer@example.net"))
    return Carers(margaret=margaret.user, other=other.user)
