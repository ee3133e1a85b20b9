"""The lead organisation reviews possible duplicate carers: confirm merges without deleting, reject keeps both.

And the information governance lead lists prescriptions filed under a record on a weak match.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from organisations.models import StaffRole
from referrals.models import Carer, CarerRecordAccess, PossibleDuplicate, Prescription, Referral, ReferralEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(partnership, personas):
    """The carers' charity leads the partnership: its coordinator decides possible duplicates."""
    partnership.lead_organisation = personas.charity
    partnership.save()
    return personas.coordinator


@pytest.fixture
def maggie(client, personas, directory, write_prescription, send, needs):
    """Margaret, then "Maggie" with her date of birth and postcode: a record of her own, flagged."""
    client.force_login(personas.referrer)
    margaret = send(write_prescription(needs=[needs["breaks"].pk]), services=[directory.breaks])
    maggie = send(write_prescription(first_name="Maggie", phone="07700 900888",
                                     needs=[needs["emotional-support"].pk]), services=[directory.listening])
    client.logout()
    assert maggie.carer != margaret.carer
    return PossibleDuplicate.objects.get()


def test_the_lead_coordinator_sees_possible_duplicates_and_nobody_else_does(client, lead, maggie, personas,
                                                                             partnership):
    pages = [reverse("referrals:possible_duplicates"), reverse("referrals:possible_duplicate", args=[maggie.pk])]
    client.force_login(lead)
    listing = client.get(pages[0]).content.decode()
    assert "Maggie Okafor" in listing and "Margaret Okafor" in listing
    assert "one name different" in listing
    carer_user = factories.UserFactory()
    Carer.objects.filter(pk=maggie.carer_id).update(user=carer_user)
    other_partnership = factories.PartnershipFactory(slug="elsewhere")
    elsewhere_lead = factories.StaffRoleFactory(
        membership=factories.MembershipFactory(partnership=other_partnership), role=StaffRole.Role.COORDINATOR).user
    other_partnership.lead_organisation = elsewhere_lead.staff_roles.get().membership.organisation
    other_partnership.save()
    for who in (personas.referrer, personas.outsider, personas.org_admin, personas.manager, carer_user):
        client.force_login(who)
        for url in pages:
            assert client.get(url).status_code == 404, (who, url)
        assert client.post(pages[1], {"decision": "confirm"}).status_code == 404
    # Another partnership's lead has a list of their own, without ours in it.
    client.force_login(elsewhere_lead)
    assert "Maggie" not in client.get(pages[0]).content.decode()
    assert client.get(pages[1]).status_code == 404
    assert client.post(pages[1], {"decision": "confirm"}).status_code == 404
    client.logout()
    assert "/accounts/login/" in client.get(pages[1])["Location"]
    maggie.refresh_from_db()
    assert maggie.status == PossibleDuplicate.Status.OPEN


def test_the_review_page_is_audited_as_a_read_of_both_records(client, lead, maggie):
    client.force_login(lead)
    client.get(reverse("referrals:possible_duplicate", args=[maggie.pk]))
    reads = CarerRecordAccess.objects.filter(user=lead, action="view", what="possible duplicate review")
    assert set(reads.values_list("carer", flat=True)) == {maggie.carer_id, maggie.existing_id}


def test_confirming_merges_the_newer_into_the_older_without_deleting_anything(client, lead, maggie):
    newer, older = maggie.carer, maggie.existing
    audit_before = list(CarerRecordAccess.objects.filter(carer=newer).values_list("pk", flat=True))
    client.force_login(lead)
    response = client.post(reverse("referrals:possible_duplicate", args=[maggie.pk]), {"decision": "confirm"})
    assert response.status_code == 302
    newer.refresh_from_db()
    assert newer.merged_into == older and newer.merged_at is not None  # kept, marked
    moved = Prescription.objects.get(carer_first_name="Maggie")
    assert moved.carer == older and moved.carer_link == Prescription.CarerLink.MERGED
    assert moved.carer_full_name == "Maggie Okafor", "the prescription keeps the details it was sent with"
    assert Referral.objects.filter(prescription=moved, carer=older).count() == 1
    assert ReferralEvent.objects.filter(prescription=moved, kind=ReferralEvent.Kind.MERGED, actor=lead).exists()
    assert list(CarerRecordAccess.objects.filter(carer=newer).values_list("pk", flat=True))[:len(audit_before)] \
        == audit_before, "audit rows stay with the record they were about"
    maggie.refresh_from_db()
    assert maggie.status == PossibleDuplicate.Status.CONFIRMED and maggie.decided_by == lead


