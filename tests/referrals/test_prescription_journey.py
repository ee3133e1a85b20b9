"""Journey 1: a frontline worker writes a carer's prescription in a few page submissions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partnership.notifications.models import Notification
from referrals.models import (
    REFERENCE_ALPHABET,
    Carer,
    CarerRecordAccess,
    Prescription,
    Referral,
    ReferralEvent,
    UnmetNeed,
)
from referrals.services import drafts_delete_expired
from referrals.tasks import delete_expired_drafts
from tests import factories

from .conftest import prescription_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signed_in_gp(client, personas):
    client.force_login(personas.referrer)
    return personas.referrer


def test_gp_sees_matching_services_with_reasons_and_the_best_one_for_each_need_selected(
        client, directory, write_prescription):
    draft = write_prescription()
    response = client.get(reverse("referrals:draft_services", args=[draft.pk]))
    assert response.status_code == 200
    routing = response.context["routing"]
    names = [m.service.name for m in routing.matches]
    assert names[0] == "Carers Breaks Guildford"
    assert set(names) == {"Carers Breaks Guildford", "Carers Counselling Guildford", "Carers Listening Line"}
    breaks = routing.matches[0]
    assert breaks.reasons[0] == "Covers breaks and respite"
    assert "accepting referrals" in breaks.reasons
    counselling = next(m for m in routing.matches if m.service.name == "Carers Counselling Guildford")
    assert "usual wait 3 weeks" in counselling.reasons
    assert [m.service.name for m in routing.selected] == ["Carers Breaks Guildford", "Carers Counselling Guildford"]
    body = response.content.decode()
    assert "Covers breaks and respite" in body and "usual wait 3 weeks" in body


def test_sending_makes_one_referral_with_a_readable_reference_items_timeline_and_notifications(
        client, directory, write_prescription, send, personas, needs):
    draft = write_prescription(needs=[needs["breaks"].pk, needs["emotional-support"].pk, needs["money"].pk])
    prescription = send(draft)
    assert re.fullmatch(f"[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}", prescription.reference)
    assert prescription.carer.full_name == "Margaret Okafor" and prescription.carer.postcode == "GU1 4AB"
    assert prescription.referring_organisation == personas.gp_practice
    assert prescription.consent_given and prescription.consent_method == "verbal" and prescription.consent_given_at
    assert prescription.draft_data == {}
    services = set(prescription.referrals.values_list("service__name", flat=True))
    assert services == {"Carers Breaks Guildford", "Carers Counselling Guildford"}
    kinds = list(prescription.events.values_list("kind", flat=True))
    assert kinds.count(ReferralEvent.Kind.SENT) == 1 and kinds.count(ReferralEvent.Kind.ROUTED) == 2
    # Money advice is only in Redhill: an unmet need, kept for insight.
    assert list(UnmetNeed.objects.values_list("need__code", "district")) == [("money", "GU1")]
    # What must be sent is recorded: the coordinator (email + in-app) per item, and the carer by text.
    coordinator_rows = Notification.objects.filter(recipient_user=personas.coordinator, template="item_routed")
    assert coordinator_rows.count() == 4
    carer_row = Notification.objects.get(template="prescription_sent")
    assert carer_row.channel == Notification.Channel.SMS and carer_row.recipient_object == prescription.carer
    assert "Margaret" not in str(carer_row.context) and "07700" not in str(carer_row.context)
    assert CarerRecordAccess.objects.filter(carer=prescription.carer, action="create").exists()


def test_the_confirmation_and_printable_summary_give_the_carer_their_reference(
        client, directory, write_prescription, send):
    prescription = send(write_prescription())
    page = client.get(reverse("referrals:sent", args=[prescription.reference])).content.decode()
    assert prescription.reference in page and "Referral sent" in page
    summary = client.get(reverse("referrals:summary", args=[prescription.reference])).content.decode()
    assert prescription.reference in summary and "Carers Breaks Guildford" in summary and "01483 000001" in summary
    assert "What happens next" in summary


def test_happy_path_takes_three_page_submissions(client, directory, needs):
    submissions = 0
    response = client.post(reverse("referrals:new"), prescription_data(needs))
    submissions += 1
    services_page = client.get(response["Location"])
    chosen = [str(m.service.id) for m in services_page.context["routing"].selected]
    response = client.post(response["Location"], {"services": chosen})
    submissions += 1
    response = client.post(response["Location"])
    submissions += 1
    assert response["Location"].endswith("/sent/") and submissions <= 4


def test_no_consent_no_referral_and_the_page_says_why(client, directory, needs):
    data = prescription_data(needs)
    del data["consent_given"]
    response = client.post(reverse("referrals:new"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The carer must agree to share their details before you can refer them" in body
    assert "govuk-error-summary" in body
    assert not Prescription.objects.exists()


def test_phone_or_email_is_needed_and_invalid_input_is_explained(client, directory, needs):
    data = prescription_data(needs, phone="", email="", postcode="nonsense", date_of_birth_0="31",
                             date_of_birth_1="2")
    body = client.post(reverse("referrals:new"), data).content.decode()
    assert "Enter a phone number or an email address" in body
    assert "Enter a full postcode" in body
    assert "must be a real date" in body
    assert 'value="Margaret"' in body  # what was typed is kept


def test_a_double_submitted_form_and_a_double_clicked_send_make_one_referral(client, directory, needs, send):
    data = prescription_data(needs, token="6f1c9a52-3c1e-4d57-9d0e-2f1b7f5f1a11")
    first = client.post(reverse("referrals:new"), data)
    second = client.post(reverse("referrals:new"), data)
    assert first["Location"] == second["Location"]
    draft = Prescription.objects.get()
    send(draft)
    again = client.post(reverse("referrals:draft_check", args=[draft.pk]))
    assert again.status_code == 302 and again["Location"].endswith("/sent/")
    assert Prescription.objects.count() == 1 and Referral.objects.count() == 2


def test_a_carer_already_known_is_linked_only_on_name_date_of_birth_and_postcode(
        client, directory, write_prescription, send, needs):
    """Rewritten: this test used to assert that "Maggie", at another postcode, was filed under Margaret's
    record because she typed Margaret's email — the defect that filed referrals under other people."""
    first = send(write_prescription(needs=[needs["breaks"].pk]), services=[directory.breaks])
    again = send(write_prescription(first_name="  MARGARET ", last_name="okafor", needs=[needs["emotional-support"].pk],
                                    phone="", email="margaret@example.org", preferred_contact="email"),
                 services=[directory.listening])
    assert again.carer == first.carer and again.carer_link == Prescription.CarerLink.STRONG
    carer = Carer.objects.get()
    assert carer.first_name == "Margaret" and carer.email == ""  # nothing written onto the record
    assert again.carer_email == "margaret@example.org"  # the prescription keeps what it was given
    # Known by email alone, with another name and postcode: a new person, flagged for the lead organisation.
    maggie = send(write_prescription(first_name="Maggie", postcode="GU1 9ZZ", phone="", email="Margaret@example.org",
                                     preferred_contact="email", needs=[needs["emotional-support"].pk]),
                  services=[directory.counselling])
    assert maggie.carer != first.carer and Carer.objects.count() == 2
    assert maggie.carer.duplicate_flags.get().existing == first.carer


