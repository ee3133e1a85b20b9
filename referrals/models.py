"""Carers, carer's prescriptions, the referral each sends to a service, and their timeline.

A Prescription is what a frontline worker writes; each chosen service gets a Referral that the service
works through its lifecycle. Everything that happens is a ReferralEvent on the prescription's timeline.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, When
from django.urls import reverse
from django.utils import timezone

from organisations.models import ConditionGroup, Organisation, Service, StaffRole, TaxonomyTerm
from partnership.models import Partnership
from partnership.working_days import add_working_days, overdue_before

from .drafts import Draft

# References avoid characters that are easy to confuse when read aloud or written down (0/O, 1/I/L, 5/S,
# 2/Z, 8/B, U/V): a carer reads theirs over the phone.
REFERENCE_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{body[:4]}-{body[4:]}"


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


YOUNG_CARER_AGE = 18

# Lengths of what people type on the journey, enforced by the forms and by the database alike.
NAME_MAX = 100
LANGUAGE_MAX = 60
ACCESSIBILITY_MAX = 500
NOTE_MAX = 2000
ACTION_NOTE_MAX = 1000  # a reason for declining, a note on closing or on a contact attempt
CANCEL_REASON_MAX = 500
# A timeline line holds a reason's label and the note typed with it.
EVENT_NOTE_MAX = 1200


class CarerQuerySet(models.QuerySet):
    def matchable(self) -> CarerQuerySet:
        """Records a new prescription may be linked to or compared with: not anonymised, not merged away."""
        return self.filter(anonymised_at__isnull=True, merged_into__isnull=True)


class Carer(models.Model):
    """A person who looks after somebody, as known to one partnership.

    Each prescription keeps its own copy of the details its referrer gave (Prescription.carer_*): that copy
    is what services see and where messages about it go. This record only ties a person's prescriptions
    together, and is never written to from a prescription.
    """

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="carers")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="carer"
    )
    first_name = models.CharField(max_length=NAME_MAX)
    last_name = models.CharField(max_length=NAME_MAX)
    date_of_birth = models.DateField()
    postcode = models.CharField(max_length=10)
    district = models.CharField("postcode district", max_length=4, db_index=True)
    # E.164 ('+447700900123'), see partnership/phones.py.
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    preferred_contact = models.CharField(max_length=10, choices=ContactMethod.choices, default=ContactMethod.PHONE)
    language = models.CharField("preferred language", max_length=LANGUAGE_MAX, blank=True, default="English")
    needs_interpreter = models.BooleanField(default=False)
    accessibility_needs = models.CharField(max_length=ACCESSIBILITY_MAX, blank=True)
    # A record confirmed to be the same person as an older one: kept (with its audit trail), never
    # deleted, and no longer matched; its prescriptions moved to the older record.
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_records")
    merged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Messages to the carer (the core's outbox; referrals/messages.py says where they go): deleted with them.
    notifications = GenericRelation("notifications.Notification", content_type_field="recipient_type",
                                    object_id_field="recipient_id")

    objects = CarerQuerySet.as_manager()

    class Meta:
        indexes = [
            # Finding the records a new prescription might be about: same date of birth (then compared in
            # full by referrals/identity.py), or the same email or mobile (only ever a possible duplicate).
            models.Index(fields=["partnership", "date_of_birth", "postcode"], name="carer_identity"),
            models.Index(fields=["partnership", "email"], name="carer_email"),
            models.Index(fields=["partnership", "phone"], name="carer_phone"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def age(self, today: date | None = None) -> int:
        return age_on(self.date_of_birth, today or timezone.localdate())

    @property
    def is_young_carer(self) -> bool:
        return self.age() < YOUNG_CARER_AGE


class PrescriptionQuerySet(models.QuerySet):
    def visible_to(self, user) -> PrescriptionQuerySet:
        """The one rule for who may see a whole prescription; anything else is a 404.

        The referrer; colleagues at the referring organisation where it has turned team visibility on;
        and the partnership's managers. A draft is its writer's alone. The carer it is about sees their own
        through about_carer(), not these staff pages.
        Receiving services see their own referral, through Referral.objects.for_inbox().
        """
        if not user.is_authenticated:
            return self.none()
        team = StaffRole.objects.held_by(user).filter(
            membership__organisation=OuterRef("referring_organisation"),
            membership__organisation__team_visibility=True,
            membership__partnership=OuterRef("partnership"),
        )
        managing = user.managed_partnerships.filter(partnership=OuterRef("partnership"))
        visible = Q(referrer=user) | Exists(team) | Exists(managing)
        return self.filter(visible).exclude(Q(status=Prescription.Status.DRAFT) & ~Q(referrer=user))

    def about_carer(self, user) -> PrescriptionQuerySet:
        """The sent prescriptions about the carer who is signed in: what they may see of their own (not the
        staff pages, which carry staff notes)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(status=Prescription.Status.SENT, carer__user=user)

    def drafts_of(self, user) -> PrescriptionQuerySet:
        return self.filter(status=Prescription.Status.DRAFT, referrer=user) if user.is_authenticated else self.none()


