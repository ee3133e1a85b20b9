"""`manage.py seed_demo`: a realistic, complete demo partnership, the same every time it runs.

The demo is seeded once for the module, as Django's setUpTestData would: each test runs in a transaction
that is rolled back, so tests that seed again, reset or rename see the module's seed and leave it intact.
"""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse

from demo.directory import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG, demo_reset
from demo.directory_data import DISTRICTS
from organisations.models import (
    Location,
    Membership,
    Organisation,
    Service,
    ServiceAtLocation,
    StaffRole,
    TaxonomyTerm,
)
from partnership.models import Partnership, PartnershipManager, User
from referrals.models import Carer, Prescription, Referral

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("organisations:search")
ACCOUNTS = {account.email.split("@")[0]: account.email for account in DEMO_ACCOUNTS}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The suite's fast hasher, and the real one too: the module's seed hashes passwords before any test's
    settings apply, so the demo accounts carry the hash `make run` gives them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed()
    yield
    with django_db_blocker.unblock():
        demo_reset()
        # Other modules build their own "surrey" partnership: nothing of the demo may outlive this one.
        assert not Partnership.objects.exists() and not Organisation.objects.exists()


@pytest.fixture
def demo(seeded, db) -> Partnership:
    return Partnership.objects.get(slug=DEMO_SLUG)


def snapshot() -> dict[str, object]:
    """What the seed owns, by stable id or natural key: equal snapshots mean nothing was duplicated."""
    return {
        "partnerships": sorted(Partnership.objects.values_list("slug", flat=True)),
        "organisations": set(Organisation.objects.values_list("id", flat=True)),
        "memberships": sorted(Membership.objects.values_list("organisation_id", "status")),
        "services": set(Service.objects.values_list("id", flat=True)),
        "locations": set(Location.objects.values_list("id", flat=True)),
        "service_at_locations": set(ServiceAtLocation.objects.values_list("id", flat=True)),
        "needs": Service.needs.through.objects.count(),
        "districts": Service.service_area_districts.through.objects.count(),
        "conditions": Service.condition_groups.through.objects.count(),
        "terms": TaxonomyTerm.objects.count(),
        "users": sorted(User.objects.values_list("email", flat=True)),
        "emails": EmailAddress.objects.count(),
        "roles": sorted(StaffRole.objects.values_list("user__email", "role")),
        "managers": PartnershipManager.objects.count(),
    }


def test_seed_creates_over_120_active_members_of_every_kind(demo):
    memberships = Membership.objects.filter(partnership=demo)
    assert memberships.active().count() >= 120
    kinds = set(memberships.values_list("organisation__kind", flat=True))
    assert kinds == set(Organisation.Kind.values)
    assert memberships.active().filter(organisation__kind=Organisation.Kind.GP_PRACTICE).count() >= 30
    assert memberships.active().filter(organisation__kind=Organisation.Kind.HOSPITAL).count() >= 3
    assert memberships.active().filter(organisation__name="Surrey County Council").exists()
    assert memberships.active().filter(organisation__name="NHS Surrey Heartlands Integrated Care Board").exists()
    assert memberships.active().filter(organisation__name="Action for Carers Surrey").exists()


def test_abolished_ccgs_have_left_and_some_members_are_invited_or_suspended(demo):
    memberships = Membership.objects.filter(partnership=demo)
    ccgs = memberships.filter(organisation__name__contains="Clinical Commissioning Group")
    assert ccgs.exists()
    assert set(ccgs.values_list("status", flat=True)) == {Membership.Status.LEFT}
    assert memberships.filter(status=Membership.Status.INVITED, joined_at__isnull=True).exists()
    assert memberships.filter(status=Membership.Status.SUSPENDED).exists()


def test_organisations_have_invented_contact_details_at_reserved_domains(demo):
    organisations = Organisation.objects.filter(memberships__partnership=demo)
    for organisation in organisations:
        assert organisation.email.endswith(".example"), organisation.email
        assert organisation.phone.startswith(("01632 960", "07700 900")), organisation.phone
        assert organisation.postal_code.split()[0] in DISTRICTS
    gp_codes = organisations.filter(kind=Organisation.Kind.GP_PRACTICE).values_list("ods_code", flat=True)
    assert all(gp_codes) and len(set(gp_codes)) == len(gp_codes)
    assert organisations.filter(kind=Organisation.Kind.CHARITY).exclude(charity_number="").count() >= 30


