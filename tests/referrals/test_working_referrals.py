"""Journeys 2 and 3: a coordinator works each referral to an outcome; the referrer follows it up."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from organisations.models import StaffRole
from partnership.notifications.models import Notification
from referrals.models import Referral, ReferralEvent
from referrals.services import TransitionNotAllowed, referral_accept, referral_close
from tests import factories

pytestmark = pytest.mark.django_db


def breaks_referral(prescription) -> Referral:
    return prescription.referrals.get(service__name="Carers Breaks Guildford")


def act(client, referral, action, data=None):
    return client.post(reverse("referrals:referral_action", args=[referral.pk, action]), data or {})


def test_coordinator_sees_the_new_referral_in_the_inbox_with_its_target(client, personas, sent_prescription):
    client.force_login(personas.coordinator)
    response = client.get(reverse("referrals:inbox"))
    assert response.status_code == 200
    referrals = response.context["referrals"]
    assert [i.service.name for i in referrals] == ["Carers Breaks Guildford"]  # not the other charity's line
    body = response.content.decode()
    assert "Margaret Okafor" in body and "Respond by" in body and sent_prescription.reference in body
    statuses = dict((value, count) for value, _, count in response.context["statuses"])
    assert statuses["open"] == 1 and statuses["sent"] == 1


def test_coordinator_accepts_records_contact_and_closes_and_the_gp_sees_the_outcome(
        client, personas, sent_prescription):
    referral = breaks_referral(sent_prescription)
    client.force_login(personas.coordinator)
    page = client.get(reverse("referrals:referral", args=[referral.pk])).content.decode()
    assert "Husband has advanced dementia" in page and "07700 900123" in page
    act(client, referral, "accept")
    act(client, referral, "contact-attempt", {"note": "Left a voicemail"})
    act(client, referral, "in-contact")
    act(client, referral, "close", {"outcome": "supported", "note": "Sitting service twice a week"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED and referral.outcome == "supported"
    assert referral.contact_attempts == 1 and referral.acknowledged_at and referral.closed_at
    kinds = list(sent_prescription.events.filter(referral=referral).values_list("kind", "actor"))
    assert kinds == [("routed", personas.referrer.pk), ("accepted", personas.coordinator.pk),
                     ("contact_attempt", personas.coordinator.pk), ("in_contact", personas.coordinator.pk),
                     ("closed", personas.coordinator.pk)]
    # The referrer is told of acceptance and closure, in the app and by email.
    told = Notification.objects.filter(recipient_user=personas.referrer).values_list("template", "channel")
    assert set(told) == {("item_accepted", "in_app"), ("item_accepted", "email"), ("item_closed", "in_app"),
                         ("item_closed", "email")}
    client.force_login(personas.referrer)
    detail = client.get(reverse("referrals:prescription", args=[sent_prescription.reference])).content.decode()
    assert "Closed: supported" in detail and "Sitting service twice a week" in detail


def test_illegal_transitions_are_refused_with_a_message_and_change_nothing(client, personas, sent_prescription):
    referral = breaks_referral(sent_prescription)
    client.force_login(personas.coordinator)
    response = act(client, referral, "close", {"outcome": "supported"})
    follow = client.get(response["Location"]).content.decode()
    assert "Only an accepted referral can be closed" in follow
    act(client, referral, "decline", {"reason": "no_capacity"})
    act(client, referral, "accept")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED
    events_before = ReferralEvent.objects.count()
    with pytest.raises(TransitionNotAllowed):
        referral_close(referral=referral, actor=personas.coordinator, outcome="supported")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED and ReferralEvent.objects.count() == events_before


def test_accepting_twice_is_refused(personas, sent_prescription):
    referral = breaks_referral(sent_prescription)
    referral_accept(referral=referral, actor=personas.coordinator)
    with pytest.raises(TransitionNotAllowed, match="already accepted"):
        referral_accept(referral=referral, actor=personas.coordinator)
    assert sent_prescription.events.filter(kind="accepted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_acting_at_once_only_one_wins(personas, sent_prescription):
    referral = breaks_referral(sent_prescription)
    results = []
    barrier = threading.Barrier(2)

    def accept():
        barrier.wait()
        try:
            referral_accept(referral=Referral.objects.get(pk=referral.pk), actor=personas.coordinator)
            results.append("accepted")
        except TransitionNotAllowed:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["accepted", "refused"]
    assert ReferralEvent.objects.filter(referral=referral, kind="accepted").count() == 1


def test_decline_needs_a_reason_and_the_gp_re_routes_to_the_next_matching_service(
        client, personas, sent_prescription, directory, partnership, needs):
    second = factories.ServiceFactory(organisation=personas.other_charity, name="Woking Sitting Service",
                                      needs=[needs["breaks-sitting"]], serves_whole_area=True)
    referral = breaks_referral(sent_prescription)
    client.force_login(personas.coordinator)
    response = act(client, referral, "decline", {"reason": "other", "note": ""})
    assert response.status_code == 400 and "Say why you are declining" in response.content.decode()
    act(client, referral, "decline", {"reason": "no_capacity", "suggested_service": str(second.pk)})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED and referral.suggested_service == second

    client.force_login(personas.referrer)
    attention = client.get(reverse("referrals:mine"), {"show": "attention"}).context["prescriptions"]
    assert [r.pk for r in attention] == [sent_prescription.pk]
    page = client.get(reverse("referrals:referral_reroute", args=[referral.pk]))
    assert [m.service.name for m in page.context["options"]] == ["Woking Sitting Service"]
    response = client.post(reverse("referrals:referral_reroute", args=[referral.pk]), {"service": str(second.pk)})
    assert response.status_code == 302
    new_referral = Referral.objects.get(rerouted_from=referral)
    assert new_referral.service == second and new_referral.status == Referral.Status.SENT
    assert sent_prescription.events.filter(kind="rerouted", referral=referral).exists()
    # Once re-routed it no longer needs attention, and cannot be re-routed twice.
    assert list(client.get(reverse("referrals:mine"), {"show": "attention"}).context["prescriptions"]) == []
    again = client.post(reverse("referrals:referral_reroute", args=[referral.pk]), {"service": str(second.pk)})
    assert again.status_code == 200 and Referral.objects.filter(service=second).count() == 1


def test_the_partnership_manager_can_re_route_a_declined_item(client, personas, sent_prescription, needs):
    other = factories.ServiceFactory(organisation=personas.other_charity, name="County Breaks",
                                     needs=[needs["breaks"]], serves_whole_area=True)
    referral = breaks_referral(sent_prescription)
    client.force_login(personas.coordinator)
    act(client, referral, "decline", {"reason": "out_of_area"})
    client.force_login(personas.manager)
    response = client.post(reverse("referrals:referral_reroute", args=[referral.pk]), {"service": str(other.pk)})
    assert response.status_code == 302
    assert Referral.objects.filter(rerouted_from=referral, service=other).exists()


def test_referrer_cancels_an_open_item_with_a_reason(client, personas, sent_prescription):
    referral = breaks_referral(sent_prescription)
    client.force_login(personas.referrer)
    client.post(reverse("referrals:referral_cancel", args=[referral.pk]), {"reason": ""})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    client.post(reverse("referrals:referral_cancel", args=[referral.pk]), {"reason": "Carer has moved away"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.WITHDRAWN
    assert sent_prescription.events.filter(kind="withdrawn", note="Carer has moved away").exists()


def test_my_referrals_lists_every_prescription_newest_first(client, personas, directory, write_prescription, send,
                                                            needs):
    client.force_login(personas.referrer)
    first = send(write_prescription(), services=[directory.breaks])
    second = send(write_prescription(first_name="Tom", last_name="Reyes", phone="07700 900999",
                                     date_of_birth_2="1970"), services=[directory.listening])
    response = client.get(reverse("referrals:mine"))
    assert [r.pk for r in response.context["prescriptions"]] == [second.pk, first.pk]
    assert "Carers Breaks Guildford" in response.content.decode()


def test_team_visibility_lets_colleagues_follow_each_others_referrals(client, personas, sent_prescription):
    colleague = factories.StaffRoleFactory(membership=personas.gp_practice.memberships.get(),
                                           role=StaffRole.Role.REFERRER).user
    client.force_login(colleague)
    url = reverse("referrals:prescription", args=[sent_prescription.reference])
    assert client.get(url).status_code == 404
    assert list(client.get(reverse("referrals:mine")).context["prescriptions"]) == []
    personas.gp_practice.team_visibility = True
    personas.gp_practice.save()
    assert client.get(url).status_code == 200
    assert [r.pk for r in client.get(reverse("referrals:mine")).context["prescriptions"]] == [sent_prescription.pk]
    # A colleague can follow but not cancel: that is the referrer's.
    referral = breaks_referral(sent_prescription)
    client.post(reverse("referrals:referral_cancel", args=[referral.pk]), {"reason": "No"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_inbox_and_my_referrals_cost_a_bounded_number_of_queries(client, personas, directory, partnership,
                                                                  django_assert_max_num_queries):
    from referrals.models import Carer, Prescription

    for index in range(30):
        carer = Carer.objects.create(partnership=partnership, first_name=f"Carer{index}", last_name="Test",
                                     date_of_birth="1960-01-01", postcode="GU1 1AA", district="GU1")
        prescription = Prescription.objects.create(partnership=partnership, status="sent", carer=carer,
                                           reference=f"AAAA-{index:04d}", referrer=personas.referrer,
                                           referring_organisation=personas.gp_practice, consent_given=True)
        Referral.objects.create(prescription=prescription, service=directory.breaks, carer=carer)
        Referral.objects.create(prescription=prescription, service=directory.listening, carer=carer)
    client.force_login(personas.coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("referrals:inbox"))
    assert len(response.context["referrals"]) == 30
    client.force_login(personas.referrer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("referrals:mine"))
    assert len(response.context["prescriptions"]) == 30