class Prescription(models.Model):
    """A carer's prescription: who the carer is, whom they care for, what they need, and consent."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        SOON = "soon", "Soon — within a week"
        URGENT = "urgent", "Urgent — carer at risk of breakdown"

    # The colour of the tag that marks a prescription more urgent than routine.
    URGENCY_TAG_COLOURS = {Urgency.URGENT: "red", Urgency.SOON: "yellow"}

    class Relationship(models.TextChoices):
        PARTNER = "partner", "Husband, wife or partner"
        PARENT = "parent", "Parent"
        CHILD = "child", "Son or daughter"
        SIBLING = "sibling", "Brother or sister"
        OTHER_FAMILY = "other_family", "Other family member"
        FRIEND = "friend", "Friend or neighbour"

    class ConsentMethod(models.TextChoices):
        VERBAL = "verbal", "Verbally"
        WRITTEN = "written", "In writing"
        ELECTRONIC = "electronic", "Electronically"

    class CarerLink(models.TextChoices):
        """How the prescription came to be filed under its carer record (an identity decision, kept)."""

        NEW = "new", "A new carer record"
        STRONG = "strong", "Same name, date of birth and postcode"
        MERGED = "merged", "Moved when two records were confirmed to be one person"
        # Sent before prescriptions kept the details they were given (issue: weak matches linked a
        # referral on an email or phone alone). What was typed is lost; see `list_weak_carer_links`.
        LEGACY = "legacy", "Linked to an existing record under the old rule"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=9, unique=True, null=True, blank=True)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="prescriptions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    carer = models.ForeignKey(Carer, on_delete=models.PROTECT, null=True, blank=True, related_name="prescriptions")
    carer_link = models.CharField(max_length=10, choices=CarerLink.choices, blank=True)

    # The carer as the referrer gave them on this prescription. Services see these, and messages about
    # this prescription go to these contacts — never to details another prescription gave.
    carer_first_name = models.CharField(max_length=NAME_MAX, blank=True)
    carer_last_name = models.CharField(max_length=NAME_MAX, blank=True)
    carer_date_of_birth = models.DateField(null=True, blank=True)
    carer_postcode = models.CharField(max_length=10, blank=True)
    carer_phone = models.CharField(max_length=30, blank=True)
    carer_email = models.EmailField(blank=True)
    carer_preferred_contact = models.CharField(max_length=10, choices=Carer.ContactMethod.choices, blank=True)
    carer_language = models.CharField(max_length=LANGUAGE_MAX, blank=True)
    carer_needs_interpreter = models.BooleanField(default=False)
    carer_accessibility_needs = models.CharField(max_length=ACCESSIBILITY_MAX, blank=True)

    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="prescriptions_written"
    )
    referring_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="prescriptions_made"
    )

    # The person cared for
    relationship = models.CharField(max_length=20, choices=Relationship.choices, blank=True)
    condition_group = models.ForeignKey(
        ConditionGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lives_together = models.BooleanField(null=True)
    young_carer = models.BooleanField(default=False)

    needs = models.ManyToManyField(TaxonomyTerm, related_name="prescriptions", blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    note = models.CharField(max_length=NOTE_MAX, blank=True)

    consent_given = models.BooleanField(default=False)
    consent_method = models.CharField(max_length=12, choices=ConsentMethod.choices, blank=True)
    consent_given_at = models.DateTimeField(null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(null=True, blank=True)

    # A draft keeps what was typed so far; it is deleted after DRAFT_RETENTION_DAYS.
    draft_data = models.JSONField(default=dict, blank=True)
    # One submission, one referral: the form carries this token and a repeat finds the first.
    submission_token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = PrescriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["referrer", "status", "-created_at"], name="prescription_by_referrer"),
            # Recognising a carer by a mobile or email given on one of their earlier prescriptions.
            models.Index(fields=["partnership", "carer_email"], name="prescription_carer_email"),
            models.Index(fields=["partnership", "carer_phone"], name="prescription_carer_phone"),
            models.Index(fields=["referring_organisation", "status", "-created_at"], name="prescription_by_org"),
            models.Index(fields=["status", "updated_at"], name="prescription_drafts"),
        ]

    def __str__(self) -> str:
        return self.reference or "Draft prescription"

    def get_absolute_url(self) -> str:
        return reverse("referrals:prescription", kwargs={"reference": self.reference})

    @property
    def draft(self) -> Draft:
        """What a draft keeps between the steps (empty once sent)."""
        return Draft.from_json(self.draft_data)

    @property
    def draft_carer_name(self) -> str:
        return self.draft.carer_name

    @property
    def urgency_tag_colour(self) -> str:
        """The tag's colour, or "" for a routine prescription (which gets no tag)."""
        return self.URGENCY_TAG_COLOURS.get(self.urgency, "")

    @property
    def urgency_in_short(self) -> str:
        """"Urgent", "Soon" or "Routine", for a table cell."""
        return self.get_urgency_display().split(" — ")[0]

    @property
    def is_sent(self) -> bool:
        return self.status == self.Status.SENT

    @property
    def carer_full_name(self) -> str:
        return f"{self.carer_first_name} {self.carer_last_name}".strip()

    def carer_age(self, today: date | None = None) -> int | None:
        if self.carer_date_of_birth is None:
            return None
        return age_on(self.carer_date_of_birth, today or timezone.localdate())


