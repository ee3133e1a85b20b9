from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from partnership.models import User
from referrals.models import Carer, ReferralItem

pytestmark = pytest.mark.django_db


def test_demo_prescriptions_cover_every_state_and_each_demo_account_sees_them(client):
    call_command("seed_demo", verbosity=0)  # the directory, accounts, and the demo prescriptions
    call_command("seed_demo", verbosity=0)  # a second run adds nothing
    call_command("seed_demo_referrals", verbosity=0)
    statuses = Counter(ReferralItem.objects.values_list("status", flat=True))
    assert set(statuses) == set(ReferralItem.Status.values)
    assert sum(statuses.values()) == 9
    assert Carer.objects.get(user__email="carer@demo.partnershiphub.example").referrals.exists()

    client.force_login(User.objects.get(email="coordinator@demo.partnershiphub.example"))
    inbox = client.get(reverse("referrals:inbox"))
    assert len(inbox.context["items"]) >= 4
    assert any(item.overdue for item in inbox.context["items"])
    client.force_login(User.objects.get(email="gp@demo.partnershiphub.example"))
    assert len(client.get(reverse("referrals:mine")).context["referrals"]) == 9
    assert client.get(reverse("referrals:mine"), {"show": "attention"}).context["referrals"]
