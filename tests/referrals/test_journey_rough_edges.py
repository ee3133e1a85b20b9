"""The rough edges of the journey: the back button after sending, drafts, the printable summary, the
inbox's order across pages, two people at once, and suggesting another service."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations.models import Service, StaffRole
from partnership.templatetags.govuk import govuk_datetime
from referrals import selectors, services, views
from referrals.models import Carer, Prescription, Referral, ReferralEvent
from tests import factories

from .conftest import prescription_data

pytestmark = pytest.mark.django_db


def breaks_referral(prescription) -> Referral:
    return prescription.referrals.get(service__name="Carers Breaks Guildford")


# --- The back button after sending ----------------------------------------------------------------


@pytest.mark.parametrize("step", ["referrals:draft_edit", "referrals:draft_services", "referrals:draft_check"])
def test_going_back_to_a_step_after_sending_says_it_was_sent_and_links_to_it(client, personas, sent_prescription, step):
    """Regression guard: the back button after sending must not be a 404 (the draft is no longer a draft)."""
    client.force_login(personas.referrer)
    response = client.get(reverse(step, args=[sent_prescription.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This prescription has already been sent" in body
    assert f'href="{reverse("referrals:prescription", args=[sent_prescription.reference])}"' in body
    sent_prescription.refresh_from_db()
    assert sent_prescription.status == Prescription.Status.SENT


def test_the_sent_prescription_is_still_private_on_the_steps_of_the_journey(client, personas, sent_prescription):
    for person in (personas.outsider, personas.coordinator):
        client.force_login(person)
        for step in ("referrals:draft_edit", "referrals:draft_services", "referrals:draft_check"):
            assert client.get(reverse(step, args=[sent_prescription.pk])).status_code == 404


def test_sending_again_after_sending_goes_to_the_sent_page_and_sends_nothing(client, personas, sent_prescription):
    client.force_login(personas.referrer)
    referrals, events = Referral.objects.count(), ReferralEvent.objects.count()
    response = client.post(reverse("referrals:draft_check", args=[sent_prescription.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:sent", args=[sent_prescription.reference])
    assert Referral.objects.count() == referrals and ReferralEvent.objects.count() == events


# --- Drafts in My referrals -----------------------------------------------------------------------


def save_draft(client, needs, **overrides) -> Prescription:
    response = client.post(reverse("referrals:new"), prescription_data(needs, action="draft", **overrides))
    assert response.status_code == 302
    return Prescription.objects.drafts_of(response.wsgi_request.user).order_by("created_at").last()


def test_drafts_are_listed_with_the_carers_name_the_date_saved_and_a_link_to_delete(client, personas, directory,
                                                                                  needs):
    client.force_login(personas.referrer)
    margaret = save_draft(client, needs)
    ade = save_draft(client, needs, first_name="Ade", last_name="Bello")
    body = client.get(reverse("referrals:mine")).content.decode()
    for draft, name in ((margaret, "Margaret Okafor"), (ade, "Ade Bello")):
        row = re.search(rf'href="{reverse("referrals:draft_edit", args=[draft.pk])}">(.*?)</div>', body, re.S)
        assert row, f"the draft for {name} is not listed"
        assert row.group(1).startswith(name)
        assert f"Saved {govuk_datetime(draft.updated_at)}" in row.group(1)
        assert f'href="{reverse("referrals:draft_delete", args=[draft.pk])}">Delete' in row.group(1)


def test_deleting_a_draft_asks_first_then_deletes_only_that_draft(client, personas, directory, needs):
    client.force_login(personas.referrer)
    margaret = save_draft(client, needs)
    ade = save_draft(client, needs, first_name="Ade", last_name="Bello")
    url = reverse("referrals:draft_delete", args=[margaret.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Delete the draft for Margaret Okafor?" in page.content.decode()
    assert Prescription.objects.filter(pk=margaret.pk).exists()  # asking deletes nothing

    client.force_login(factories.StaffRoleFactory(membership=personas.gp_practice.memberships.get()).user)
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    assert Prescription.objects.filter(pk=margaret.pk).exists()

    client.force_login(personas.referrer)
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("referrals:mine")
    assert list(Prescription.objects.values_list("pk", flat=True)) == [ade.pk]
    assert "Margaret Okafor" not in client.get(reverse("referrals:mine")).content.decode()


# --- The printable summary ------------------------------------------------------------------------


def test_the_printable_summary_lists_only_the_services_still_working_on_the_referral(
        client, personas, directory, needs, write_prescription, send):
    county = factories.ServiceFactory(organisation=personas.other_charity, name="County Breaks",
                                      needs=[needs["breaks"]], serves_whole_area=True)
    client.force_login(personas.referrer)
    prescription = send(write_prescription(),
                    services=[directory.breaks, directory.counselling, directory.listening, county])
    referrals = {referral.service_id: referral for referral in prescription.referrals.all()}
    services.referral_decline(referral=referrals[directory.counselling.pk], actor=personas.coordinator,
                              reason="no_capacity")
    services.referral_accept(referral=referrals[directory.breaks.pk], actor=personas.coordinator)
    services.referral_close(referral=referrals[directory.breaks.pk], actor=personas.coordinator, outcome="supported")
    services.referral_withdraw(referral=referrals[directory.listening.pk], actor=personas.referrer, reason="Moved away")

    response = client.get(reverse("referrals:summary", args=[prescription.reference]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "County Breaks" in body
    for gone in ("Carers Counselling Guildford", "Carers Breaks Guildford", "Carers Listening Line"):
        assert gone not in body
    assert [referral.service for referral in response.context["referrals"]] == [county]


# --- The inbox's order --------------------------------------------------------------------------------

_numbers = count(1)
URGENCY_RANK = {"urgent": 0, "soon": 1, "routine": 2}


def inbox_referral(partnership, personas, service, *, status: str, urgency: str, age: timedelta) -> Referral:
    """An item routed to `service` `age` ago, on its own carer's prescription."""
    n = next(_numbers)
    carer = Carer.objects.create(partnership=partnership, first_name=f"Carer{n}", last_name="Test",
                                 date_of_birth=date(1960, 1, 1), postcode="GU1 1AA", district="GU1")
    prescription = Prescription.objects.create(
        partnership=partnership, status=Prescription.Status.SENT, carer=carer, reference=f"AAAA-{n:04d}",
        referrer=personas.referrer, referring_organisation=personas.gp_practice, consent_given=True,
        carer_first_name=f"Carer{n}", carer_last_name="Test", sent_at=timezone.now(),
    )
    referral = Referral.objects.create(prescription=prescription, service=service, carer=carer, status=status)
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - age)
    Prescription.objects.filter(pk=prescription.pk).update(urgency=urgency)
    return referral


