"""A coordinator or referrer who prefers it gets one email a day instead of one per event."""

from __future__ import annotations

import pytest
from django.core import mail

from partnership.notifications.digest import daily_digests_send
from partnership.notifications.models import Notification
from partnership.notifications.tasks import send_daily_digests
from referrals.services import referral_accept, referral_decline

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_prefers_a_digest(personas):
    personas.coordinator.email_frequency = "daily"
    personas.coordinator.save()
    return personas.coordinator


def test_events_are_held_for_the_digest_while_in_app_notifications_still_arrive(
        coordinator_prefers_a_digest, client, personas, directory, write_prescription, send,
        django_capture_on_commit_callbacks):
    client.force_login(personas.referrer)
    with django_capture_on_commit_callbacks(execute=True):
        send(write_prescription(), services=[directory.breaks])
        send(write_prescription(first_name="Ade", last_name="Bello", phone="07700 900999"),
             services=[directory.breaks])
    assert not [m for m in mail.outbox if m.to == [personas.coordinator.email]]
    rows = Notification.objects.filter(recipient_user=personas.coordinator)
    assert sorted(rows.values_list("channel", "status")) == [
        ("email", "held"), ("email", "held"), ("in_app", "sent"), ("in_app", "sent")]


def test_the_digest_is_one_email_listing_each_held_event_and_is_sent_once(
        coordinator_prefers_a_digest, client, personas, directory, write_prescription, send,
        django_capture_on_commit_callbacks):
    client.force_login(personas.referrer)
    with django_capture_on_commit_callbacks(execute=True):
        first = send(write_prescription(), services=[directory.breaks])
        second = send(write_prescription(first_name="Ade", last_name="Bello", phone="07700 900999"),
                      services=[directory.breaks])
    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests.delay().get() == 1
    [digest] = [m for m in mail.outbox if m.to == [personas.coordinator.email]]
    assert digest.subject == "Partnership Hub: 2 updates today"
    assert f"New referral for Carers Breaks Guildford — reference {first.reference}" in digest.body
    assert f"New referral for Carers Breaks Guildford — reference {second.reference}" in digest.body
    assert "Margaret" not in digest.body and "Bello" not in digest.body
    assert "/notifications/" in digest.body
    assert f"reference {second.reference}" in digest.alternatives[0][0]
    held = Notification.objects.filter(recipient_user=personas.coordinator, template="item_routed",
                                       channel="email")
    assert set(held.values_list("status", flat=True)) == {"sent"}
    assert len({row.digest_id for row in held}) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_digests_send() == 0
    assert len([m for m in mail.outbox if m.to == [personas.coordinator.email]]) == 1


def test_a_referrer_who_prefers_a_digest_hears_of_decisions_in_it(
        personas, sent_prescription, django_capture_on_commit_callbacks):
    personas.referrer.email_frequency = "daily"
    personas.referrer.save()
    breaks = sent_prescription.referrals.get(service__name="Carers Breaks Guildford")
    listening = sent_prescription.referrals.exclude(pk=breaks.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        referral_accept(referral=breaks, actor=personas.coordinator)
        referral_decline(referral=listening, actor=personas.outsider, reason="not_eligible", note="")
    assert not [m for m in mail.outbox if m.to == [personas.referrer.email]]
    with django_capture_on_commit_callbacks(execute=True):
        daily_digests_send()
    [digest] = [m for m in mail.outbox if m.to == [personas.referrer.email]]
    assert f"Your referral {sent_prescription.reference} to Carers Breaks Guildford was accepted" in digest.body
    assert f"Your referral {sent_prescription.reference} to Carers Listening Line was declined" in digest.body


def test_people_who_want_each_email_get_them_at_once(personas, sent_prescription):
    assert not Notification.objects.filter(status="held").exists()
    assert daily_digests_send() == 0
