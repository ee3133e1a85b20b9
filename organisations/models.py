"""The directory: organisations, their membership of a partnership, staff roles, services, needs.

Field names follow Open Referral UK (HSDS 3.0) where it has one, so the feed is a mapping and not a
translation: Organization.website, Service.status, Service.minimum_age, Location.postal_code, ...
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from partnership.models import Partnership, PostcodeDistrict

# ISO 639 codes of the languages services most often offer here, and their names.
LANGUAGE_NAMES = {
    "en": "English", "cy": "Welsh", "bfi": "British Sign Language", "pl": "Polish", "ur": "Urdu",
    "pa": "Punjabi", "bn": "Bengali", "gu": "Gujarati", "hi": "Hindi", "ne": "Nepali", "ro": "Romanian",
    "ar": "Arabic", "pt": "Portuguese", "es": "Spanish", "tr": "Turkish", "zh": "Chinese",
    "uk": "Ukrainian", "so": "Somali", "ta": "Tamil", "fa": "Persian",
}


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        NHS_BODY = "nhs_body", "NHS body"
        GP_PRACTICE = "gp_practice", "GP practice"
        HOSPITAL = "hospital", "Hospital"
        CHARITY = "charity", "Charity"
        COMMUNITY_GROUP = "community_group", "Community group"
        SCHOOL = "school", "School"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CHARITY)
    description = models.TextField(blank=True)
    charity_number = models.CharField(max_length=20, blank=True, help_text="Registered charity number")
    ods_code = models.CharField(
        "ODS code", max_length=12, blank=True, help_text="NHS Organisation Data Service code"
    )
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address_1 = models.CharField("address line 1", max_length=200, blank=True)
    city = models.CharField("town or city", max_length=100, blank=True)
    postal_code = models.CharField("postcode", max_length=10, blank=True)
    team_visibility = models.BooleanField(
        "colleagues see each other's referrals",
        default=False,
        help_text="Frontline workers here can follow the prescriptions their colleagues wrote.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:organisation", kwargs={"pk": self.pk})


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(active_membership())


def active_membership(*, via: str = "", partnership=None) -> Q:
    """The one rule for an active membership (not invited, suspended or left), as a filter on the
    memberships reached through `via` (e.g. "organisation__memberships"; "" for Membership itself), in
    `partnership` if given. One Q, so inside one filter() call both conditions hold for the same row.
    `partnership` may be an instance, an id or an OuterRef."""
    prefix = f"{via}__" if via else ""
    rule = Q(**{f"{prefix}status": Membership.Status.ACTIVE})
    return rule & Q(**{f"{prefix}partnership": partnership}) if partnership is not None else rule


def active_member_of(partnership, *, via: str) -> Q:
    """An active member of the partnership (active_membership, in one partnership)."""
    return active_membership(via=via, partnership=partnership)


class Membership(models.Model):
    """An organisation's membership of a partnership; staff roles hang off it."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        LEFT = "left", "Left"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    joined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "organisation"], name="unique_membership"),
        ]
        indexes = [models.Index(fields=["partnership", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.partnership} ({self.get_status_display()})"


class StaffRoleQuerySet(models.QuerySet):
    def active(self) -> StaffRoleQuerySet:
        """Roles that count: held through a membership that is active (not invited, suspended or left)."""
        return self.filter(active_membership(via="membership"))

    def held_by(self, user) -> StaffRoleQuerySet:
        """A person's roles that count; none for an anonymous visitor."""
        if not user.is_authenticated:
            return self.none()
        return self.active().filter(user=user)

    def coordinators(self) -> StaffRoleQuerySet:
        return self.filter(role=StaffRole.Role.COORDINATOR)


class StaffRole(models.Model):
    """What a person may do for an organisation within a partnership. One person may hold several."""

    class Role(models.TextChoices):
        REFERRER = "referrer", "Frontline worker"
        COORDINATOR = "coordinator", "Service coordinator"
        ORG_ADMIN = "org_admin", "Organisation admin"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="staff_roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = StaffRoleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "user", "role"], name="unique_staff_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.membership.organisation}"


class Taxonomy(models.Model):
    """A vocabulary of terms. Each partnership has one need taxonomy; imports may bring others."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="taxonomies")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=40, blank=True)
    is_need_taxonomy = models.BooleanField(
        default=False, help_text="The carers' needs that prescriptions and the directory filter on."
    )

    class Meta:
        verbose_name_plural = "taxonomies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership"], condition=Q(is_need_taxonomy=True), name="one_need_taxonomy_per_partnership"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TaxonomyTermQuerySet(models.QuerySet):
    def needs_of(self, partnership: Partnership) -> TaxonomyTermQuerySet:
        return self.filter(taxonomy__partnership=partnership, taxonomy__is_need_taxonomy=True)


class TaxonomyTerm(models.Model):
    """A term of a taxonomy; in the need taxonomy, a need a carer may have. Hierarchical by parent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField(max_length=100, blank=True)
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    term_uri = models.URLField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = TaxonomyTermQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "slug"], name="unique_term_slug_per_taxonomy"),
        ]

    def __str__(self) -> str:
        return self.name