def test_a_service_with_an_open_referral_for_the_carer_is_not_offered_again(
        client, directory, write_prescription, send, needs):
    send(write_prescription(needs=[needs["breaks"].pk]), services=[directory.breaks])
    draft = write_prescription(needs=[needs["breaks"].pk])
    page = client.get(reverse("referrals:draft_services", args=[draft.pk]))
    routing = page.context["routing"]
    assert directory.breaks.pk not in [m.service.id for m in routing.matches]
    assert "Carers Breaks Guildford already has a referral in progress for this carer" in page.content.decode()
    # Forcing it through is refused too, and nothing is sent.
    response = client.post(reverse("referrals:draft_services", args=[draft.pk]),
                           {"services": [str(directory.breaks.pk)]})
    assert response.status_code == 200 and Prescription.objects.filter(status="sent").count() == 1


def test_a_draft_is_saved_and_picked_up_later(client, directory, needs):
    data = prescription_data(needs, action="draft")
    del data["consent_given"]
    response = client.post(reverse("referrals:new"), data)
    assert response["Location"] == reverse("referrals:mine")
    draft = Prescription.objects.get(status=Prescription.Status.DRAFT)
    mine = client.get(reverse("referrals:mine")).content.decode()
    assert reverse("referrals:draft_edit", args=[draft.pk]) in mine
    page = client.get(reverse("referrals:draft_edit", args=[draft.pk])).content.decode()
    assert 'value="Margaret"' in page and "govuk-error-summary" not in page


