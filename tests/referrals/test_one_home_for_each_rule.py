"""Each rule has one home: who may do what (referrals/permissions.py), the lifecycle (Referral.TRANSITIONS),
and "overdue" (referrals.models.overdue). The services refuse whoever may not act, whatever page they
came from; and no page restates a rule by comparing a status or checking a role itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from organisations.models import StaffRole
from referrals import permissions, services
from referrals.models import Referral
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
Action = Referral.Action


def _referral(sent_prescription, personas) -> Referral:
    return sent_prescription.referrals.get(service__organisation=personas.charity)


WORKING = [
    ("accept", lambda r, actor: services.referral_accept(referral=r, actor=actor)),
    ("decline", lambda r, actor: services.referral_decline(referral=r, actor=actor, reason="no_capacity")),
    ("close", lambda r, actor: services.referral_close(referral=r, actor=actor, outcome="supported")),
    ("mark in contact", lambda r, actor: services.referral_mark_in_contact(referral=r, actor=actor)),
    ("record a contact attempt", lambda r, actor: services.referral_record_contact_attempt(referral=r, actor=actor)),
]


@pytest.mark.parametrize("who", ["referrer", "outsider", "org_admin", "manager", "another carer"])
@pytest.mark.parametrize(("what", "act"), WORKING, ids=[name for name, _ in WORKING])
def test_only_the_receiving_services_coordinators_may_work_a_referral(personas, carers, sent_prescription, who,
                                                                      what, act):
    referral = _referral(sent_prescription, personas)
    if what in ("close", "mark in contact", "record a contact attempt"):
        services.referral_accept(referral=referral, actor=personas.coordinator)
    before = Referral.objects.values("status", "contact_attempts").get(pk=referral.pk)
    events = referral.events.count()
    actor = carers.other if who == "another carer" else getattr(personas, who)
    with pytest.raises(services.ActorNotAllowed):
        act(referral, actor)
    assert Referral.objects.values("status", "contact_attempts").get(pk=referral.pk) == before
    assert referral.events.count() == events


@pytest.mark.parametrize("who", ["coordinator", "outsider", "manager", "another carer"])
def test_only_the_referrer_may_cancel(personas, carers, sent_prescription, who):
    referral = _referral(sent_prescription, personas)
    actor = carers.other if who == "another carer" else getattr(personas, who)
    with pytest.raises(services.ActorNotAllowed):
        services.referral_withdraw(referral=referral, actor=actor, reason="Found other support")
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.SENT
    services.referral_withdraw(referral=referral, actor=personas.referrer, reason="Found other support")
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.WITHDRAWN


@pytest.mark.parametrize("who", ["coordinator", "outsider", "another carer"])
def test_only_the_referrer_or_a_manager_may_send_a_declined_referral_on(personas, carers, sent_prescription, who):
    referral = _referral(sent_prescription, personas)
    services.referral_decline(referral=referral, actor=personas.coordinator, reason="no_capacity")
    actor = carers.other if who == "another carer" else getattr(personas, who)
    with pytest.raises(services.ActorNotAllowed):
        services.referral_reroute(referral=referral, actor=actor, service_id=referral.service_id)
    assert permissions.has_role_for(personas.referrer, Action.REROUTE, referral)
    assert permissions.has_role_for(personas.manager, Action.REROUTE, referral)


def test_a_coordinator_who_has_left_may_no_longer_act(personas, sent_prescription):
    referral = _referral(sent_prescription, personas)
    personas.charity.memberships.update(status="left")
    with pytest.raises(services.ActorNotAllowed):
        services.referral_accept(referral=referral, actor=personas.coordinator)


@pytest.mark.parametrize(("status", "offered"), [
    ("sent", {"accept", "decline"}),
    ("accepted", {"decline", "record_contact_attempt", "mark_in_contact", "close"}),
    ("in_contact", {"close"}),
    ("closed", set()), ("declined", set()), ("withdrawn", set()),
])
def test_the_receiving_coordinator_is_offered_what_the_lifecycle_allows(personas, sent_prescription, status,
                                                                          offered):
    referral = _referral(sent_prescription, personas)
    Referral.objects.filter(pk=referral.pk).update(status=status)
    referral.refresh_from_db()
    actions = permissions.actions_on(personas.coordinator, referral)
    assert {name for name, allowed in vars(actions).items() if allowed} == offered


def test_the_referrer_is_offered_cancel_while_open_and_sending_on_once_declined(personas, sent_prescription):
    referral = _referral(sent_prescription, personas)
    assert vars(permissions.actions_on(personas.referrer, referral)) == {
        **{name: False for name in vars(permissions.Actions())}, "cancel": True}
    services.referral_decline(referral=referral, actor=personas.coordinator, reason="no_capacity")
    referral.refresh_from_db()
    offered = permissions.actions_on(personas.referrer, referral)
    assert offered.reroute and not offered.cancel
    assert permissions.can_reroute(personas.referrer, referral) and permissions.can_reroute(personas.manager, referral)
    assert not permissions.can_cancel(personas.referrer, referral)  # declined: nothing left to cancel
    assert not permissions.can_reroute(personas.coordinator, referral)


def test_the_receiving_coordinator_acts_on_a_referral_and_nobody_else_does(personas, carers, sent_prescription):
    referral = _referral(sent_prescription, personas)
    assert permissions.can_act_on(personas.coordinator, referral)
    for other in (personas.referrer, personas.outsider, personas.manager, carers.other):
        assert not permissions.can_act_on(other, referral)
    assert permissions.can_cancel(personas.referrer, referral)
    assert not permissions.can_cancel(personas.coordinator, referral)


def test_a_second_coordinator_of_the_service_may_work_it(personas, sent_prescription):
    colleague = factories.StaffRoleFactory(membership=personas.charity.memberships.get(),
                                           role=StaffRole.Role.COORDINATOR).user
    services.referral_accept(referral=_referral(sent_prescription, personas), actor=colleague)


# --- Guards: the rules are not restated elsewhere ------------------------------------------------------

STATUS_LITERAL = re.compile(
    r"""status\s*(==|!=)\s*["'][a-z_]+["']|["'][a-z_]+["']\s*(==|!=)\s*\S*status|\.status\s+(not\s+)?in\s*[\[(]""")
