"""A prescription never reaches the wrong person: the rule for recognising a carer already known.

Linking a prescription to an existing carer record is an identity decision about special category data:
only the same first name, last name, date of birth and postcode links; anything weaker makes a new record
flagged as a possible duplicate; blank values never match. Tested where the rule lives (the pure
`compare`, then `carer_find_or_create`) and through the pages, because a form that rejects "n/a" must not
be the only thing standing between a stranger and another person's record.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from partnership.notifications.models import Notification
from referrals.identity import Identity, Strength, compare
from referrals.models import Carer, PossibleDuplicate, Prescription
from referrals.services import CarerDetails, carer_find_or_create

pytestmark = pytest.mark.django_db

BORN = date(1961, 3, 14)


def identity(**overrides) -> Identity:
    values = {"first_name": "Margaret", "last_name": "Okafor", "date_of_birth": BORN, "postcode": "GU1 4AB",
              "phones": "", "emails": ""}
    values.update(overrides)
    return Identity.of(**values)


# --- The rule, without a database ------------------------------------------------------------------


def test_the_same_person_typed_in_capitals_with_extra_spaces_is_a_strong_match():
    typed = identity(first_name="  MARGARET ", last_name="okafor  ", postcode="gu14ab")
    assert compare(typed, identity()).strength is Strength.STRONG


@pytest.mark.parametrize("blank", ["", "   ", "n/a", "not a phone", "none", "0", "07700"])
def test_a_blank_looking_phone_matches_nobody_not_even_another_blank_phone(blank):
    stranger = identity(first_name="Brenda", last_name="Smith", date_of_birth=date(1980, 1, 1), postcode="RH1 1AA",
                        phones=blank)
    assert compare(stranger, identity(phones="")).strength is Strength.NONE
    assert compare(stranger, identity(phones=blank)).strength is Strength.NONE


@pytest.mark.parametrize("blank", ["", "  ", "not-an-email", "@", "x@"])
def test_a_blank_or_broken_email_or_postcode_matches_nothing(blank):
    stranger = identity(first_name="Brenda", last_name="Smith", date_of_birth=date(1980, 1, 1), postcode=blank,
                        emails=blank)
    assert compare(stranger, identity(postcode=blank, emails=blank)).strength is Strength.NONE


@pytest.mark.parametrize(("given", "reason"), [
    ({"first_name": "Brenda", "last_name": "Smith", "date_of_birth": date(1980, 1, 1), "postcode": "RH1 1AA",
      "phones": "07700 900123"}, "same mobile number"),
    ({"first_name": "Brenda", "last_name": "Smith", "date_of_birth": date(1980, 1, 1), "postcode": "RH1 1AA",
      "emails": "Family@Example.org"}, "same email address"),
    ({"first_name": "Maggie"}, "same date of birth and postcode, one name different"),
    ({"last_name": "Okafor-Jones"}, "same date of birth and postcode, one name different"),
    ({"postcode": "RH1 1AA"}, "same name and date of birth, another postcode"),
])
def test_anything_weaker_is_only_a_possible_duplicate(given, reason):
    known = identity(phones="07700 900123", emails="family@example.org")
    resemblance = compare(identity(**given), known)
    assert resemblance.strength is Strength.WEAK and reason in resemblance.reasons


def test_a_shared_household_landline_is_no_reason_on_its_own():
    husband = identity(first_name="Samuel", date_of_birth=date(1959, 8, 1), phones="01483 123456")
    assert compare(husband, identity(phones="01483 123456")).strength is Strength.NONE


# --- Where the rule is applied -------------------------------------------------------------------------


def details(**overrides) -> CarerDetails:
    values = {"first_name": "Margaret", "last_name": "Okafor", "date_of_birth": BORN, "postcode": "GU1 4AB",
              "phone": "", "email": "", "accessibility_needs": ""}
    values.update(overrides)
    return CarerDetails(**values)


@pytest.fixture
def margaret(partnership) -> Carer:
    """A carer already known, with no phone and an email address."""
    carer, _ = carer_find_or_create(partnership=partnership, details=details(email="margaret@example.org",
                                                                            accessibility_needs="Uses a wheelchair"))
    return carer


def test_a_phone_of_no_digits_never_files_a_new_carer_under_one_without_a_phone(partnership, margaret):
    """Regression: "n/a" was cleaned to "" and matched every carer whose phone was empty."""
    for day, phone in enumerate(("n/a", "not a phone", "   "), start=1):
        carer, link = carer_find_or_create(partnership=partnership, details=details(
            first_name="Brenda", last_name="Smith", date_of_birth=date(1980, 1, day), postcode="RH1 1AA",
            phone=phone))
        assert carer != margaret and link == Prescription.CarerLink.NEW
        assert not carer.duplicate_flags.exists()


def test_another_persons_email_makes_a_new_flagged_record_and_writes_nothing_onto_hers(partnership, margaret):
    """Regression: a shared email linked the new person to Margaret and wrote their details onto her record."""
    carer, link = carer_find_or_create(partnership=partnership, details=details(
        first_name="Brenda", last_name="Smith", date_of_birth=date(1980, 1, 1), postcode="RH1 1AA",
        phone="07700 900555", email="MARGARET@example.org", accessibility_needs="Is deaf"))
    assert carer != margaret and link == Prescription.CarerLink.NEW
    flag = carer.duplicate_flags.get()
    assert flag.existing == margaret and flag.reasons == ["same email address"]
    margaret.refresh_from_db()
    assert (margaret.phone, margaret.accessibility_needs) == ("", "Uses a wheelchair")


def test_two_carers_in_one_household_with_one_email_get_a_record_each(partnership, margaret):
    husband, _ = carer_find_or_create(partnership=partnership, details=details(
        first_name="Samuel", date_of_birth=date(1959, 8, 1), email="margaret@example.org"))
    assert husband != margaret and Carer.objects.count() == 2
    assert husband.duplicate_flags.get().existing == margaret


def test_a_shared_household_landline_links_nobody_and_flags_nobody(partnership):
    margaret, _ = carer_find_or_create(partnership=partnership, details=details(phone="01483 123456"))
    husband, _ = carer_find_or_create(partnership=partnership, details=details(
        first_name="Samuel", date_of_birth=date(1959, 8, 1), phone="01483 123456"))
    assert husband != margaret and not PossibleDuplicate.objects.exists()


def test_the_same_person_typed_in_capitals_with_extra_spaces_is_still_linked(partnership, margaret):
    carer, link = carer_find_or_create(partnership=partnership, details=details(
        first_name=" MARGARET  ", last_name="OKAFOR", postcode="gu1   4ab", phone="07700 900999"))
    assert carer == margaret and link == Prescription.CarerLink.STRONG
    margaret.refresh_from_db()
    assert margaret.phone == "", "a new prescription never writes onto an existing record"


def test_a_record_merged_away_is_never_matched_again(partnership, margaret):
    older, _ = carer_find_or_create(partnership=partnership, details=details(first_name="Maggie"))
    Carer.objects.filter(pk=margaret.pk).update(merged_into=older)
    carer, link = carer_find_or_create(partnership=partnership, details=details())
    assert carer not in (margaret,) and link == Prescription.CarerLink.NEW


# --- Through the pages -----------------------------------------------------------------------------------


@pytest.fixture
def signed_in_gp(client, personas):
    client.force_login(personas.referrer)
    return personas.referrer


def test_a_stranger_with_another_carers_email_gets_her_own_referral_everywhere(
        client, signed_in_gp, personas, directory, write_prescription, send, needs):
    """The critical defect, end to end: the services, the coordinator and the referrer saw Margaret's name,
    date of birth and contacts on Brenda's referral, and Margaret's confirmation was sent."""
    margaret = send(write_prescription(email="margaret@example.org", needs=[needs["breaks"].pk]),
                    services=[directory.breaks])
    draft = write_prescription(first_name="Brenda", last_name="Smith", date_of_birth_0="2", date_of_birth_1="5",
                               date_of_birth_2="1980", postcode="GU2 7XH", phone="07700 900777",
                               email="margaret@example.org", accessibility_needs="Is deaf; uses BSL",
                               needs=[needs["breaks"].pk])
    services_page = client.get(reverse("referrals:draft_services", args=[draft.pk])).content.decode()
    assert "already has a referral in progress" not in services_page  # says nothing about Margaret
    brenda = send(draft, services=[directory.breaks])
    assert brenda.carer != margaret.carer
    assert (brenda.carer_full_name, brenda.carer_postcode) == ("Brenda Smith", "GU2 7XH")

    client.force_login(personas.coordinator)
    referral = brenda.referrals.get()
    page = client.get(reverse("referrals:referral", args=[referral.pk])).content.decode()
    assert "Brenda Smith" in page and "2 May 1980" in page and "Is deaf; uses BSL" in page
    assert "Okafor" not in page and "14 March 1961" not in page
    inbox = client.get(reverse("referrals:inbox")).content.decode()
    assert inbox.count("Brenda Smith") == 1 and inbox.count("Margaret Okafor") == 1

    client.force_login(personas.referrer)
    detail = client.get(reverse("referrals:prescription", args=[brenda.reference])).content.decode()
    assert "Brenda Smith" in detail and "Okafor" not in detail

    # Her confirmation goes to the contacts given on her prescription, on her own record's key.
    text = Notification.objects.get(template="prescription_sent", context__prescription=str(brenda.pk))
    assert text.recipient_object == brenda.carer and text.channel == Notification.Channel.SMS
    margaret.carer.refresh_from_db()
    assert margaret.carer.accessibility_needs == "" and margaret.carer.phone == "+447700900123"


def test_margaret_signed_in_cannot_open_a_referral_about_somebody_else(
        client, signed_in_gp, directory, write_prescription, send, needs):
    from tests import factories

    margaret = send(write_prescription(email="margaret@example.org"), services=[directory.breaks])
    brenda = send(write_prescription(first_name="Brenda", last_name="Smith", email="margaret@example.org",
                                     postcode="GU2 7XH"), services=[directory.listening])
    account = factories.UserFactory(email="margaret@example.org")
    Carer.objects.filter(pk=margaret.carer_id).update(user=account)
    client.force_login(account)
    assert client.get(reverse("referrals:prescription", args=[margaret.reference])).status_code == 200
    assert client.get(reverse("referrals:prescription", args=[brenda.reference])).status_code == 404


def test_services_see_the_details_given_on_each_prescription_and_messages_follow_them(
        client, signed_in_gp, personas, directory, write_prescription, send, needs):
    first = send(write_prescription(needs=[needs["breaks"].pk]), services=[directory.breaks])
    moved = send(write_prescription(phone="07700 900456", needs=[needs["emotional-support"].pk]),
                 services=[directory.listening])
    assert moved.carer == first.carer  # the same person: a strong match
    assert (first.carer_phone, moved.carer_phone) == ("+447700900123", "+447700900456")
    client.force_login(personas.outsider)  # the listening line's coordinator
    page = client.get(reverse("referrals:referral", args=[moved.referrals.get().pk])).content.decode()
    assert "07700 900456" in page and "07700 900123" not in page
    first.carer.refresh_from_db()
    assert first.carer.phone == "+447700900123"


def test_already_in_progress_is_said_only_on_a_strong_match(
        client, signed_in_gp, directory, write_prescription, send, needs):
    send(write_prescription(needs=[needs["breaks"].pk]), services=[directory.breaks])
    same_phone = write_prescription(first_name="Maggie", needs=[needs["breaks"].pk])
    page = client.get(reverse("referrals:draft_services", args=[same_phone.pk]))
    assert "already has a referral in progress" not in page.content.decode()
    assert directory.breaks.pk in [m.service.id for m in page.context["routing"].matches]
    same_person = write_prescription(first_name="margaret", needs=[needs["breaks"].pk])
    page = client.get(reverse("referrals:draft_services", args=[same_person.pk])).content.decode()
    assert "Carers Breaks Guildford already has a referral in progress for this carer" in page
