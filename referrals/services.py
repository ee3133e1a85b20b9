"""Use cases of the referral hub. Each validates, runs in one transaction, records the timeline and the
notifications it causes, and changes a status only through a guarded, conditional update.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from organisations.models import ConditionGroup, Organisation, Service, TaxonomyTerm
from partnership import phones
from partnership.models import Partnership
from partnership.places import normalise_postcode, outcode_of

from . import identity, notifications, permissions, selectors
from .drafts import Draft
from .models import (
    OPEN_STATUSES,
    YOUNG_CARER_AGE,
    Carer,
    CarerRecordAccess,
    PossibleDuplicate,
    Prescription,
    Referral,
    ReferralEvent,
    UnmetNeed,
    age_on,
    new_reference,
)
from .routing import Routing, circumstances_for, load_directory, needs_for, route

DRAFT_RETENTION_DAYS = 14


class ReferralError(Exception):
    """A request the rules refuse; its message is for the person who asked."""


class TransitionNotAllowed(ReferralError):
    pass


# --- The prescription ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CarerDetails:
    first_name: str
    last_name: str
    date_of_birth: date
    postcode: str
    phone: str = ""
    email: str = ""
    preferred_contact: str = Carer.ContactMethod.PHONE
    language: str = "English"
    needs_interpreter: bool = False
    accessibility_needs: str = ""

    def as_identity(self) -> identity.Identity:
        return identity.Identity.of(first_name=self.first_name, last_name=self.last_name,
                                    date_of_birth=self.date_of_birth, postcode=self.postcode, phones=self.phone,
                                    emails=self.email)

    def snapshot(self) -> dict:
        """The details as the prescription keeps them (Referral.carer_*), normalised as stored."""
        return {
            "carer_first_name": " ".join(self.first_name.split()),
            "carer_last_name": " ".join(self.last_name.split()),
            "carer_date_of_birth": self.date_of_birth,
            "carer_postcode": normalise_postcode(self.postcode),
            "carer_phone": phones.normalise(self.phone),
            "carer_email": identity.email_key(self.email),
            "carer_preferred_contact": self.preferred_contact,
            "carer_language": self.language.strip(),
            "carer_needs_interpreter": self.needs_interpreter,
            "carer_accessibility_needs": self.accessibility_needs.strip(),
        }

    @classmethod
    def from_draft(cls, data: dict) -> CarerDetails:
        return cls(
            first_name=data["first_name"], last_name=data["last_name"],
            date_of_birth=date.fromisoformat(data["date_of_birth"]), postcode=data["postcode"],
            phone=data.get("phone", ""), email=data.get("email", ""),
            preferred_contact=data.get("preferred_contact", Carer.ContactMethod.PHONE),
            language=data.get("language", ""), needs_interpreter=bool(data.get("needs_interpreter")),
            accessibility_needs=data.get("accessibility_needs", ""),
        )


def carer_find_or_create(*, partnership: Partnership, details: CarerDetails) -> tuple[Carer, str]:
    """The carer record a new prescription is filed under, and how it was decided (Referral.CarerLink).

    Only a strong match (referrals/identity.py) links to an existing record. Otherwise the person gets a
    new record, flagged as a possible duplicate of each record it merely resembles, for the lead
    organisation to decide. Nothing is ever written onto an existing record from a prescription.
    """
    recognition = identity.recognise(partnership=partnership, given=details.as_identity())
    if recognition.same_person is not None:
        return recognition.same_person, Prescription.CarerLink.STRONG
    postcode = normalise_postcode(details.postcode)
    carer = Carer.objects.create(
        partnership=partnership,
        first_name=" ".join(details.first_name.split()),
        last_name=" ".join(details.last_name.split()),
        date_of_birth=details.date_of_birth,
        postcode=postcode,
        district=outcode_of(postcode),
        phone=phones.normalise(details.phone),
        email=identity.email_key(details.email),
        preferred_contact=details.preferred_contact,
        language=details.language.strip(),
        needs_interpreter=details.needs_interpreter,
        accessibility_needs=details.accessibility_needs.strip(),
    )
    PossibleDuplicate.objects.bulk_create([
        PossibleDuplicate(partnership=partnership, carer=carer, existing=existing, reasons=list(reasons))
        for existing, reasons in recognition.resembling
    ])
    return carer, Prescription.CarerLink.NEW


def known_carer(*, partnership: Partnership, details: CarerDetails) -> Carer | None:
    """The record these details are certainly about (a strong match), or None."""
    return identity.recognise(partnership=partnership, given=details.as_identity()).same_person


def draft_save(*, partnership: Partnership, referrer, organisation: Organisation, token: uuid.UUID,
               change: Callable[[Draft], Draft], draft: Prescription | None = None) -> Prescription:
    """Keep what has been typed so far: `change` makes the new Draft from the one kept. The form's token
    makes a double submission one draft."""
    if draft is None:
        draft, _ = Prescription.objects.get_or_create(
            submission_token=token,
            defaults={"partnership": partnership, "referrer": referrer, "referring_organisation": organisation,
                      "draft_data": change(Draft()).to_json()},
        )
        if draft.referrer_id != referrer.pk:
            raise ReferralError("This form has already been used")
    if draft.status != Prescription.Status.DRAFT:
        return draft
    kept = change(draft.draft).to_json()
    Prescription.objects.filter(pk=draft.pk, status=Prescription.Status.DRAFT).update(
        draft_data=kept, referring_organisation=organisation, updated_at=timezone.now()
    )
    draft.draft_data = kept
    return draft


def draft_routing(*, draft: Prescription, today: date | None = None) -> Routing:
    """Route a draft: the matching services for the carer it describes, and unmet needs."""
    data = draft.draft.answers
    age = age_on(draft.draft.date_of_birth, today or timezone.localdate())
    needs = needs_for(TaxonomyTerm.objects.filter(pk__in=draft.draft.need_ids).order_by("position", "name"))
    circumstances = circumstances_for(
        partnership=draft.partnership, age=age, young_carer=age < YOUNG_CARER_AGE,
        condition_group=data.get("condition_group") or None, district=outcode_of(data["postcode"]),
    )
    # Only a strong match may say "already has a referral in progress": anything weaker would tell the
    # referrer which services support somebody else.
    existing = known_carer(partnership=draft.partnership, details=CarerDetails.from_draft(data))
    open_ids = frozenset(
        Referral.objects.filter(carer=existing, status__in=OPEN_STATUSES).values_list("service_id", flat=True)
    ) if existing else frozenset()
    directory = load_directory(partnership=draft.partnership, needs=needs, circumstances=circumstances)
    return route(circumstances=circumstances, needs=needs, directory=directory, open_service_ids=open_ids)


def prescription_send(*, draft: Prescription, actor, service_ids: list, today: date | None = None) -> Prescription:
    """Send a prescription: one prescription, one referral per chosen service, the timeline and notifications.

    The draft is claimed under a row lock, so a double click, a back button or a retry sends it once;
    a repeat returns the referral already sent.
    """
    with transaction.atomic():
        draft = Prescription.objects.select_for_update().get(pk=draft.pk)
        if draft.status == Prescription.Status.SENT:
            return draft
        if not permissions.may_send(actor, draft):
            raise ReferralError("Only the person who wrote this prescription, as a frontline worker of its "
                                "organisation, can send it")
        kept = draft.draft
        data = kept.answers
        if not data.get("consent_given"):
            raise ReferralError("The carer must agree to share their details before a referral can be sent")
        if not service_ids:
            raise ReferralError("Choose at least one service")

        routing = draft_routing(draft=draft, today=today)
        proposed = {match.service.id: match for match in routing.matches}
        unknown = [sid for sid in service_ids if sid not in proposed]
        if unknown:
            raise ReferralError("A chosen service can no longer take this referral. Choose the services again.")

        details = CarerDetails.from_draft(data)
        carer, link = carer_find_or_create(partnership=draft.partnership, details=details)
        now = timezone.now()
        born = details.date_of_birth
        draft.carer = carer
        draft.carer_link = link
        for name, value in details.snapshot().items():
            setattr(draft, name, value)
        draft.status = Prescription.Status.SENT
        draft.reference = _unique_reference()
        draft.relationship = data.get("relationship", "")
        draft.condition_group = ConditionGroup.objects.filter(pk=data.get("condition_group") or None).first()
        draft.lives_together = data.get("lives_together")
        draft.young_carer = age_on(born, today or timezone.localdate()) < YOUNG_CARER_AGE
        draft.urgency = data.get("urgency", Prescription.Urgency.ROUTINE)
        draft.note = data.get("note", "")
        draft.consent_given = True
        draft.consent_method = data.get("consent_method", "")
        draft.consent_given_at = kept.consent_given_at or now
        draft.sent_at = now
        draft.draft_data = {}
        draft.save()
        draft.needs.set(kept.need_ids)

        ReferralEvent.objects.create(prescription=draft, actor=actor, kind=ReferralEvent.Kind.SENT)
        CarerRecordAccess.objects.create(carer=carer, prescription=draft, user=actor,
                                         action=CarerRecordAccess.Action.CREATE, what="prescription sent")
        services = Service.objects.in_bulk(service_ids)
        for service_id in service_ids:
            _route_referral(prescription=draft, service=services[service_id], actor=actor,
                        reasons=proposed[service_id].reasons)
        district = outcode_of(details.postcode)
        UnmetNeed.objects.bulk_create([
            UnmetNeed(prescription=draft, partnership=draft.partnership, need_id=need.id, district=district)
            for need in routing.unmet_needs
        ])
        notifications.prescription_sent(draft)
        return draft


def _unique_reference() -> str:
    for _ in range(10):
        reference = new_reference()
        if not Prescription.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("Could not find a free reference")  # 23^8 references: practically unreachable


def _route_referral(*, prescription: Prescription, service: Service, actor, reasons: list[str],
                rerouted_from: Referral | None = None) -> Referral:
    try:
        with transaction.atomic():
            referral = Referral.objects.create(prescription=prescription, service=service, carer=prescription.carer,
                                               match_reasons=reasons, rerouted_from=rerouted_from)
    except IntegrityError:
        raise ReferralError(f"{service.name} already has a referral in progress for this carer") from None
    ReferralEvent.objects.create(prescription=prescription, referral=referral, actor=actor,
                                 kind=ReferralEvent.Kind.ROUTED, note=service.name)
    notifications.item_routed(referral)
    return referral


def drafts_delete_expired(*, now: datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - timedelta(days=DRAFT_RETENTION_DAYS)
    deleted, _ = Prescription.objects.filter(status=Prescription.Status.DRAFT, updated_at__lt=cutoff).delete()
    return deleted


# --- Working a referral --------------------------------------------------------------------------------

# What a refused action says (the lifecycle itself is Referral.TRANSITIONS). Anything refused changes nothing.
Action = Referral.Action
REFUSALS = {
    Action.ACCEPT: "This referral cannot be accepted: it is already {status}",
    Action.DECLINE: "This referral cannot be declined: it is already {status}",
    Action.RECORD_CONTACT_ATTEMPT: "You can record a contact attempt only on a referral you have accepted and not "
                                   "yet reached",
    Action.MARK_IN_CONTACT: "You can record contact only on a referral you have accepted; this one is {status}",
    Action.CLOSE: "Only an accepted referral can be closed; this one is {status}",
    Action.CANCEL: "This referral cannot be cancelled: it is already {status}",
}


class ActorNotAllowed(PermissionDenied):
    """The person is not one who may take this action on this referral (whatever its status)."""


def _check_actor(actor, action: str, referral: Referral) -> None:
    if not permissions.has_role_for(actor, action, referral):
        raise ActorNotAllowed(f"User {actor.pk} may not take the action '{Action(action).label}' on referral "
                              f"{referral.pk}")


def _transition(*, referral: Referral, action: str, actor, event_kind: str, note: str = "",
                **changes) -> Referral:
    _check_actor(actor, action, referral)
    allowed_from, to_status = Referral.TRANSITIONS[action]
    now = timezone.now()
    if to_status in Referral.FINISHED:
        changes.setdefault("closed_at", now)
    with transaction.atomic():
        # The conditional update is the guard: of two coordinators acting at once, one wins.
        updated = Referral.objects.filter(pk=referral.pk, status__in=allowed_from).update(
            status=to_status, status_changed_at=now, **changes
        )
        if not updated:
            referral.refresh_from_db(fields=["status"])
            raise TransitionNotAllowed(REFUSALS[action].format(status=referral.get_status_display().lower()))
        referral.refresh_from_db()
        event = ReferralEvent.objects.create(prescription_id=referral.prescription_id, referral=referral, actor=actor,
                                             kind=event_kind, note=note)
        notifications.referral_status_changed(referral, event_id=event.pk)
    return referral


def referral_accept(*, referral: Referral, actor) -> Referral:
    return _transition(referral=referral, action=Action.ACCEPT, actor=actor, event_kind=ReferralEvent.Kind.ACCEPTED,
                       acknowledged_at=timezone.now())


def referral_decline(*, referral: Referral, actor, reason: str, note: str = "",
                 suggested_service: Service | None = None) -> Referral:
    if reason not in Referral.DeclineReason.values:
        raise ReferralError("Choose a reason for declining")
    if reason == Referral.DeclineReason.OTHER and not note.strip():
        raise ReferralError("Say why you are declining")
    label = Referral.DeclineReason(reason).label
    return _transition(referral=referral, action=Action.DECLINE, actor=actor, event_kind=ReferralEvent.Kind.DECLINED,
                       note=f"{label}. {note}".strip(), decline_reason=reason, suggested_service=suggested_service,
                       acknowledged_at=referral.acknowledged_at or timezone.now())


def referral_record_contact_attempt(*, referral: Referral, actor, note: str = "") -> Referral:
    _check_actor(actor, Action.RECORD_CONTACT_ATTEMPT, referral)
    allowed_from, _ = Referral.TRANSITIONS[Action.RECORD_CONTACT_ATTEMPT]
    with transaction.atomic():
        # Counted in the database: two people recording an attempt at once make two.
        updated = Referral.objects.filter(pk=referral.pk, status__in=allowed_from).update(
            contact_attempts=F("contact_attempts") + 1
        )
        if not updated:
            referral.refresh_from_db(fields=["status"])
            raise TransitionNotAllowed(REFUSALS[Action.RECORD_CONTACT_ATTEMPT])
        ReferralEvent.objects.create(prescription_id=referral.prescription_id, referral=referral, actor=actor,
                                     kind=ReferralEvent.Kind.CONTACT_ATTEMPT, note=note)
    referral.refresh_from_db()
    return referral


def referral_mark_in_contact(*, referral: Referral, actor, note: str = "") -> Referral:
    return _transition(referral=referral, action=Action.MARK_IN_CONTACT, actor=actor,
                       event_kind=ReferralEvent.Kind.IN_CONTACT, note=note)


def referral_close(*, referral: Referral, actor, outcome: str, note: str = "") -> Referral:
    if outcome not in Referral.Outcome.values:
        raise ReferralError("Choose the outcome")
    label = Referral.Outcome(outcome).label
    return _transition(referral=referral, action=Action.CLOSE, actor=actor, event_kind=ReferralEvent.Kind.CLOSED,
                       note=f"{label}. {note}".strip(), outcome=outcome)


def referral_withdraw(*, referral: Referral, actor, reason: str) -> Referral:
    """The referrer cancels a referral that has not been closed."""
    if not reason.strip():
        raise ReferralError("Say why you are cancelling this referral")
    return _transition(referral=referral, action=Action.CANCEL, actor=actor, event_kind=ReferralEvent.Kind.WITHDRAWN,
                       note=reason.strip())


def referral_reroute(*, referral: Referral, actor, service_id) -> Referral:
    """Send a declined referral on to another matching service: a new referral linked to the first."""
    _check_actor(actor, Action.REROUTE, referral)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status not in Referral.TRANSITIONS[Action.REROUTE][0]:
            raise TransitionNotAllowed("Only a declined referral can be sent to another service")
        if referral.was_rerouted:
            raise TransitionNotAllowed("This referral has already been sent to another service")
        options = {match.service.id: match for match in selectors.reroute_options(referral=referral)}
        if service_id not in options:
            raise ReferralError("That service cannot take this referral. Choose one of the matching services.")
        new_referral = _route_referral(prescription=referral.prescription, service=Service.objects.get(pk=service_id),
                                       actor=actor, reasons=options[service_id].reasons, rerouted_from=referral)
        ReferralEvent.objects.create(prescription_id=referral.prescription_id, referral=referral, actor=actor,
                                     kind=ReferralEvent.Kind.REROUTED, note=new_referral.service.name)
        return new_referral


def carer_records_reviewed(*, carers: list[Carer], user) -> None:
    """Audit the reads of the carers' records shown side by side on the possible-duplicates review."""
    CarerRecordAccess.objects.bulk_create([
        CarerRecordAccess(carer=carer, user=user, action=CarerRecordAccess.Action.VIEW,
                          what="possible duplicate review")
        for carer in carers
    ])