# A referral still being worked (the rest are Referral.FINISHED). Spelled as values, not Referral.Status,
# because the partial unique constraint needs it while the class is built; a test holds the two together.
OPEN_STATUSES = ("sent", "accepted", "in_contact")


def overdue(*, today: date, target_days: int) -> Q:
    """The one rule for "overdue": still waiting for the service's reply (sent, neither accepted nor
    declined) and received before the first day that still meets the target of `target_days` working
    days on `today`. Referral.is_overdue() is the same rule for one referral in memory."""
    return Q(status=Referral.Status.SENT, created_at__date__lt=overdue_before(today, target_days))


class ReferralQuerySet(models.QuerySet):
    def for_inbox(self, user, organisation: Organisation | None = None) -> ReferralQuerySet:
        """Referrals sent to services of the organisations where `user` is a coordinator."""
        if not user.is_authenticated:
            return self.none()
        coordinating = StaffRole.objects.held_by(user).coordinators()
        referrals = self.filter(
            Exists(coordinating.filter(membership__organisation=OuterRef("service__organisation"),
                                       membership__partnership=OuterRef("prescription__partnership")))
        )
        if organisation is not None:
            referrals = referrals.filter(service__organisation=organisation)
        return referrals

    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, *, today: date, target_days: int) -> ReferralQuerySet:
        return self.filter(overdue(today=today, target_days=target_days))

    def most_urgent_first(self, *, today: date, target_days: int) -> ReferralQuerySet:
        """The inbox's order, in the database so it holds across pages: referrals awaiting a reply before
        those in progress, then the finished; within each, overdue first, then urgent, soon, routine,
        then oldest. `overdue` is annotated for the page."""
        status = Referral.Status
        urgency = Prescription.Urgency
        return self.annotate(
            stage=Case(When(status=status.SENT, then=0), When(status__in=OPEN_STATUSES, then=1), default=2),
            overdue=Case(When(overdue(today=today, target_days=target_days), then=True), default=False,
                         output_field=models.BooleanField()),
            urgency_rank=Case(When(prescription__urgency=urgency.URGENT, then=0),
                              When(prescription__urgency=urgency.SOON, then=1), default=2),
        ).order_by("stage", "-overdue", "urgency_rank", "created_at", "pk")