ROLE_CHECK = re.compile(r"managed_partnerships|staff_roles|StaffRole\.Role\.|\.role\s*==|is_superuser")


def _sources(*patterns: str) -> list[Path]:
    return sorted(path for pattern in patterns for path in ROOT.glob(pattern))


def test_no_view_or_template_compares_a_status_with_a_literal():
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in _sources("templates/**/*.html", "*/views.py", "*/*/views.py", "*/selectors.py")
             for number, line in enumerate(path.read_text().splitlines(), 1) if STATUS_LITERAL.search(line)]
    assert found == []


def test_no_role_is_checked_outside_permissions_and_the_models():
    allowed = {"referrals/permissions.py", "partnership/admin.py"}
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in _sources("referrals/**/*.py", "organisations/**/*.py", "partnership/**/*.py",
                                  "templates/**/*.html")
             if str(path.relative_to(ROOT)) not in allowed and path.name != "models.py"
             and "migrations" not in path.parts
             for number, line in enumerate(path.read_text().splitlines(), 1) if ROLE_CHECK.search(line)]
    assert found == []


def test_overdue_is_worked_out_in_one_place():
    """`overdue_before` (the working-day arithmetic) is called by the one rule and nowhere else in the apps."""
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in _sources("referrals/*.py", "organisations/*.py", "partnership/*.py", "templates/**/*.html")
             if path.name != "working_days.py"
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if re.search(r"overdue_before\(|created_at__date__lt", line)
             and not (path.name == "models.py" and "def overdue" in path.read_text())]
    assert found == []


def test_a_frontline_worker_whose_organisation_has_left_cannot_send_their_old_draft(client, personas, directory,
                                                                                   write_prescription):
    client.force_login(personas.referrer)
    draft = write_prescription()
    personas.gp_practice.memberships.update(status="left")
    with pytest.raises(services.ReferralError):
        services.prescription_send(draft=draft, actor=personas.referrer, service_ids=[directory.breaks.pk])
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_every_status_is_either_open_or_finished_and_none_is_both():
    from referrals.models import OPEN_STATUSES

    assert set(OPEN_STATUSES) | set(Referral.FINISHED) == set(Referral.Status.values)
    assert not set(OPEN_STATUSES) & set(Referral.FINISHED)
