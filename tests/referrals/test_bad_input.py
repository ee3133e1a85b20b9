"""What people (and scripts) actually type: NUL bytes, pasted essays, emoji and markup. No form of the
journey gives a 500, echoes markup unescaped, or saves half of what it was given."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse

from referrals.models import Carer, Prescription, Referral, ReferralEvent
from tests import factories

from .conftest import prescription_data

pytestmark = pytest.mark.django_db

MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
BAD_VALUES = {
    "nul": "Ann\x00ie\x00",
    "5000-characters": "x" * 5000,
    "emoji": "👩‍👧 😊",
    "script": "<script>alert(1)</script>",
    "attribute-breakout": '"><img src=x onerror=alert(1)>',
}


def counts() -> dict[str, int]:
    return {"prescriptions": Prescription.objects.count(), "referrals": Referral.objects.count(),
            "events": ReferralEvent.objects.count(), "carers": Carer.objects.count()}


def changed(before: dict[str, int], **by: int) -> dict[str, int]:
    return {name: value + by.get(name, 0) for name, value in before.items()}


def assert_safe(response) -> str:
    """No server error, and no markup sent back as markup."""
    assert response.status_code < 500, response
    body = response.content.decode()
    for markup in MARKUP:
        assert markup not in body, f"{markup!r} is echoed unescaped"
    return body


@pytest.fixture
def gp(client, personas):
    client.force_login(personas.referrer)
    return personas.referrer


# --- Saving a draft -------------------------------------------------------------------------------


def test_a_draft_with_nul_bytes_is_saved_without_them_and_opens_again(client, gp, directory, needs):
    """Regression guard: PostgreSQL refuses NUL in text and JSON, so a draft that kept one gave a 500."""
    data = prescription_data(needs, action="draft", first_name="Marg\x00aret", last_name="\x00Okafor",
                             note="Exhausted.\x00 Call after six.")
    response = client.post(reverse("referrals:new"), data)
    assert response.status_code == 302 and response["Location"] == reverse("referrals:mine")
    draft = Prescription.objects.get(status=Prescription.Status.DRAFT)
    typed = draft.draft_data["form"]
    assert typed["first_name"] == ["Margaret"] and typed["last_name"] == ["Okafor"]
    assert typed["note"] == ["Exhausted. Call after six."]
    assert "\x00" not in json.dumps(draft.draft_data) and "\\u0000" not in json.dumps(draft.draft_data)
    page = client.get(reverse("referrals:draft_edit", args=[draft.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="Margaret"' in body and "Exhausted. Call after six." in body


def test_an_empty_form_saved_as_a_draft_asks_for_the_carers_name_and_saves_nothing(client, gp, directory):
    response = client.post(reverse("referrals:new"), {"action": "draft", "token": str(uuid.uuid4())})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Enter the carer&#x27;s name to save a draft" in body
    assert not Prescription.objects.exists()


# --- The form's token -----------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["continue", "draft"])
def test_a_malformed_form_token_is_a_400_and_saves_nothing(client, gp, directory, needs, action):
    """Regression guard: uuid.UUID("not-a-uuid") raises; unhandled, that is a 500."""
    response = client.post(reverse("referrals:new"), prescription_data(needs, action=action, token="not-a-uuid"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "This form could not be saved" in body
    assert 'value="Margaret"' in body  # what was typed is kept
    assert not Prescription.objects.exists()


@pytest.mark.parametrize("action", ["continue", "draft"])
def test_another_persons_draft_token_is_refused_with_a_message_and_their_draft_is_untouched(
        client, gp, personas, directory, needs, action):
    """Regression guard: a token that finds a colleague's draft must neither write onto it nor give a 500."""
    colleague = factories.StaffRoleFactory(membership=personas.gp_practice.memberships.get()).user
    token = str(uuid.uuid4())
    client.force_login(colleague)
    client.post(reverse("referrals:new"), prescription_data(needs, action="draft", token=token, first_name="Ade",
                                                            last_name="Bello"))
    theirs = Prescription.objects.get(referrer=colleague)
    kept = theirs.draft_data

    client.force_login(personas.referrer)
    response = client.post(reverse("referrals:new"), prescription_data(needs, action=action, token=token))
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "This form has already been used" in body.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    theirs.refresh_from_db()
    assert theirs.draft_data == kept and theirs.referrer == colleague
    assert theirs.status == Prescription.Status.DRAFT
    assert Prescription.objects.count() == 1