class Referral(models.Model):
    """One service's part of a prescription, worked through to an outcome.

    Its lifecycle is TRANSITIONS: what may be done to it in each status. Who may do it is
    referrals/permissions.py; the services in referrals/services.py apply both.
    """

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        IN_CONTACT = "in_contact", "In contact"
        CLOSED = "closed", "Closed"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Outcome(models.TextChoices):
        SUPPORTED = "supported", "Supported"
        CARER_DECLINED = "carer_declined", "Carer declined support"
        COULD_NOT_CONTACT = "could_not_contact", "Could not contact the carer"

    class DeclineReason(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", "The carer is not eligible for this service"
        NO_CAPACITY = "no_capacity", "We have no capacity at the moment"
        OUT_OF_AREA = "out_of_area", "The carer lives outside our area"
        WRONG_SERVICE = "wrong_service", "Another service would suit the carer better"
        ALREADY_SUPPORTED = "already_supported", "We already support this carer"
        OTHER = "other", "Another reason"

    class Action(models.TextChoices):
        """What may be done to a referral (the slugs are the ones in its pages' addresses)."""

        ACCEPT = "accept", "Accept"
        DECLINE = "decline", "Decline"
        RECORD_CONTACT_ATTEMPT = "contact-attempt", "Record a contact attempt"
        MARK_IN_CONTACT = "in-contact", "Record that you are in contact"
        CLOSE = "close", "Close"
        CANCEL = "cancel", "Cancel"
        REROUTE = "reroute", "Send to another service"

    # The lifecycle: the statuses each action may start from, and the status it leads to (None: the
    # status stays; re-routing makes a new referral and leaves the declined one as it is).
    TRANSITIONS = {
        Action.ACCEPT: ({Status.SENT}, Status.ACCEPTED),
        Action.DECLINE: ({Status.SENT, Status.ACCEPTED}, Status.DECLINED),
        Action.RECORD_CONTACT_ATTEMPT: ({Status.ACCEPTED}, None),
        Action.MARK_IN_CONTACT: ({Status.ACCEPTED}, Status.IN_CONTACT),
        Action.CLOSE: ({Status.ACCEPTED, Status.IN_CONTACT}, Status.CLOSED),
        Action.CANCEL: (set(OPEN_STATUSES), Status.WITHDRAWN),
        Action.REROUTE: ({Status.DECLINED}, None),
    }
    FINISHED = (Status.CLOSED, Status.DECLINED, Status.WITHDRAWN)
    # The colour of each status's tag (GOV.UK Frontend's tag modifiers).
    TAG_COLOURS = {Status.SENT: "blue", Status.ACCEPTED: "turquoise", Status.IN_CONTACT: "purple",
                   Status.CLOSED: "green", Status.DECLINED: "red", Status.WITHDRAWN: "grey"}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    # Denormalised from the prescription so the database itself refuses a second open referral for the same
    # carer and service.
    carer = models.ForeignKey(Carer, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    suggested_service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rerouted_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rerouted_to"
    )
    match_reasons = models.JSONField(default=list, blank=True)
    contact_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["carer", "service"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_referral_per_carer_service",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "status", "-created_at"], name="referral_inbox"),
            models.Index(fields=["status", "created_at"], name="referral_status_age"),
        ]

    def __str__(self) -> str:
        return f"{self.prescription} → {self.service}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:referral", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaits_reply(self) -> bool:
        """Sent, and the service has neither accepted nor declined it yet."""
        return self.status == self.Status.SENT

    @property
    def allowed_actions(self) -> frozenset[str]:
        """What its lifecycle allows now, whoever asks (permissions.actions_on() adds who may)."""
        allowed = {action for action, (start, _) in self.TRANSITIONS.items() if self.status in start}
        if self.Action.REROUTE in allowed and self.was_rerouted:
            allowed.discard(self.Action.REROUTE)  # already sent on once
        return frozenset(allowed)

    @property
    def was_rerouted(self) -> bool:
        """Sent on to another service (select_related("rerouted_to") saves the query)."""
        try:
            return self.rerouted_to is not None
        except Referral.DoesNotExist:
            return False

    @property
    def tag_colour(self) -> str:
        return self.TAG_COLOURS.get(self.status, "grey")

    def respond_by(self, target_days: int) -> date:
        """The date by which the service should acknowledge it (the partnership's target, in working days)."""
        return add_working_days(timezone.localdate(self.created_at), target_days)

    def is_overdue(self, target_days: int, today: date | None = None) -> bool:
        """The rule of overdue() for this referral."""
        today = today or timezone.localdate()
        return self.awaits_reply and timezone.localdate(self.created_at) < overdue_before(today, target_days)


class ReferralEvent(models.Model):
    """A line on a prescription's timeline: who did what, and when."""

    class Kind(models.TextChoices):
        SENT = "sent", "Prescription sent"
        ROUTED = "routed", "Sent to service"
        ACCEPTED = "accepted", "Accepted"
        CONTACT_ATTEMPT = "contact_attempt", "Tried to contact the carer"
        IN_CONTACT = "in_contact", "In contact with the carer"
        CLOSED = "closed", "Closed"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REROUTED = "rerouted", "Re-routed to another service"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
        MERGED = "merged", "Carer records merged"

    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="events")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=EVENT_NOTE_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class PossibleDuplicateQuerySet(models.QuerySet):
    def visible_to(self, user) -> PossibleDuplicateQuerySet:
        """Possible duplicates are decided by the coordinators of their partnership's lead organisation."""
        if not user.is_authenticated:
            return self.none()
        deciding = StaffRole.objects.held_by(user).coordinators().filter(
            membership__partnership=OuterRef("partnership"),
            membership__organisation=OuterRef("partnership__lead_organisation"),
        )
        return self.filter(Exists(deciding))

    def open(self) -> PossibleDuplicateQuerySet:
        return self.filter(status=PossibleDuplicate.Status.OPEN)


