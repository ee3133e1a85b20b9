"""factory_boy factories for the test suite. Invented people and places only."""

from __future__ import annotations

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