def test_the_inbox_puts_referrals_awaiting_a_reply_first_overdue_then_urgent_then_oldest(
        client, personas, partnership, directory):
    """Regression guard: an overdue routine referral awaiting a reply comes before an accepted urgent one
    (urgency alone would put it below)."""
    in_order = [
        ("sent", "urgent", timedelta(days=20)),  # overdue, urgent
        ("sent", "routine", timedelta(days=30)),  # overdue, routine: still before any fresh one
        ("sent", "urgent", timedelta(hours=1)),
        ("sent", "soon", timedelta(hours=2)),
        ("sent", "routine", timedelta(hours=3)),  # the older of two routine ones first
        ("sent", "routine", timedelta(minutes=1)),
        ("accepted", "urgent", timedelta(days=40)),  # in progress: after everything awaiting a reply
        ("in_contact", "soon", timedelta(days=5)),
        ("accepted", "routine", timedelta(hours=1)),
    ]
    # Made in another order than the expected one, so the database's own order proves nothing.
    made = {}
    for position in (6, 2, 8, 0, 4, 7, 1, 5, 3):
        status, urgency, age = in_order[position]
        made[position] = inbox_referral(partnership, personas, directory.breaks, status=status, urgency=urgency,
                                        age=age)
    for status in ("closed", "declined"):
        inbox_referral(partnership, personas, directory.breaks, status=status, urgency="urgent", age=timedelta(days=50))
    expected = [made[position] for position in range(len(in_order))]
    client.force_login(personas.coordinator)
    response = client.get(reverse("referrals:inbox"))
    assert [referral.pk for referral in response.context["referrals"]] == [referral.pk for referral in expected]
    overdue_routine, accepted_urgent = expected[1], expected[6]
    body = response.content.decode()
    assert body.index(overdue_routine.prescription.reference) < body.index(accepted_urgent.prescription.reference)