# --- Every form of the journey, with every bad value in every field -------------------------------

PRESCRIPTION_FIELDS = [
    "first_name", "last_name", "date_of_birth_0", "date_of_birth_1", "date_of_birth_2", "postcode", "phone",
    "email", "preferred_contact", "language", "needs_interpreter", "accessibility_needs", "relationship",
    "condition_group", "lives_together", "needs", "urgency", "note", "consent_given", "consent_method",
    "consent_date_0", "consent_date_1", "consent_date_2", "organisation", "token",
]


def _prescription_form(client, needs, bad: str) -> list[Prescription]:
    """Each field bad in turn, then every field bad at once, by Continue and by Save as draft. A valid
    submission makes one draft and nothing else; anything else saves nothing."""
    drafts = []
    for action in ("continue", "draft"):
        for fields in [[name] for name in PRESCRIPTION_FIELDS] + [PRESCRIPTION_FIELDS]:
            data = prescription_data(needs, action=action, token=str(uuid.uuid4()))
            data.update({name: [bad] if name == "needs" else bad for name in fields})
            before = counts()
            response = client.post(reverse("referrals:new"), data)
            assert_safe(response)
            if response.status_code == 302:
                assert counts() == changed(before, prescriptions=1), (action, fields)
                draft = Prescription.objects.order_by("created_at").last()
                assert draft.status == Prescription.Status.DRAFT
                assert "\\u0000" not in json.dumps(draft.draft_data)
                drafts.append(draft)
            else:
                assert counts() == before, (action, fields)
    return drafts


def _choose_services(client, draft: Prescription, bad: str, valid: list[str]) -> None:
    for services in ([bad], [*valid, bad]):
        before, saved = counts(), dict(draft.draft_data)
        response = client.post(reverse("referrals:draft_services", args=[draft.pk]), {"services": services})
        assert_safe(response)
        assert response.status_code == 200  # shown again with the error
        draft.refresh_from_db()
        assert draft.draft_data == saved and counts() == before
    response = client.post(reverse("referrals:draft_services", args=[draft.pk]), {"services": valid})
    assert response.status_code == 302


def _referral_action(client, referral: Referral, action: str, data: dict, *, valid: bool, **expected) -> None:
    """Post a coordinator's action; a valid one changes what it should, anything else nothing at all."""
    before = counts()
    was = Referral.objects.values().get(pk=referral.pk)
    response = client.post(reverse("referrals:referral_action", args=[referral.pk, action]), data)
    assert_safe(response)
    referral.refresh_from_db()
    if valid and response.status_code == 302:
        assert counts() == changed(before, events=1), (action, data)
        for name, value in expected.items():
            assert getattr(referral, name) == value, (action, name)
    else:
        assert response.status_code == 400, (action, data)
        assert counts() == before and Referral.objects.values().get(pk=referral.pk) == was, (action, data)