def test_rejecting_keeps_both_records_and_ends_the_flag(client, lead, maggie):
    client.force_login(lead)
    client.post(reverse("referrals:possible_duplicate", args=[maggie.pk]), {"decision": "reject"})
    maggie.refresh_from_db()
    assert maggie.status == PossibleDuplicate.Status.REJECTED
    assert not Carer.objects.filter(merged_into__isnull=False).exists()
    assert "Maggie" not in client.get(reverse("referrals:possible_duplicates")).content.decode()


def test_a_merge_is_refused_when_both_have_an_open_referral_to_the_same_service(
        client, lead, personas, directory, write_prescription, send, needs):
    client.force_login(personas.referrer)
    send(write_prescription(needs=[needs["breaks"].pk]), services=[directory.breaks])
    send(write_prescription(first_name="Maggie", needs=[needs["breaks"].pk]), services=[directory.breaks])
    flag = PossibleDuplicate.objects.get()
    client.force_login(lead)
    response = client.post(reverse("referrals:possible_duplicate", args=[flag.pk]), {"decision": "confirm"})
    assert response.status_code == 409
    assert "Both records have an open referral to Carers Breaks Guildford" in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == PossibleDuplicate.Status.OPEN
    assert not Carer.objects.filter(merged_into__isnull=False).exists()


def test_a_decision_must_be_chosen(client, lead, maggie):
    client.force_login(lead)
    response = client.post(reverse("referrals:possible_duplicate", args=[maggie.pk]), {})
    assert response.status_code == 400 and "govuk-error-summary" in response.content.decode()


def test_the_lead_coordinator_has_possible_duplicates_in_the_menu(client, lead, personas):
    client.force_login(lead)
    assert "Possible duplicates" in client.get(reverse("referrals:inbox")).content.decode()
    client.force_login(personas.outsider)
    assert "Possible duplicates" not in client.get(reverse("referrals:inbox")).content.decode()


# --- Records linked under the old rule --------------------------------------------------------------------


def test_the_command_lists_prescriptions_linked_under_the_old_rule_and_nothing_else(
        client, personas, directory, write_prescription, send, needs):
    client.force_login(personas.referrer)
    first = send(write_prescription(needs=[needs["breaks"].pk]), services=[directory.breaks])
    again = send(write_prescription(needs=[needs["emotional-support"].pk]), services=[directory.listening])
    out = io.StringIO()
    call_command("list_weak_carer_links", stdout=out)
    assert "No prescription is linked to a carer record on a weak match" in out.getvalue()
    # As the migration marks a prescription linked before details were kept; and one whose record no
    # longer matches what it was given.
    Prescription.objects.filter(pk=again.pk).update(carer_link=Prescription.CarerLink.LEGACY)
    Prescription.objects.filter(pk=first.pk).update(carer_date_of_birth=date(1980, 1, 1))
    out = io.StringIO()
    call_command("list_weak_carer_links", stdout=out)
    text = out.getvalue()
    assert "2 prescriptions to review" in text and again.reference in text and first.reference in text
    assert "old rule" in text and "do not match the record" in text
    assert "Margaret" not in text and "Okafor" not in text and "07700" not in text, "no personal data printed"
    out = io.StringIO()
    call_command("list_weak_carer_links", "--csv", stdout=out)
    assert out.getvalue().splitlines()[0] == "reference,sent,referring_organisation,carer_record,why"
