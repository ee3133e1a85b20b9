"""The core: people, partnerships, the partnership manager role, and places (postcode districts)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Case, Q, When
from django.urls import reverse

# organisations.Membership.Status.ACTIVE, named here because the core may not import the apps
# (tests/partnership/test_current_partnership.py holds the two together).
ACTIVE_MEMBERSHIP = "active"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def managers_of(self, partnership) -> models.QuerySet[User]:
        """The partnership's managers who can still sign in."""
        return self.filter(managed_partnerships__partnership=partnership, is_active=True)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. Email is the login; what they may do comes from their memberships."""

    username = None
    email = models.EmailField("email address", unique=True)
    job_title = models.CharField(max_length=120, blank=True)

    class EmailFrequency(models.TextChoices):
        EACH = "each", "As each thing happens"
        DAILY = "daily", "Once a day, in a digest"

    # Busy coordinators and referrers may prefer one email a day to one per event. In-app notifications,
    # reminders and escalations are not held back by it.
    email_frequency = models.CharField(max_length=10, choices=EmailFrequency.choices, default=EmailFrequency.EACH)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @property
    def works_in_a_partnership(self) -> bool:
        """Staff of a member organisation (any role), a partnership manager, or a site administrator —
        rather than a carer. `staff_roles` is the reverse of organisations' StaffRole: a name, not an import."""
        return (self.is_superuser or self.managed_partnerships.exists()
                or self.staff_roles.filter(membership__status=ACTIVE_MEMBERSHIP).exists())


class PartnershipQuerySet(models.QuerySet):
    def current(self) -> Partnership | None:
        """The partnership this site serves: PARTNERSHIP_SLUG when several share an installation."""
        slug = settings.PARTNERSHIP_SLUG
        if slug:
            return self.filter(slug=slug).first()
        return self.order_by("created_at").first()

    def serving(self, request) -> Partnership | None:
        """The partnership whose public pages (the directory, the Open Referral feed) this address serves,
        whoever is signed in. When one installation hosts several partnerships, each will be found from
        the host or path here, and nowhere else; until then, the installation's (`current()`)."""
        return self.current()

    def for_request(self, request) -> Partnership | None:
        """The partnership a signed-in person's pages are about (partnership.middleware resolves it once,
        lazily): staff, managers and carers get theirs — one partnership each today; when someone belongs
        to several, the configured one if it is among them, else the oldest. Anyone else: the one the
        address serves."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Reverse names of the apps' models (organisations' memberships and staff roles, the referral
            # hub's carers): names, not imports.
            theirs = self.filter(
                Q(memberships__staff_roles__user=user, memberships__status=ACTIVE_MEMBERSHIP)
                | Q(managers__user=user) | Q(carers__user=user)
            )  # rows repeat through the joins; only the first is read
            configured = settings.PARTNERSHIP_SLUG
            found = theirs.order_by(Case(When(slug=configured, then=0), default=1), "created_at").first()
            if found is not None:
                return found
        return self.serving(request)

    def managed_by(self, user) -> PartnershipQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(managers__user=user)


class Partnership(models.Model):
    """A local partnership: a council, the NHS and voluntary groups who support people together."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    area_name = models.CharField(max_length=200, blank=True, help_text="For example, Surrey")
    area_districts = models.ManyToManyField(
        "PostcodeDistrict",
        blank=True,
        related_name="partnerships",
        help_text="The postcode districts the partnership covers.",
    )
    # The member that triages self-referrals and decides possible duplicate carers (journey 5).
    lead_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Its coordinators review possible duplicate carer records.",
    )
    # Acknowledge a referral within this many working days (PRODUCT.md: default 3).
    response_target_days = models.PositiveSmallIntegerField(default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:search")


class PartnershipManager(models.Model):
    """The partnership manager role: runs the membership, the taxonomy and the insight."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="managers")
    user = models.ForeignKey("partnership.User", on_delete=models.CASCADE, related_name="managed_partnerships")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "user"], name="unique_partnership_manager"),
        ]

    def __str__(self) -> str:
        return f"{self.user} manages {self.partnership}"


class PostcodeDistrict(models.Model):
    """A postcode district (outcode) and its centre, for distance without an online lookup."""

    code = models.CharField(max_length=4, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

