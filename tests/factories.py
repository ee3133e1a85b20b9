"""factory_boy factories for the test suite. Invented people and places only."""

from __future__ import annotations

from datetime import date

import factory
from django.utils import timezone

from organisations.models import (
    Location,
    Membership,
    Organisation,
    Service,
    ServiceAtLocation,
    StaffRole,
    Taxonomy,
    TaxonomyTerm,
)
from partnership.models import Partnership, PartnershipManager, PostcodeDistrict, User

TEST_PASSWORD = "correct-horse-battery-staple"
STAFF_FIRST_NAMES = ["Jill", "Kieran", "Derek", "Priya", "Tom", "Aisha", "Gareth", "Helen", "Sam", "Nadia", "Owen",
                     "Ruth"]
STAFF_LAST_NAMES = ["Cooper", "Watson", "French", "Shah", "Evans", "Khan", "Lloyd", "Baker", "Turner", "Price"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    # Staff names never those of the carers in the tests (Margaret Okafor, Ade Bello), so that "the carer's
    # name is not on this page" cannot be broken by a coordinator who happens to share it; and without an
    # apostrophe, which pages escape.
    first_name = factory.Faker("random_element", elements=STAFF_FIRST_NAMES)
    last_name = factory.Faker("random_element", elements=STAFF_LAST_NAMES)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"partnership-{n}")
    name = factory.Sequence(lambda n: f"Carers Partnership {n}")
    area_name = "Surrey"

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.area_districts.set(PostcodeDistrict.objects.filter(code__in=extracted))


class PartnershipManagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipManager

    partnership = factory.SubFactory(PartnershipFactory)
    user = factory.SubFactory(UserFactory)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.CHARITY
    description = "A local organisation supporting carers."
    email = factory.Sequence(lambda n: f"hello{n}@org.example")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    partnership = factory.SubFactory(PartnershipFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = Membership.Status.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    membership = factory.SubFactory(MembershipFactory)
    user = factory.SubFactory(UserFactory)
    role = StaffRole.Role.REFERRER


class TaxonomyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Taxonomy

    partnership = factory.SubFactory(PartnershipFactory)
    name = "Carers' needs"
    is_need_taxonomy = True


class TaxonomyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxonomyTerm

    taxonomy = factory.SubFactory(TaxonomyFactory)
    name = factory.Sequence(lambda n: f"Need {n}")
    code = factory.Sequence(lambda n: f"need-{n}")
    slug = factory.LazyAttribute(lambda o: o.code)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Centre {n}")
    address_1 = "1 High Street"
    city = "Guildford"
    postal_code = "GU1 4AA"
    district = factory.LazyAttribute(lambda o: PostcodeDistrict.objects.filter(code=o.postal_code.split()[0]).first())
    latitude = factory.LazyAttribute(lambda o: o.district.latitude if o.district else None)
    longitude = factory.LazyAttribute(lambda o: o.district.longitude if o.district else None)


class ServiceFactory(factory.django.DjangoModelFactory):
    """A service; pass needs=[...], districts=[...], locations=[...] to relate it."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    description = "Support for unpaid carers."
    status = Service.Status.ACTIVE
    referral_capacity = Service.Capacity.ACCEPTING
    delivered_in_person = True

    @factory.post_generation
    def needs(self, create, extracted, **kwargs):
        if create and extracted:
            self.needs.set(extracted)

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.service_area_districts.set(PostcodeDistrict.objects.filter(code__in=extracted))

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            for location in extracted:
                ServiceAtLocation.objects.create(service=self, location=location)

    @factory.post_generation
    def refresh(self, create, extracted, **kwargs):
        if create:
            Service.objects.filter(pk=self.pk).refresh_derived_fields()
            self.refresh_from_db()


# --- The referral hub: carers, prescriptions, the referrals they send, the outbox ---------------------------

# Never Margaret Okafor, whom the journeys write prescriptions about: a factory carer must not be her match.
CARER_FIRST_NAMES = ["Ann", "Joseph", "Grace", "Dev", "Olu", "Beth", "Stan"]
CARER_LAST_NAMES = ["Hughes", "Patel", "Ellis", "Novak", "Reid"]
REFERENCE_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"


class CarerFactory(factory.django.DjangoModelFactory):
    """A carer's record in a partnership; pass user=... for a carer who signs in."""

    class Meta:
        model = "referrals.Carer"

    partnership = factory.SubFactory(PartnershipFactory)
    first_name = factory.Iterator(CARER_FIRST_NAMES)
    last_name = factory.Iterator(CARER_LAST_NAMES)
    date_of_birth = factory.Sequence(lambda n: date(1950 + n % 40, 1 + n % 12, 1 + n % 28))
    postcode = "GU1 4AB"
    district = factory.LazyAttribute(lambda o: o.postcode.split()[0])
    phone = factory.Sequence(lambda n: f"+447700900{n % 1000:03d}")  # Ofcom's drama range: reaches nobody
    preferred_contact = "text"


class PrescriptionFactory(factory.django.DjangoModelFactory):
    """A sent prescription about `carer`, with the carer's details as given copied onto it (as sending does).
    Pass status="draft" for a draft."""

    class Meta:
        model = "referrals.Prescription"
        skip_postgeneration_save = True

    carer = factory.SubFactory(CarerFactory)
    partnership = factory.SelfAttribute("carer.partnership")
    referring_organisation = factory.SubFactory(OrganisationFactory)
    referrer = factory.SubFactory(UserFactory)
    status = "sent"
    reference = factory.Sequence(lambda n: "{}{}{}{}-{}{}{}{}".format(
        *(REFERENCE_ALPHABET[n // len(REFERENCE_ALPHABET) ** i % len(REFERENCE_ALPHABET)] for i in range(8))))
    carer_link = "new"
    carer_first_name = factory.SelfAttribute("carer.first_name")
    carer_last_name = factory.SelfAttribute("carer.last_name")
    carer_date_of_birth = factory.SelfAttribute("carer.date_of_birth")
    carer_postcode = factory.SelfAttribute("carer.postcode")
    carer_phone = factory.SelfAttribute("carer.phone")
    carer_email = factory.SelfAttribute("carer.email")
    carer_preferred_contact = factory.SelfAttribute("carer.preferred_contact")
    urgency = "routine"
    consent_given = True
    consent_method = "verbal"
    consent_given_at = factory.LazyFunction(timezone.now)
    sent_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def needs(self, create, extracted, **kwargs):
        if create and extracted:
            self.needs.set(extracted)


class ReferralFactory(factory.django.DjangoModelFactory):
    """One service's referral on a prescription (status "sent": waiting for the service to reply)."""

    class Meta:
        model = "referrals.Referral"

    prescription = factory.SubFactory(PrescriptionFactory)
    service = factory.SubFactory(ServiceFactory)
    carer = factory.SelfAttribute("prescription.carer")
    status = "sent"


class NotificationFactory(factory.django.DjangoModelFactory):
    """An outbox row about a referral, to a member of staff by email unless told otherwise."""

    class Meta:
        model = "notifications.Notification"

    class Params:
        referral = factory.SubFactory(ReferralFactory)

    recipient_user = factory.SubFactory(UserFactory)
    partnership = factory.SelfAttribute("referral.prescription.partnership")
    event_key = factory.LazyAttribute(lambda o: f"item-routed:{o.referral.pk}")
    recipient_key = factory.LazyAttribute(lambda o: f"user:{o.recipient_user.pk}")
    channel = "email"
    template = "item_routed"
    context = factory.LazyAttribute(lambda o: {"referral": str(o.referral.pk), "service": str(o.referral.service_id)})
