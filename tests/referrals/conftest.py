"""A small directory around Guildford, and a helper that writes a prescription as a GP would."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from organisations.models import Service
from referrals.models import Prescription
from tests import factories


@dataclass
class Directory:
    breaks: Service  # at the carers' charity (the coordinator's organisation)
    listening: Service  # at another charity (the outsider's organisation), by phone
    counselling: Service  # at the carers' charity, emotional support in Guildford
    money_redhill: Service  # meets "money" but only in RH1


@pytest.fixture
def directory(partnership, needs, personas) -> Directory:
    return build_directory(needs, personas)


def build_directory(needs, personas) -> Directory:
    """The services the referral journeys route to (also used by the browser journeys)."""
    guildford = factories.LocationFactory(name="Guildford Carers Centre", postal_code="GU1 3AA")
    return Directory(
        breaks=factories.ServiceFactory(
            organisation=personas.charity, name="Carers Breaks Guildford", needs=[needs["breaks"]],
            districts=["GU1", "GU2"], locations=[guildford], phone="01483 000001",
        ),
        listening=factories.ServiceFactory(
            organisation=personas.other_charity, name="Carers Listening Line", needs=[needs["emotional-support"]],
            delivered_in_person=False, delivered_by_phone=True,
        ),
        counselling=factories.ServiceFactory(
            organisation=personas.charity, name="Carers Counselling Guildford",
            needs=[needs["emotional-counselling"]],
            districts=["GU1"], locations=[guildford], referral_capacity=Service.Capacity.WAITING_LIST,
            usual_wait_weeks=3,
        ),
        money_redhill=factories.ServiceFactory(
            organisation=personas.charity, name="Redhill Money Advice", needs=[needs["money"]], districts=["RH1"],
        ),
    )


def prescription_data(taxonomy, **overrides) -> dict:
    data = {
        "first_name": "Margaret", "last_name": "Okafor",
        "date_of_birth_0": "14", "date_of_birth_1": "3", "date_of_birth_2": "1961",
        "postcode": "gu1 4ab", "phone": "07700 900123", "email": "",
        "preferred_contact": "text", "language": "English",
        "relationship": "partner", "condition_group": "dementia", "lives_together": "yes",
        "needs": [taxonomy["breaks"].pk, taxonomy["emotional-support"].pk],
        "urgency": "soon", "note": "Husband has advanced dementia; she is exhausted.",
        "consent_given": "on", "consent_method": "verbal",
        "action": "continue",
    }
    data.update(overrides)
    return data


@pytest.fixture
def write_prescription(client, needs):
    """Fill in the form as a signed-in frontline worker; returns the draft the form made."""

    def write(**overrides) -> Prescription:
        response = client.post(reverse("referrals:new"), prescription_data(needs, **overrides))
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        return Prescription.objects.get(pk=response["Location"].split("/")[3])

    return write


@pytest.fixture
def send(client):
    """Choose services on the draft and send it; returns the sent referral."""

    def send_(draft: Prescription, services: list[Service] | None = None) -> Prescription:
        if services is not None:
            client.post(reverse("referrals:draft_services", args=[draft.pk]),
                        {"services": [str(s.pk) for s in services]})
        else:
            page = client.get(reverse("referrals:draft_services", args=[draft.pk]))
            chosen = [str(m.service.id) for m in page.context["routing"].selected]
            client.post(reverse("referrals:draft_services", args=[draft.pk]), {"services": chosen})
        response = client.post(reverse("referrals:draft_check", args=[draft.pk]))
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == Prescription.Status.SENT
        return draft

    return send_


@pytest.fixture
def sent_prescription(client, personas, directory, write_prescription, send) -> Prescription:
    """Margaret's prescription, sent by the GP to the breaks service and the listening line."""
    client.force_login(personas.referrer)
    prescription = send(write_prescription(), services=[directory.breaks, directory.listening])
    client.logout()
    return prescription
