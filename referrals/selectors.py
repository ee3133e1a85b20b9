"""Reads for the referral hub's pages: each ordered and cut to a page in the database, so a view stays short
and a long list costs the same few queries as a short one. Who may see what is the querysets' rule
(visible_to, for_inbox); these only shape what a page shows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from organisations.models import Service, StaffRole
from partnership.models import Partnership
from partnership.places import outcode_of

from .models import OPEN_STATUSES, YOUNG_CARER_AGE, Prescription, Referral, overdue
from .routing import circumstances_for, load_directory, needs_for, route

# The inbox's default filter: every referral still open, whatever its status.
OPEN = "open"
FOLLOW_LIMIT = 200


@dataclass(frozen=True)
class Inbox:
    referrals: QuerySet  # most urgent first, for the page to paginate
    statuses: list[tuple[str, str, int]]  # each filter with its count
    status: str  # the filter applied (OPEN, or a status)
    services: QuerySet  # the coordinator's services that have referrals, for the filter
    service_id: str  # the service filtered on, or ""


def inbox_referrals(*, user, partnership: Partnership, status: str, service_id: str, today: date) -> Inbox:
    """A coordinator's inbox: the referrals to their organisations' services, filtered by status (or all
    open ones) and service, awaiting a reply first, then overdue, urgent, oldest."""
    referrals = Referral.objects.for_inbox(user).filter(prescription__partnership=partnership)
    counts = dict(referrals.values_list("status").annotate(n=Count("pk")).order_by())
    if status not in Referral.Status.values:
        status = OPEN
    shown = referrals.open() if status == OPEN else referrals.filter(status=status)
    try:
        shown = shown.filter(service_id=uuid.UUID(service_id)) if service_id else shown
    except ValueError:
        service_id = ""
    statuses = [(OPEN, "Open", sum(counts.get(s, 0) for s in OPEN_STATUSES))] + [
        (value, label, counts.get(value, 0)) for value, label in Referral.Status.choices
    ]
    return Inbox(
        referrals=(shown.most_urgent_first(today=today, target_days=partnership.response_target_days)
                   .select_related("prescription", "service")),
        statuses=statuses, status=status, service_id=service_id,
        services=Service.objects.filter(pk__in=referrals.values("service_id")).order_by("name"),
    )


def prescriptions_to_follow(*, user, partnership: Partnership, attention_only: bool, today: date) -> list:
    """A frontline worker's sent prescriptions (and their team's, where it shares them), newest first,
    each with its referrals marked overdue; or only those needing attention (a referral declined and not
    sent on, or overdue)."""
    target = partnership.response_target_days
    team_orgs = StaffRole.objects.held_by(user).filter(
        membership__organisation__team_visibility=True,
    ).values("membership__organisation")
    prescriptions = (
        Prescription.objects.visible_to(user)
        .filter(status=Prescription.Status.SENT, partnership=partnership)
        .filter(Q(referrer=user) | Q(referring_organisation__in=team_orgs))
        .select_related("referrer")
        .prefetch_related(Prefetch("referrals", queryset=Referral.objects.select_related("service")
                                   .order_by("created_at")))
        .order_by("-sent_at")
    )
    if attention_only:
        needs_attention = Referral.objects.filter(prescription=OuterRef("pk")).filter(
            Q(status=Referral.Status.DECLINED, rerouted_to__isnull=True) | overdue(today=today, target_days=target)
        )
        prescriptions = prescriptions.filter(Exists(needs_attention))
    prescriptions = list(prescriptions[:FOLLOW_LIMIT])
    for prescription in prescriptions:
        for referral in prescription.referrals.all():
            referral.overdue = referral.is_overdue(target, today)
    return prescriptions


def reroute_options(*, referral: Referral) -> list:
    """The next matching services for the needs the declined service was to meet, best first."""
    prescription = referral.prescription
    carer = prescription.carer
    needs = needs_for(prescription.needs.order_by("position", "name"))
    # The carer as this prescription describes them, not as another prescription may have.
    age = prescription.carer_age()
    circumstances = circumstances_for(
        partnership=prescription.partnership, age=age, young_carer=age < YOUNG_CARER_AGE,
        condition_group=prescription.condition_group_id, district=outcode_of(prescription.carer_postcode),
    )
    tried = set(prescription.referrals.values_list("service_id", flat=True))
    open_ids = frozenset(
        Referral.objects.filter(carer=carer, status__in=OPEN_STATUSES).values_list("service_id", flat=True)
    )
    routing = route(circumstances=circumstances, needs=needs,
                    directory=load_directory(partnership=prescription.partnership, needs=needs,
                                             circumstances=circumstances),
                    open_service_ids=open_ids)
    declined_terms = set(referral.service.needs.values_list("pk", flat=True))
    return [
        match for match in routing.matches
        if match.service.id not in tried and any(need.term_ids & declined_terms for need in match.needs_met)
    ]


SUGGESTIONS = 8


def suggestable(*, referral: Referral):
    """Services a coordinator may suggest instead of their own: listed, not paused, not this one."""
    return (Service.objects.listed(referral.prescription.partnership).exclude(pk=referral.service_id)
            .exclude(referral_capacity=Service.Capacity.PAUSED))


def suggestion_options(*, referral: Referral, search: str = "") -> list[tuple[str, str]]:
    """A short list for "suggest another service": the best matches for this carer's needs, or, when the
    coordinator searches, the services whose name or organisation matches what they typed."""
    if search:
        found = (suggestable(referral=referral)
                 .filter(Q(name__icontains=search) | Q(organisation__name__icontains=search))
                 .select_related("organisation").order_by("name")[:SUGGESTIONS])
        return [(str(service.pk), f"{service.name} — {service.organisation.name}") for service in found]
    return [(str(match.service.id), f"{match.service.name} — {match.service.organisation_name}")
            for match in reroute_options(referral=referral)[:SUGGESTIONS]]