def carer_record_viewed(*, prescription: Prescription, user, what: str) -> None:
    """Audit a read of a carer's record."""
    if prescription.carer_id:
        CarerRecordAccess.objects.create(carer_id=prescription.carer_id, prescription=prescription, user=user,
                                         action=CarerRecordAccess.Action.VIEW, what=what)


# --- Possible duplicate carers -----------------------------------------------------------------------


def duplicate_confirm(*, flag: PossibleDuplicate, actor) -> Carer:
    """The lead organisation confirms two records are one person: the newer is marked as merged into the
    older (never deleted: its audit trail stays with it) and its prescriptions move, each with a line on
    its timeline. Refused if both have an open referral to the same service."""
    with transaction.atomic():
        flag = PossibleDuplicate.objects.select_for_update().select_related("carer", "existing").get(pk=flag.pk)
        if flag.status != PossibleDuplicate.Status.OPEN:
            raise ReferralError("This possible duplicate has already been decided")
        # Either record may since have been merged into a third: decide about the records they live on as.
        newer, older = sorted([_live(flag.carer), _live(flag.existing)],
                              key=lambda carer: (carer.created_at, str(carer.pk)), reverse=True)
        now = timezone.now()
        if newer.pk == older.pk:
            PossibleDuplicate.objects.filter(pk=flag.pk).update(status=PossibleDuplicate.Status.CONFIRMED,
                                                                decided_by=actor, decided_at=now)
            return older
        if newer.user_id and older.user_id:
            raise ReferralError("Both records have a sign-in account, so they cannot be merged here.")
        both = set(Referral.objects.filter(carer=newer, status__in=OPEN_STATUSES).values_list("service_id",
                                                                                                 flat=True))
        clash = Referral.objects.filter(carer=older, status__in=OPEN_STATUSES, service_id__in=both)
        if clash.exists():
            names = ", ".join(sorted(set(clash.values_list("service__name", flat=True))))
            raise ReferralError(f"Both records have an open referral to {names}. Close or withdraw one of them "
                                "before merging.")
        moved = list(Prescription.objects.filter(carer=newer).values_list("pk", flat=True))
        Prescription.objects.filter(pk__in=moved).update(carer=older, carer_link=Prescription.CarerLink.MERGED)
        Referral.objects.filter(carer=newer).update(carer=older)
        Carer.objects.filter(pk=newer.pk).update(merged_into=older, merged_at=now,
                                                 user=None if newer.user_id else newer.user_id)
        if newer.user_id:
            Carer.objects.filter(pk=older.pk).update(user=newer.user_id)
        ReferralEvent.objects.bulk_create([
            ReferralEvent(prescription_id=pk, actor=actor, kind=ReferralEvent.Kind.MERGED,
                          note="Filed with the carer's other referrals after a duplicate record was confirmed")
            for pk in moved
        ])
        PossibleDuplicate.objects.filter(pk=flag.pk).update(status=PossibleDuplicate.Status.CONFIRMED,
                                                            decided_by=actor, decided_at=now)
        return older


def _live(carer: Carer) -> Carer:
    """The record a carer lives on as, following merges (a chain of a few at most)."""
    seen = set()
    while carer.merged_into_id and carer.pk not in seen:
        seen.add(carer.pk)
        carer = Carer.objects.select_for_update().get(pk=carer.merged_into_id)
    return carer


def duplicate_reject(*, flag: PossibleDuplicate, actor) -> None:
    """Two different people: both records stay as they are, and the flag ends."""
    updated = PossibleDuplicate.objects.filter(pk=flag.pk, status=PossibleDuplicate.Status.OPEN).update(
        status=PossibleDuplicate.Status.REJECTED, decided_by=actor, decided_at=timezone.now()
    )
    if not updated:
        raise ReferralError("This possible duplicate has already been decided")