class PossibleDuplicate(models.Model):
    """A new carer record that resembles an older one, for the lead organisation to confirm or reject.

    A weak resemblance (a shared email or mobile, one name different, another postcode) is never a
    reason to file a referral under someone else's record: the new person gets a record of their own,
    and a person decides.
    """

    class Status(models.TextChoices):
        OPEN = "open", "To review"
        CONFIRMED = "confirmed", "Confirmed: the same person"
        REJECTED = "rejected", "Rejected: different people"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="possible_duplicates")
    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="duplicate_flags")
    existing = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = PossibleDuplicateQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["carer", "existing"], name="one_flag_per_pair"),
        ]
        indexes = [models.Index(fields=["partnership", "status", "created_at"], name="duplicates_to_review")]

    def __str__(self) -> str:
        return f"Possible duplicate ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class UnmetNeed(models.Model):
    """A need of a prescription that no service meets in the carer's area, kept for insight."""

    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="unmet_needs")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="unmet_needs")
    need = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="unmet")
    district = models.CharField(max_length=4)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prescription", "need"], name="unique_unmet_need")]
        indexes = [models.Index(fields=["partnership", "district", "created_at"], name="unmet_by_area")]

    def __str__(self) -> str:
        return f"{self.need} unmet in {self.district}"


class CarerRecordAccess(models.Model):
    """The audit trail: every read and change of a carer's record, by whom and when."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="access_log")
    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    what = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["carer", "at"], name="carer_access_by_time")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.what} at {self.at:%Y-%m-%d %H:%M}"
