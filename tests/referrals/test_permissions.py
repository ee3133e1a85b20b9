"""The permission matrix of every referral view: who may see and change what; everyone else gets a 404.

Personas: the referrer (GP), a colleague at the GP practice (with and without team visibility), the
receiving coordinator, a coordinator at another organisation, the partnership manager, a carer (another
carer's account), and an anonymous visitor (sent to sign in).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from organisations.models import StaffRole
from referrals.models import Carer, Referral
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(personas, partnership, sent_prescription):
    colleague = factories.StaffRoleFactory(membership=personas.gp_practice.memberships.get(),
                                           role=StaffRole.Role.REFERRER).user
    carer_user = factories.UserFactory()
    Carer.objects.create(partnership=partnership, user=carer_user, first_name="Other", last_name="Carer",
                         date_of_birth="1970-01-01", postcode="GU2 7XH", district="GU2")
    return {
        "referrer": personas.referrer,
        "colleague": colleague,
        "coordinator": personas.coordinator,
        "other_org_coordinator": factories.StaffRoleFactory(
            membership=factories.MembershipFactory(partnership=partnership),
            role=StaffRole.Role.COORDINATOR).user,
        "manager": personas.manager,
        "another_carer": carer_user,
        "anonymous": None,
    }


def status_for(client, user, method: str, url: str, data=None) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    if user is None and response.status_code == 302:
        assert "/accounts/login/" in response["Location"]
        return 302
    return response.status_code


PRESCRIPTION_PAGES = ["referrals:prescription", "referrals:sent", "referrals:summary"]


@pytest.mark.parametrize("url_name", PRESCRIPTION_PAGES)
def test_referral_pages_are_for_the_referrer_and_manager_only(client, cast, sent_prescription, url_name):
    url = reverse(url_name, args=[sent_prescription.reference])
    expected = {"referrer": 200, "colleague": 404, "coordinator": 404, "other_org_coordinator": 404,
                "manager": 200, "another_carer": 404, "anonymous": 302}
    assert {who: status_for(client, user, "get", url) for who, user in cast.items()} == expected


def test_colleague_sees_referral_pages_when_team_visibility_is_on(client, cast, sent_prescription, personas):
    personas.gp_practice.team_visibility = True
    personas.gp_practice.save()
    url = reverse("referrals:prescription", args=[sent_prescription.reference])
    assert status_for(client, cast["colleague"], "get", url) == 200
    assert status_for(client, cast["coordinator"], "get", url) == 404


def test_the_carer_it_is_about_sees_what_was_sent_and_whom_to_contact_never_the_staff_page(client, sent_prescription):
    """Regression: the staff page, with the referrer's note for the services, opened for the carer."""
    carer_user = factories.UserFactory()
    sent_prescription.carer.user = carer_user
    sent_prescription.carer.save()
    client.force_login(carer_user)
    response = client.get(reverse("referrals:prescription", args=[sent_prescription.reference]))
    body = response.content.decode()
    assert response.status_code == 200 and "Your carer's prescription" in body
    assert "Carers Breaks Guildford" in body and "01483 000001" in body  # who to contact
    assert "Husband has advanced dementia" not in body  # the staff note
    assert "Timeline" not in body and "Write a prescription" not in body and "Cancel the referral" not in body
    for staff_page in ("referrals:sent", "referrals:summary"):
        assert client.get(reverse(staff_page, args=[sent_prescription.reference])).status_code == 404


def test_inbox_item_is_for_the_receiving_coordinator_only(client, cast, sent_prescription):
    referral = sent_prescription.referrals.get(service__name="Carers Breaks Guildford")
    url = reverse("referrals:referral", args=[referral.pk])
    expected = {"referrer": 404, "colleague": 404, "coordinator": 200, "other_org_coordinator": 404,
                "manager": 404, "another_carer": 404, "anonymous": 302}
    assert {who: status_for(client, user, "get", url) for who, user in cast.items()} == expected