def test_seed_lists_over_300_services_meeting_every_need(demo):
    listed = Service.objects.listed(demo)
    assert listed.count() >= 300
    for need in TaxonomyTerm.objects.needs_of(demo):
        assert listed.filter(Q(needs=need) | Q(needs__parent=need)).exists(), f"no service meets {need.code}"


def test_services_are_spread_over_the_area_and_placed_on_the_map(demo):
    listed = Service.objects.listed(demo)
    area = set(demo.area_districts.values_list("code", flat=True))
    assert {"GU1", "GU21", "KT22", "RH1", "TW18", "CR3"} <= area
    served = set(listed.values_list("service_area_districts__code", flat=True))
    assert area <= served, f"no local service in {sorted(area - served)}"
    assert listed.filter(serves_whole_area=True).exists()
    locations = Location.objects.filter(services__in=listed).distinct()
    assert locations.count() >= 100
    assert not locations.filter(Q(latitude__isnull=True) | Q(district__isnull=True)).exists()


def test_services_vary_in_eligibility_delivery_cost_and_capacity(demo):
    listed = Service.objects.listed(demo)
    assert set(listed.values_list("carer_ages", flat=True)) == set(Service.CarerAges.values)
    assert listed.filter(condition_groups__isnull=False).values("condition_groups").distinct().count() >= 10
    for flag in ["delivered_in_person", "delivered_at_home", "delivered_by_phone", "delivered_online"]:
        assert listed.filter(**{flag: True}).exists(), flag
    assert listed.filter(is_free=True).count() > listed.filter(is_free=False).count() > 0
    assert not listed.filter(is_free=False, fees_description="").exists()
    assert set(listed.values_list("referral_capacity", flat=True)) == set(Service.Capacity.values)
    assert not listed.filter(referral_capacity=Service.Capacity.WAITING_LIST, usual_wait_weeks__isnull=True).exists()
    assert listed.filter(minimum_age__isnull=False, maximum_age__lte=18).exists()
    assert any(set(languages) - {"en"} for languages in listed.values_list("languages", flat=True))
    assert not listed.filter(Q(summary="") | Q(search_text="") | Q(opening_hours="") | Q(phone="")).exists()


@pytest.mark.parametrize("text", ["respite", "dementia", "benefits", "counselling", "young carers"])
def test_free_text_search_finds_sensible_services(client, demo, text):
    response = client.get(SEARCH_URL, {"q": text})
    assert response.status_code == 200
    matches = response.context["results"].matches
    assert len(matches) >= 3
    stems = [word[:5] for word in text.split()]  # "counselling" also finds "counsellor"
    assert all(stem in match.service.search_text for match in matches[:3] for stem in stems)


def test_directory_search_by_need_and_postcode_finds_local_respite(client, demo):
    breaks = TaxonomyTerm.objects.needs_of(demo).get(code="breaks")
    response = client.get(SEARCH_URL, {"needs": breaks.pk, "postcode": "GU1"})
    assert response.status_code == 200
    results = response.context["results"]
    assert results.total >= 5
    nearest = results.matches[0]
    assert nearest.distance_miles is not None and nearest.distance_miles < 5
    for match in results.matches:
        codes = {need.code for need in match.service.needs.all()}
        assert codes & {"breaks", "breaks-sitting", "breaks-short", "breaks-day"}