class ConditionGroup(models.Model):
    """The kind of condition of the person cared for, for services' eligibility (dementia, ...)."""

    slug = models.SlugField(primary_key=True, max_length=50)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A place where services are delivered (HSDS location, physical)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="locations", null=True, blank=True
    )
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    address_1 = models.CharField("address line 1", max_length=200, blank=True)
    city = models.CharField("town or city", max_length=100, blank=True)
    state_province = models.CharField("county", max_length=100, blank=True)
    postal_code = models.CharField("postcode", max_length=10, blank=True)
    country = models.CharField(max_length=2, default="GB")
    # The postcode district places the location for distance; exact coordinates when known.
    district = models.ForeignKey(
        PostcodeDistrict, on_delete=models.SET_NULL, null=True, blank=True, related_name="locations"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name or self.postal_code or str(self.id)

    @property
    def one_line_address(self) -> str:
        return ", ".join(part for part in [self.address_1, self.city, self.postal_code] if part)


def covering(district: str) -> Q:
    """Services whose area includes the postcode district (half of "reaches this district")."""
    # The district as an id subquery, not a join: an OR across a join defeats every index.
    in_district = Service.service_area_districts.through.objects.filter(postcodedistrict_id=district)
    return Q(pk__in=in_district.values("service_id"))


def reaching_remotely(*, district_in_partnership_area: bool) -> Q:
    """Services that reach anybody there without being near: by phone, online, or across the whole
    partnership area (when the district is in it). referrals.routing._reaches is the same rule in memory."""
    remote = Q(delivered_by_phone=True) | Q(delivered_online=True)
    if district_in_partnership_area:
        remote |= Q(serves_whole_area=True)
    return remote


class ServiceQuerySet(models.QuerySet):
    def in_partnership(self, partnership: Partnership) -> ServiceQuerySet:
        return self.filter(
            organisation__memberships__partnership=partnership,
        )

    def listed(self, partnership: Partnership) -> ServiceQuerySet:
        """What the public directory shows: active services of the partnership's active members."""
        return self.filter(active_member_of(partnership, via="organisation__memberships"),
                           status=Service.Status.ACTIVE)

    def reaching(self, district: str, *, district_in_partnership_area: bool) -> ServiceQuerySet:
        """Services that reach a carer in this postcode district.

        Its area covers the district, or it serves the whole partnership area (and the district is
        in that area), or it is delivered by phone or online, which reaches anybody.
        """
        remote = reaching_remotely(district_in_partnership_area=district_in_partnership_area)
        return self.filter(covering(district) | remote)

    def refresh_derived_fields(self) -> int:
        """Recompute the stored summary and search document (call after changing a listing)."""
        services = list(self.select_related("organisation").prefetch_related("needs"))
        for service in services:
            service.summary = summarise(service.description)
            service.search_text = " ".join(
                [service.name, service.organisation.name, *(need.name for need in service.needs.all()),
                 service.description]
            ).lower()
        Service.objects.bulk_update(services, ["summary", "search_text"], batch_size=500)
        return len(services)


def summarise(text: str, limit: int = 200) -> str:
    """The first sentence or so of a description, cut at a word boundary."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-")
    return f"{cut}…"


class Service(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    class Capacity(models.TextChoices):
        ACCEPTING = "accepting", "Accepting referrals"
        WAITING_LIST = "waiting_list", "Waiting list"
        PAUSED = "paused", "Paused"

    class CarerAges(models.TextChoices):
        ADULTS = "adults", "Adult carers"
        YOUNG = "young", "Young carers only"
        ALL = "all", "Adult and young carers"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # A short summary kept when the service is saved: truncating in templates is slow.
    summary = models.CharField(max_length=300, blank=True)
    url = models.URLField("website", blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    contact_name = models.CharField(max_length=120, blank=True)
    referral_email = models.EmailField(
        "referral inbox email", blank=True,
        help_text="Told (without personal details) when a referral arrives, as well as the coordinators.",
    )
    # Messages to its referral inbox (organisations/notifications.py): deleted with it.
    inbox_notifications = GenericRelation("notifications.Notification", content_type_field="recipient_type",
                                          object_id_field="recipient_id")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    needs = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services")

    # Eligibility
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    carer_ages = models.CharField(
        "carers supported", max_length=10, choices=CarerAges.choices, default=CarerAges.ADULTS
    )
    condition_groups = models.ManyToManyField(
        ConditionGroup,
        blank=True,
        related_name="services",
        help_text="Leave empty if the service supports carers whatever the condition of the person cared for.",
    )
    eligibility_description = models.TextField(blank=True)

    # Delivery
    delivered_in_person = models.BooleanField("in person", default=False)
    delivered_at_home = models.BooleanField("home visit", default=False)
    delivered_by_phone = models.BooleanField("by phone", default=False)
    delivered_online = models.BooleanField("online", default=False)

    # Area served
    serves_whole_area = models.BooleanField("serves the whole partnership area", default=False)
    service_area_districts = models.ManyToManyField(PostcodeDistrict, blank=True, related_name="services")
    locations = models.ManyToManyField(Location, through="ServiceAtLocation", related_name="services", blank=True)

    # Cost, languages, opening times
    is_free = models.BooleanField("free of charge", default=True)
    fees_description = models.CharField(max_length=300, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes, for example en, pl, ur")
    opening_hours = models.CharField(max_length=300, blank=True, help_text="For example, Monday to Friday 9am to 5pm")

    # Referral capacity
    referral_capacity = models.CharField(max_length=12, choices=Capacity.choices, default=Capacity.ACCEPTING)
    usual_wait_weeks = models.PositiveSmallIntegerField(null=True, blank=True)

    # Search document: name, organisation, needs and description, refreshed with the listing.
    search_text = models.TextField(blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # The directory's filters are used together: one composite index per common combination.
            models.Index(fields=["status", "referral_capacity"], name="service_status_capacity"),
            models.Index(fields=["status", "is_free"], name="service_status_free"),
            models.Index(fields=["status", "delivered_in_person"], name="service_status_in_person"),
            models.Index(fields=["status", "delivered_at_home"], name="service_status_home"),
            models.Index(fields=["status", "delivered_by_phone"], name="service_status_phone"),
            models.Index(fields=["status", "delivered_online"], name="service_status_online"),
            models.Index(fields=["status", "serves_whole_area"], name="service_status_whole_area"),
            models.Index(fields=["minimum_age", "maximum_age"], name="service_ages"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:service", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.minimum_age is not None and self.maximum_age is not None and self.minimum_age > self.maximum_age:
            raise ValidationError({"maximum_age": "Maximum age must be the same as or more than the minimum age"})
        if self.referral_capacity != self.Capacity.WAITING_LIST and self.usual_wait_weeks:
            self.usual_wait_weeks = None

    @property
    def delivery_methods(self) -> list[str]:
        return [
            label
            for flag, label in [
                (self.delivered_in_person, "In person"),
                (self.delivered_at_home, "Home visit"),
                (self.delivered_by_phone, "By phone"),
                (self.delivered_online, "Online"),
            ]
            if flag
        ]

    @property
    def is_remote(self) -> bool:
        return self.delivered_by_phone or self.delivered_online

    @property
    def accepts_referrals(self) -> bool:
        return self.status == self.Status.ACTIVE and self.referral_capacity != self.Capacity.PAUSED

    @property
    def language_names(self) -> list[str]:
        return [LANGUAGE_NAMES.get(code, code) for code in self.languages]

    @property
    def age_range(self) -> str:
        if self.minimum_age is None and self.maximum_age is None:
            return "Any age"
        if self.maximum_age is None:
            return f"{self.minimum_age} and over"
        if self.minimum_age is None:
            return f"Up to {self.maximum_age}"
        return f"{self.minimum_age} to {self.maximum_age}"

    @property
    def wait_description(self) -> str:
        if self.referral_capacity == self.Capacity.PAUSED:
            return "Not taking referrals at the moment"
        if self.referral_capacity == self.Capacity.WAITING_LIST:
            if self.usual_wait_weeks:
                weeks = self.usual_wait_weeks
                return f"Waiting list: usual wait {weeks} week{'s' if weeks != 1 else ''}"
            return "Waiting list"
        return "Accepting referrals"


class ServiceAtLocation(models.Model):
    """A service delivered at a location (HSDS service_at_location)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="unique_service_at_location"),
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"