@pytest.mark.slow
@pytest.mark.parametrize("bad", list(BAD_VALUES.values()), ids=list(BAD_VALUES))
def test_no_form_of_the_journey_gives_a_500_echoes_markup_or_saves_half_of_a_submission(
        client, personas, directory, needs, bad):
    """Regression: a NUL in the item page's service search (?suggest=) reached PostgreSQL, a 500."""
    client.force_login(personas.referrer)

    # Writing the prescription; then the pages that show what the drafts kept.
    drafts = _prescription_form(client, needs, bad)
    assert drafts  # a draft keeps whatever was typed in its other fields, so some of these were saved
    assert_safe(client.get(reverse("referrals:mine")))
    for draft in drafts:
        assert_safe(client.get(reverse("referrals:draft_edit", args=[draft.pk])))

    # Choosing services, then checking the answers and sending (a POST with nothing to type: anything
    # posted with it is ignored, and it sends the prescription once).
    response = client.post(reverse("referrals:new"), prescription_data(needs))
    draft = Prescription.objects.get(pk=response["Location"].split("/")[3])
    valid = [str(directory.breaks.pk), str(directory.counselling.pk), str(directory.listening.pk)]
    _choose_services(client, draft, bad, valid)
    before = counts()
    response = client.post(reverse("referrals:draft_check", args=[draft.pk]),
                           {"services": bad, "note": bad, "first_name": bad})
    assert_safe(response)
    assert response.status_code == 302 and response["Location"].endswith("/sent/")
    assert counts() == changed(before, referrals=3, events=4, carers=1)
    prescription = Prescription.objects.get(pk=draft.pk)
    assert prescription.status == Prescription.Status.SENT and bad not in prescription.carer_first_name
    breaks, counselling, listening = (prescription.referrals.get(service=s) for s in
                                      (directory.breaks, directory.counselling, directory.listening))
    assert_safe(client.get(reverse("referrals:sent", args=[prescription.reference])))

    # The coordinator declines one, works another to its close.
    client.force_login(personas.coordinator)
    assert_safe(client.get(reverse("referrals:referral", args=[counselling.pk]), {"suggest": bad}))
    _referral_action(client, counselling, "decline", {"reason": bad, "note": bad, "suggested_service": bad},
                     valid=False)
    _referral_action(client, counselling, "decline", {"reason": "no_capacity", "suggested_service": bad}, valid=False)
    _referral_action(client, counselling, "decline", {"reason": "other", "note": bad}, valid=True,
                 status=Referral.Status.DECLINED, decline_reason="other")
    client.post(reverse("referrals:referral_action", args=[breaks.pk, "accept"]))
    _referral_action(client, breaks, "contact-attempt", {"note": bad}, valid=True, contact_attempts=1)
    _referral_action(client, breaks, "close", {"outcome": bad, "note": bad}, valid=False)
    _referral_action(client, breaks, "close", {"outcome": "supported", "note": bad}, valid=True,
                 status=Referral.Status.CLOSED, outcome="supported")
    for referral in (breaks, counselling):
        assert_safe(client.get(reverse("referrals:referral", args=[referral.pk])))

    # The referrer re-routes the declined one and cancels the third.
    client.force_login(personas.referrer)
    before = counts()
    response = client.post(reverse("referrals:referral_reroute", args=[counselling.pk]), {"service": bad})
    assert_safe(response)
    assert response.status_code == 200 and counts() == before
    assert not Referral.objects.filter(rerouted_from=counselling).exists()
    before = counts()
    response = client.post(reverse("referrals:referral_cancel", args=[listening.pk]), {"reason": bad})
    assert_safe(response)
    listening.refresh_from_db()
    if response.status_code == 302:
        assert counts() == changed(before, events=1) and listening.status == Referral.Status.WITHDRAWN
    else:
        assert response.status_code == 400
        assert counts() == before and listening.status == Referral.Status.SENT
    for page in ("referrals:prescription", "referrals:summary"):
        assert_safe(client.get(reverse(page, args=[prescription.reference])))
    assert_safe(client.get(reverse("referrals:mine")))

    # The directory search and the inbox, with the bad value in each parameter and in all at once.
    search = {"q": bad, "postcode": bad, "distance": bad, "needs": bad, "delivery": bad, "page": bad}
    for name in [*search, None]:
        params = search if name is None else {name: bad}
        assert_safe(client.get(reverse("organisations:search"), params))
    client.force_login(personas.coordinator)
    inbox = {"status": bad, "service": bad, "page": bad}
    for name in [*inbox, None]:
        params = inbox if name is None else {name: bad}
        response = client.get(reverse("referrals:inbox"), params)
        assert_safe(response)
        assert response.status_code == 200
