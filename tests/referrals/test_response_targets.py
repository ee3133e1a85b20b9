"""Response targets: a service that has not acknowledged a referral within the partnership's target is
reminded, and the partnership manager is told at twice the target — each once, in working days."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.core import mail
from django.utils import timezone

from partnership.notifications.models import Notification
from partnership.working_days import add_working_days
from referrals.models import Referral
from referrals.notifications import response_targets_chase
from referrals.services import referral_accept

pytestmark = pytest.mark.django_db

SENT_ON = date(2026, 11, 23)  # a Monday; the partnership's target is 3 working days (Thursday 26th)


@pytest.fixture
def waiting_referral(sent_prescription, directory) -> Referral:
    """The breaks service's item, sent on Monday 23 November and not yet accepted or declined. The
    service also has a shared referral inbox address."""
    directory.breaks.referral_email = "referrals@breaks.example.org"
    directory.breaks.save()
    Referral.objects.filter(prescription=sent_prescription).update(
        created_at=timezone.make_aware(datetime.combine(SENT_ON, time(10, 0)))
    )
    return sent_prescription.referrals.get(service__name="Carers Breaks Guildford")


def reminders(referral) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(event_key=f"item-reminder:{referral.pk}")
                  .values_list("recipient_key", "channel"))


def test_no_reminder_until_the_target_has_passed(waiting_referral, personas):
    respond_by = add_working_days(SENT_ON, 3)
    assert respond_by == date(2026, 11, 26)
    response_targets_chase(today=respond_by)
    assert reminders(waiting_referral) == []


def test_the_service_is_reminded_the_working_day_after_the_target_once(waiting_referral, personas, directory):
    counts = response_targets_chase(today=date(2026, 11, 27))
    assert reminders(waiting_referral) == sorted([
        (f"user:{personas.coordinator.pk}", "email"),
        (f"user:{personas.coordinator.pk}", "in_app"),
        (f"service:{directory.breaks.pk}", "email"),
    ])
    assert counts["reminders"] >= 3 and counts["escalations"] == 0
    before = Notification.objects.count()
    assert response_targets_chase(today=date(2026, 11, 30)) == {"reminders": 0, "escalations": 0}
    assert Notification.objects.count() == before, "a reminder is sent once, however often the task runs"


def test_the_partnership_manager_is_told_at_twice_the_target(waiting_referral, personas):
    twice = add_working_days(SENT_ON, 6)  # Tuesday 1 December
    response_targets_chase(today=twice)
    assert not Notification.objects.filter(event_key=f"item-escalation:{waiting_referral.pk}").exists()
    counts = response_targets_chase(today=date(2026, 12, 2))
    escalations = Notification.objects.filter(event_key=f"item-escalation:{waiting_referral.pk}")
    assert [(row.recipient_user, row.channel) for row in escalations] == [(personas.manager, "email")]
    assert counts["escalations"] == 2  # both of Margaret's items are waiting; one manager
    response_targets_chase(today=date(2026, 12, 3))
    assert escalations.count() == 1


def test_acknowledged_referrals_are_not_chased(waiting_referral, personas):
    referral_accept(referral=waiting_referral, actor=personas.coordinator)
    response_targets_chase(today=date(2026, 12, 10))
    assert reminders(waiting_referral) == []
    assert not Notification.objects.filter(event_key=f"item-escalation:{waiting_referral.pk}").exists()


@pytest.mark.parametrize("day", [date(2026, 11, 28), date(2026, 12, 25)], ids=["saturday", "christmas-day"])
def test_nobody_is_chased_on_a_weekend_or_bank_holiday(waiting_referral, day):
    assert response_targets_chase(today=day) == {"reminders": 0, "escalations": 0}
    assert reminders(waiting_referral) == []


def test_a_bank_holiday_does_not_count_towards_the_target(sent_prescription):
    # Sent on Wednesday 23 December 2026: Christmas Day and Boxing Day (substitute Monday 28th) do not count.
    Referral.objects.filter(prescription=sent_prescription).update(
        created_at=timezone.make_aware(datetime.combine(date(2026, 12, 23), time(9, 0))))
    referral = sent_prescription.referrals.get(service__name="Carers Breaks Guildford")
    response_targets_chase(today=date(2026, 12, 30))  # only 24th, 29th, 30th have passed: the target day
    assert reminders(referral) == []
    response_targets_chase(today=date(2026, 12, 31))
    assert reminders(referral) != []


def test_the_reminder_email_names_the_service_and_target_but_not_the_carer(
        waiting_referral, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response_targets_chase(today=date(2026, 11, 27))
    [message] = [m for m in mail.outbox if m.to == [personas.coordinator.email] and "Reminder" in m.subject]
    assert "Carers Breaks Guildford" in message.subject
    assert "3 working days" in message.body and f"/referrals/{waiting_referral.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "3 working days" in html and "Margaret" not in html and "Okafor" not in html
    assert "Margaret" not in message.body and "Okafor" not in message.body