@pytest.mark.parametrize("action", ["accept", "decline", "contact-attempt", "in-contact", "close"])
def test_item_actions_are_for_the_receiving_coordinator_only_and_post_only(client, cast, sent_prescription, action):
    referral = sent_prescription.referrals.get(service__name="Carers Breaks Guildford")
    url = reverse("referrals:referral_action", args=[referral.pk, action])
    for who in ("referrer", "colleague", "other_org_coordinator", "manager", "another_carer"):
        assert status_for(client, cast[who], "post", url, {"reason": "no_capacity"}) == 404, who
    assert status_for(client, None, "post", url) == 302
    assert status_for(client, cast["coordinator"], "get", url) == 405
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_cancel_is_the_referrers_alone_and_post_only(client, cast, sent_prescription):
    referral = sent_prescription.referrals.get(service__name="Carers Breaks Guildford")
    url = reverse("referrals:referral_cancel", args=[referral.pk])
    for who in ("colleague", "coordinator", "other_org_coordinator", "manager", "another_carer"):
        assert status_for(client, cast[who], "post", url, {"reason": "x"}) == 404, who
    assert status_for(client, cast["referrer"], "get", url) == 405
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_reroute_is_for_the_referrer_and_the_manager(client, cast, sent_prescription):
    referral = sent_prescription.referrals.get(service__name="Carers Breaks Guildford")
    url = reverse("referrals:referral_reroute", args=[referral.pk])
    expected = {"referrer": 200, "colleague": 404, "coordinator": 404, "other_org_coordinator": 404,
                "manager": 200, "another_carer": 404, "anonymous": 302}
    assert {who: status_for(client, user, "get", url) for who, user in cast.items()} == expected


def test_drafts_are_their_writers_alone(client, cast, personas, directory, write_prescription):
    client.force_login(personas.referrer)
    draft = write_prescription()
    # Check-your-answers sends its writer back to choose services first.
    for name, own in (("referrals:draft_edit", 200), ("referrals:draft_services", 200),
                      ("referrals:draft_check", 302)):
        url = reverse(name, args=[draft.pk])
        assert status_for(client, cast["referrer"], "get", url) == own, name
        for who in ("colleague", "coordinator", "manager", "another_carer"):
            assert status_for(client, cast[who], "get", url) == 404, (name, who)
        assert status_for(client, None, "get", url) == 302
    delete = reverse("referrals:draft_delete", args=[draft.pk])
    for who in ("colleague", "coordinator", "manager", "another_carer"):
        assert status_for(client, cast[who], "post", delete) == 404, who
        assert status_for(client, cast[who], "get", delete) == 404, who
    assert status_for(client, cast["referrer"], "get", delete) == 200  # asks first
    assert status_for(client, cast["referrer"], "post", delete) == 302


def test_inbox_and_my_referrals_show_only_what_is_yours(client, cast, sent_prescription):
    inbox = reverse("referrals:inbox")
    assert status_for(client, None, "get", inbox) == 302
    client.force_login(cast["other_org_coordinator"])
    assert list(client.get(inbox).context["referrals"]) == []
    mine = reverse("referrals:mine")
    client.force_login(cast["colleague"])
    assert list(client.get(mine).context["prescriptions"]) == []


def test_the_inbox_and_my_referrals_refuse_the_people_they_do_not_serve(client, cast):
    """Regression: both pages had no role check and offered "Write a prescription" (a 404) to everyone."""
    inbox, mine = reverse("referrals:inbox"), reverse("referrals:mine")
    for who in ("referrer", "colleague", "manager", "another_carer"):
        assert status_for(client, cast[who], "get", inbox) == 404, who
    for who in ("coordinator", "other_org_coordinator", "manager", "another_carer"):
        assert status_for(client, cast[who], "get", mine) == 404, who
    client.force_login(cast["another_carer"])
    home = client.get(reverse("home")).content.decode()
    assert "Write a prescription" not in home and "Referral inbox" not in home


def test_no_personal_data_in_urls(client, personas, sent_prescription):
    client.force_login(personas.referrer)
    page = client.get(reverse("referrals:prescription", args=[sent_prescription.reference])).content.decode()
    import re

    for href in re.findall(r'href="([^"]+)"', page):
        assert "Margaret" not in href and "Okafor" not in href and "1961" not in href and "GU1" not in href