def test_drafts_older_than_14_days_are_deleted(client, directory, needs, personas):
    old = Prescription.objects.create(partnership=personas.gp_practice.memberships.get().partnership,
                                  referrer=personas.referrer, referring_organisation=personas.gp_practice)
    fresh = Prescription.objects.create(partnership=old.partnership, referrer=personas.referrer,
                                    referring_organisation=personas.gp_practice)
    Prescription.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=15))
    assert delete_expired_drafts.delay().get() == 1  # the beat task, run eagerly
    assert list(Prescription.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert drafts_delete_expired() == 0


def test_only_frontline_workers_can_write_prescriptions(client, personas, directory):
    client.force_login(personas.manager)
    assert client.get(reverse("referrals:new")).status_code == 404
    client.force_login(factories.UserFactory())
    assert client.get(reverse("referrals:new")).status_code == 404
    client.logout()
    assert client.get(reverse("referrals:new")).status_code == 302


def test_every_error_summary_link_lands_on_the_question_it_is_about(client, personas, directory):
    """Radios and checkboxes included: their link goes to the first option, which has that id."""
    client.force_login(personas.referrer)
    body = client.post(reverse("referrals:new"), {"first_name": "Margaret"}).content.decode()
    targets = re.findall(r'<li><a href="#([^"]+)">', body)
    assert len(targets) >= 5 and "id_urgency_1" in targets and "id_needs_1" in targets
    for target in targets:
        assert f'id="{target}"' in body, f"the error summary links to #{target}, which is not on the page"


def test_the_matching_services_are_shown_under_each_need_nearby_ones_first(client, directory, write_prescription,
                                                                          needs):
    draft = write_prescription()
    response = client.get(reverse("referrals:draft_services", args=[draft.pk]))
    body = response.content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    breaks, emotional = needs["breaks"].name, needs["emotional-support"].name
    assert f'<h3 class="govuk-heading-s app-choice-group__heading">{breaks}</h3>' in body
    assert f'<h3 class="govuk-heading-s app-choice-group__heading">{emotional}</h3>' in body
    order = [text.index(words) for words in (
        breaks, "Carers Breaks Guildford", emotional, "Carers Counselling Guildford",
        "Also available by phone or online", "Carers Listening Line")]
    assert order == sorted(order)
    # One field, each service once; the first box has the id the error summary links to.
    assert body.count('name="services"') == 3 and body.count(f'value="{directory.breaks.pk}"') == 1
    assert re.search(rf'<input class="govuk-checkboxes__input" id="id_services" name="services" type="checkbox" '
                     rf'value="{directory.breaks.pk}"', body)
    chosen = re.findall(r'value="([^"]+)"[^>]*checked', body)
    assert chosen == [str(directory.breaks.pk), str(directory.counselling.pk)]


def test_a_service_one_organisation_runs_in_two_districts_is_offered_once_at_the_nearer(
        client, directory, write_prescription, needs, personas):
    woking = factories.LocationFactory(name="Woking Carers Centre", postal_code="GU21 6AA")
    further = factories.ServiceFactory(organisation=personas.charity, name="Carers Breaks Guildford",
                                       needs=[needs["breaks"]], districts=["GU1", "GU21"], locations=[woking])
    draft = write_prescription()
    response = client.get(reverse("referrals:draft_services", args=[draft.pk]))
    offered = [m.service.id for m in response.context["routing"].matches]
    assert directory.breaks.pk in offered and further.pk not in offered
    assert response.content.decode().count("<strong>Carers Breaks Guildford</strong>") == 1
    assert response.context["routing"].unmet_needs == []