def test_every_demo_account_exists_with_its_role_and_a_verified_email(demo):
    users = {user.email: user for user in User.objects.filter(email__in=ACCOUNTS.values())}
    assert len(users) == len(DEMO_ACCOUNTS)
    for user in users.values():
        assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()

    def roles(key: str) -> set[tuple[str, str]]:
        return set(StaffRole.objects.filter(user=users[ACCOUNTS[key]], membership__partnership=demo,
                                            membership__status=Membership.Status.ACTIVE)
                   .values_list("membership__organisation__kind", "role"))

    assert roles("gp") == {(Organisation.Kind.GP_PRACTICE, StaffRole.Role.REFERRER)}
    assert roles("coordinator") == {(Organisation.Kind.CHARITY, StaffRole.Role.COORDINATOR),
                                    (Organisation.Kind.CHARITY, StaffRole.Role.REFERRER)}
    assert roles("orgadmin") == {(Organisation.Kind.CHARITY, StaffRole.Role.ORG_ADMIN)}
    charity = {role.membership.organisation.name for role in StaffRole.objects.filter(
        user__email__in=[ACCOUNTS["coordinator"], ACCOUNTS["orgadmin"]])}
    assert charity == {"Action for Carers Surrey"}
    assert PartnershipManager.objects.filter(partnership=demo, user=users[ACCOUNTS["manager"]]).exists()
    assert not users[ACCOUNTS["carer"]].staff_roles.exists()
    assert not users[ACCOUNTS["carer"]].is_staff
    assert users[ACCOUNTS["admin"]].is_superuser and users[ACCOUNTS["admin"]].is_staff
    assert not any(user.is_superuser for email, user in users.items() if email != ACCOUNTS["admin"])


@pytest.mark.parametrize("key", list(ACCOUNTS))
def test_demo_account_can_log_in(client, demo, key):
    assert client.login(email=ACCOUNTS[key], password=DEMO_PASSWORD)


def test_demo_account_signs_in_through_the_login_page_with_mandatory_verification(client, settings, demo):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = client.post(reverse("account_login"), {"login": ACCOUNTS["gp"], "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse(settings.LOGIN_REDIRECT_URL)
    assert client.session.get("_auth_user_id")


def test_running_it_again_duplicates_nothing(demo):
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "member organisations" in output


def test_running_it_again_restores_the_seeded_listing(demo):
    service = Service.objects.listed(demo).first()
    original = service.name
    Service.objects.filter(pk=service.pk).update(name="Renamed in the demo")
    seed()
    service.refresh_from_db()
    assert service.name == original


def test_if_empty_seeds_an_empty_database_then_does_nothing(demo):
    demo_reset()
    assert not Partnership.objects.exists()
    seed("--if-empty")
    partnership = Partnership.objects.get(slug=DEMO_SLUG)
    Service.objects.listed(partnership).update(name="Changed by a demo user")
    before = snapshot()

    output = seed("--if-empty")

    assert "already exists" in output
    assert snapshot() == before
    assert not Service.objects.listed(partnership).exclude(name="Changed by a demo user").exists()


def test_reset_wipes_additions_and_recreates_the_same_demo(demo):
    before = snapshot()
    extra = Organisation.objects.create(name="A group a demo user added")
    Membership.objects.create(partnership=demo, organisation=extra, status=Membership.Status.ACTIVE)
    Service.objects.create(organisation=extra, name="Added service")
    User.objects.filter(email=ACCOUNTS["carer"]).update(first_name="Changed")

    seed("--reset")

    assert snapshot() == before
    assert not Organisation.objects.filter(pk=extra.pk).exists()
    assert User.objects.get(email=ACCOUNTS["carer"]).first_name == "Margaret"


def test_reset_keeps_organisations_that_also_belong_to_another_partnership(demo):
    other = Partnership.objects.create(slug="elsewhere", name="Another partnership")
    shared = Organisation.objects.get(name="Surrey County Council")
    Membership.objects.create(partnership=other, organisation=shared, status=Membership.Status.ACTIVE)

    seed("--reset")

    assert Organisation.objects.filter(pk=shared.pk, memberships__partnership=other).exists()
    assert Membership.objects.filter(partnership__slug=DEMO_SLUG, organisation=shared).exists()


def test_reset_also_clears_referrals_made_in_the_demo(demo):
    service = Service.objects.listed(demo).first()
    carer = Carer.objects.create(partnership=demo, first_name="Ann", last_name="Example",
                                 date_of_birth="1960-01-01", postcode="GU1 1AA", district="GU1")
    prescription = Prescription.objects.create(partnership=demo, carer=carer,
                                               referring_organisation=service.organisation)
    Referral.objects.create(prescription=prescription, service=service, carer=carer)

    seed("--reset")

    # The referral made in the demo is gone; the demo's own prescriptions are seeded afresh.
    assert not Prescription.objects.filter(pk=prescription.pk).exists()
    assert not Carer.objects.filter(first_name="Ann", last_name="Example").exists()
    assert Prescription.objects.filter(status="sent").count() == 10
    assert Service.objects.filter(pk=service.pk).exists()  # the same stable id, recreated