def test_the_inbox_order_continues_across_pages(client, personas, partnership, directory, monkeypatch):
    statuses = ["sent", "accepted", "in_contact"]
    urgencies = ["urgent", "soon", "routine"]
    made = []
    for n in range(60):
        status, urgency = statuses[n % 3], urgencies[(n // 3) % 3]
        age = timedelta(days=30 + n) if n % 4 == 0 else timedelta(minutes=n + 1)
        made.append(inbox_referral(partnership, personas, directory.breaks, status=status, urgency=urgency, age=age))
    made = list(Referral.objects.select_related("prescription"))

    def order(referral: Referral):
        """Awaiting a reply, then in progress; overdue (no reply after 30 days) first; urgent, soon, routine;
        oldest first."""
        overdue = referral.status == "sent" and timezone.now() - referral.created_at > timedelta(days=29)
        return (referral.status != "sent", not overdue, URGENCY_RANK[referral.prescription.urgency],
                referral.created_at)

    expected = [referral.pk for referral in sorted(made, key=order)]

    client.force_login(personas.coordinator)
    pages = [client.get(reverse("referrals:inbox"), {"page": page}) for page in (1, 2)]
    assert [len(page.context["referrals"]) for page in pages] == [views.INBOX_PAGE_SIZE, 10]
    assert [referral.pk for page in pages for referral in page.context["referrals"]] == expected
    assert 'href="?page=2" rel="next"' in pages[0].content.decode()

    # A smaller page size, the same order.
    monkeypatch.setattr(views, "INBOX_PAGE_SIZE", 7)
    shown = []
    for page in range(1, 10):
        page_of = client.get(reverse("referrals:inbox"), {"page": page}).context["referrals"]
        shown += [referral.pk for referral in page_of]
    assert shown == expected


def test_the_inbox_costs_the_same_number_of_queries_however_many_items(
        client, personas, partnership, directory, django_assert_max_num_queries):
    client.force_login(personas.coordinator)
    for total in (3, 60):
        while Referral.objects.count() < total:
            n = Referral.objects.count()
            inbox_referral(partnership, personas, directory.breaks, status=["sent", "accepted"][n % 2],
                       urgency=list(URGENCY_RANK)[n % 3], age=timedelta(days=n))
        with django_assert_max_num_queries(12):
            response = client.get(reverse("referrals:inbox"))
        assert len(response.context["referrals"]) == min(total, views.INBOX_PAGE_SIZE)
        with django_assert_max_num_queries(12):
            client.get(reverse("referrals:inbox"), {"page": 2})


# --- Two people at once ---------------------------------------------------------------------------


def test_two_people_recording_a_contact_attempt_at_once_make_two(personas, sent_prescription):
    """Regression guard: a count read, incremented and saved from the copy each person loaded makes two
    attempts at once count as one."""
    referral = breaks_referral(sent_prescription)
    services.referral_accept(referral=referral, actor=personas.coordinator)
    first, second = Referral.objects.get(pk=referral.pk), Referral.objects.get(pk=referral.pk)
    services.referral_record_contact_attempt(referral=first, actor=personas.coordinator, note="Left a voicemail")
    colleague = factories.StaffRoleFactory(membership=personas.charity.memberships.get(),
                                           role=StaffRole.Role.COORDINATOR).user
    services.referral_record_contact_attempt(referral=second, actor=colleague, note="No answer")
    referral.refresh_from_db()
    assert referral.contact_attempts == 2
    assert ReferralEvent.objects.filter(referral=referral, kind=ReferralEvent.Kind.CONTACT_ATTEMPT).count() == 2


# --- Re-routing and suggesting another service ----------------------------------------------------


def test_re_routing_a_declined_referral_offers_the_suggested_service_first(
        client, personas, sent_prescription, needs):
    for name, need in (("County Breaks", "breaks"), ("Woking Sitting Service", "breaks-sitting"),
                       ("Short Breaks Surrey", "breaks-short")):
        factories.ServiceFactory(organisation=personas.other_charity, name=name, needs=[needs[need]],
                                 serves_whole_area=True)
    referral = breaks_referral(sent_prescription)
    natural = [match.service.id for match in selectors.reroute_options(referral=referral)]
    assert len(natural) >= 2
    suggested = Service.objects.get(pk=natural[-1])  # the one the routing ranks last
    client.force_login(personas.coordinator)
    response = client.post(reverse("referrals:referral_action", args=[referral.pk, "decline"]),
                           {"reason": "no_capacity", "suggested_service": str(suggested.pk)})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.suggested_service == suggested

    client.force_login(personas.referrer)
    page = client.get(reverse("referrals:referral_reroute", args=[referral.pk]))
    options = [match.service.id for match in page.context["options"]]
    assert options[0] == suggested.pk
    assert sorted(options) == sorted(natural)
    assert f"(suggested by {referral.service.name})" in page.content.decode()


def suggestion_radios(body: str) -> list[str]:
    """The values of the decline form's "Suggest another service" radios, in page order."""
    inputs = re.findall(r'<input[^>]*name="suggested_service"[^>]*>', body)
    return [re.search(r'value="([^"]*)"', tag).group(1) if "value=" in tag else "" for tag in inputs]


@pytest.fixture
def many_breaks_services(personas, needs) -> list[Service]:
    return [factories.ServiceFactory(organisation=personas.other_charity, name=f"Breaks Service {n:02d}",
                                     needs=[needs["breaks"]], serves_whole_area=True) for n in range(12)]


def test_the_decline_form_suggests_a_short_ranked_list_without_paused_services_or_its_own(
        client, personas, sent_prescription, needs, many_breaks_services):
    paused = factories.ServiceFactory(organisation=personas.other_charity, name="Breaks Service 00 Paused",
                                      needs=[needs["breaks"]], serves_whole_area=True,
                                      referral_capacity=Service.Capacity.PAUSED)
    referral = breaks_referral(sent_prescription)
    client.force_login(personas.coordinator)
    body = client.get(reverse("referrals:referral", args=[referral.pk])).content.decode()
    radios = suggestion_radios(body)
    assert radios[0] == "" and "No suggestion" in body
    offered = radios[1:]
    assert len(offered) == selectors.SUGGESTIONS == 8
    ranked = [str(match.service.id) for match in selectors.reroute_options(referral=referral)]
    assert offered == ranked[:8]
    assert str(paused.pk) not in offered and str(referral.service_id) not in offered
    assert "Breaks Service 00 Paused" not in body

    # Searching by name never finds them either.
    for search in ("Paused", "Carers Breaks Guildford"):
        found = suggestion_radios(client.get(reverse("referrals:referral", args=[referral.pk]),
                                             {"suggest": search}).content.decode())[1:]
        assert str(paused.pk) not in found and str(referral.service_id) not in found


def test_a_service_found_by_searching_can_be_suggested_with_the_decline(
        client, personas, sent_prescription, needs, many_breaks_services):
    lantern = factories.ServiceFactory(organisation=personas.other_charity, name="Lantern Carers Cafe",
                                       needs=[needs["money"]], districts=["RH1"])
    paused = factories.ServiceFactory(organisation=personas.other_charity, name="Lantern Paused",
                                      needs=[needs["money"]], referral_capacity=Service.Capacity.PAUSED)
    referral = breaks_referral(sent_prescription)
    client.force_login(personas.coordinator)
    assert str(lantern.pk) not in suggestion_radios(
        client.get(reverse("referrals:referral", args=[referral.pk])).content.decode())  # not a match for her needs

    response = client.get(reverse("referrals:referral", args=[referral.pk]), {"suggest": "  lantern  "})
    body = response.content.decode()
    assert suggestion_radios(body) == ["", str(lantern.pk)]
    assert "Lantern Carers Cafe — Woking Community Group" in body
    assert 'value="lantern"' in body  # the search box keeps what was searched

    # A paused service posted anyway is refused, and nothing changes.
    response = client.post(reverse("referrals:referral_action", args=[referral.pk, "decline"]),
                           {"reason": "no_capacity", "suggested_service": str(paused.pk)})
    assert response.status_code == 400
    assert "Choose a service from the list, or no suggestion" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT and referral.suggested_service is None

    response = client.post(reverse("referrals:referral_action", args=[referral.pk, "decline"]),
                           {"reason": "no_capacity", "suggested_service": str(lantern.pk)})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED and referral.suggested_service == lantern
