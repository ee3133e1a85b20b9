"""Demo carers and prescriptions in every state of the lifecycle, so each demo account sees a living hub.

Made through the same service functions as real use (send, accept, decline, close, cancel), then moved
back in time so that ages and response targets look as they would after a few weeks of use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q

from organisations.models import Organisation, Service, StaffRole, TaxonomyTerm
from partnership.models import Partnership, User
from partnership.notifications.models import Notification
from referrals import services
from referrals.drafts import Draft
from referrals.models import Carer, Prescription, Referral, ReferralEvent

from .directory import CARER, COORDINATOR, GP
from .directory_data import LEAD_CHARITY

GP_EMAIL = GP.email
COORDINATOR_EMAIL = COORDINATOR.email
CARER_EMAIL = CARER.email


@dataclass(frozen=True)
class Scenario:
    first_name: str
    last_name: str
    born: str
    postcode: str
    need: str
    service: str
    steps: tuple[str, ...]
    days_ago: int
    urgency: str = "routine"
    email: str = ""


SCENARIOS = [
    Scenario("Margaret", "Ellis", "1958-06-02", "GU1 3JX", "breaks", "Carers' Sitting Service", ("accept",), 6,
             "soon", CARER_EMAIL),
    Scenario("Ravi", "Chandra", "1966-01-19", "GU2 7XH", "breaks", "Carers' Sitting Service", (), 0, "urgent"),
    Scenario("Joan", "Whitfield", "1949-11-30", "KT22 7AB", "emotional-support", "Carers' Counselling Service", (),
             8),
    Scenario("Peter", "Nowak", "1972-04-08", "RH1 1AA", "money", "Carers' Benefits Advice", ("accept",), 4),
    Scenario("Aisha", "Rahman", "1980-09-12", "GU21 6AA", "emotional-support", "Carers Support Line",
             ("accept", "in-contact"), 10, "soon"),
    Scenario("Brian", "Kettle", "1955-02-25", "GU7 1AA", "emergency-planning", "Carer's Emergency Card",
             ("accept", "in-contact", "close:supported"), 21),
    Scenario("Sandra", "Lowe", "1963-07-07", "KT13 8AA", "peer-support", "Carers' Peer Support Groups",
             ("accept", "attempt", "attempt", "close:could_not_contact"), 25),
    Scenario("Tom", "Reyes", "1970-12-01", "GU15 3AA", "health-wellbeing", "Carers' Wellbeing Programme",
             ("decline:no_capacity",), 5),
    Scenario("Grace", "Adeyemi", "1968-03-14", "TW18 4AA", "work", "Working Carers Network", ("cancel",), 12),
    # Margaret again, as "Maggie": one name different, so a record of her own and a possible duplicate for
    # the carers' charity to review — never filed under Margaret's record by a guess.
    Scenario("Maggie", "Ellis", "1958-06-02", "GU1 3JX", "emotional-support", "Carers' Counselling Service", (),
             1),
]


def seed_prescriptions(*, partnership: Partnership) -> int:
    """Create the demo prescriptions once; returns how many were made (0 if they exist already)."""
    gp = User.objects.get(email=GP_EMAIL)
    coordinator = User.objects.get(email=COORDINATOR_EMAIL)
    if Prescription.objects.filter(partnership=partnership, referrer=gp).exists():
        return 0
    gp_org = Organisation.objects.get(memberships__partnership=partnership, memberships__staff_roles__user=gp,
                                      memberships__staff_roles__role=StaffRole.Role.REFERRER)
    charity = Organisation.objects.get(name=LEAD_CHARITY)
    needs = {term.code: term for term in TaxonomyTerm.objects.needs_of(partnership)}
    made = 0
    with transaction.atomic():
        for index, scenario in enumerate(SCENARIOS):
            _play(scenario, index=index, partnership=partnership, gp=gp, gp_org=gp_org, coordinator=coordinator,
                  service=Service.objects.get(organisation=charity, name=scenario.service), need=needs[scenario.need])
            made += 1
        carer = Carer.objects.filter(partnership=partnership, email=CARER_EMAIL).first()
        if carer is not None:
            carer.user = User.objects.get(email=CARER_EMAIL)
            carer.save(update_fields=["user"])
        _a_message_that_failed(partnership)
    return made


def _a_message_that_failed(partnership: Partnership) -> None:
    """So the manager's failed-messages page shows what one looks like: a text Notify refused."""
    text = Notification.objects.filter(partnership=partnership, channel=Notification.Channel.SMS).order_by(
        "created_at").first()
    if text is not None:
        Notification.objects.filter(pk=text.pk).update(
            status=Notification.Status.FAILED, sent_at=None, attempts=1,
            last_error="GOV.UK Notify 400 ValidationError: phone_number Not a UK mobile number",
        )


def _play(scenario: Scenario, *, index: int, partnership, gp, gp_org, coordinator, service, need) -> None:
    draft = Prescription.objects.create(
        partnership=partnership, referrer=gp, referring_organisation=gp_org,
        draft_data=Draft(answers={
            "first_name": scenario.first_name, "last_name": scenario.last_name,
            "date_of_birth": scenario.born, "postcode": scenario.postcode,
            "phone": f"07700 900{100 + index:03d}" if not scenario.email else "",
            "email": scenario.email, "preferred_contact": "email" if scenario.email else "text",
            "language": "English", "relationship": "partner", "condition_group": "", "lives_together": True,
            "needs": [str(need.pk)], "urgency": scenario.urgency, "consent_given": True,
            "consent_method": "verbal", "note": "Demo prescription: an invented carer.",
        }).to_json(),
    )
    prescription = services.prescription_send(draft=draft, actor=gp, service_ids=[service.pk])
    referral = prescription.referrals.get()
    for step in scenario.steps:
        action, _, detail = step.partition(":")
        referral.refresh_from_db()
        if action == "accept":
            services.referral_accept(referral=referral, actor=coordinator)
        elif action == "attempt":
            services.referral_record_contact_attempt(referral=referral, actor=coordinator,
                                                     note="No answer; left a message")
        elif action == "in-contact":
            services.referral_mark_in_contact(referral=referral, actor=coordinator)
        elif action == "close":
            services.referral_close(referral=referral, actor=coordinator, outcome=detail)
        elif action == "decline":
            services.referral_decline(referral=referral, actor=coordinator, reason=detail)
        elif action == "cancel":
            services.referral_withdraw(referral=referral, actor=gp, reason="The carer has found support through work")
    if scenario.days_ago:
        shift = timedelta(days=scenario.days_ago)
        Prescription.objects.filter(pk=prescription.pk).update(created_at=F("created_at") - shift,
                                                       sent_at=F("sent_at") - shift)
        Referral.objects.filter(prescription=prescription).update(created_at=F("created_at") - shift,
                                                              status_changed_at=F("status_changed_at") - shift)
        ReferralEvent.objects.filter(prescription=prescription).update(created_at=F("created_at") - shift)
        Notification.objects.filter(
            Q(context__prescription=str(prescription.pk)) | Q(context__referral__in=[str(referral.pk)])
        ).update(created_at=F("created_at") - shift, sent_at=F("sent_at") - shift)
