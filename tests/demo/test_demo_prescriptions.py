from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from partnership.models import User
from partnership.notifications.models import Notification
from referrals.models import Carer, Referral

pytestmark = pytest.mark.django_db


def test_demo_prescriptions_cover_every_state_and_each_demo_account_sees_them(client):
    call_command("seed_demo", verbosity=0)  # the directory, accounts, and the demo prescriptions
    call_command("seed_demo", verbosity=0)  # a second run adds nothing
    call_command("seed_demo_referrals", verbosity=0)
    statuses = Counter(Referral.objects.values_list("status", flat=True))
    assert set(statuses) == set(Referral.Status.values)
    assert sum(statuses.values()) == 10
    assert Carer.objects.get(user__email="carer@demo.partnershiphub.example").prescriptions.exists()

    client.force_login(User.objects.get(email="coordinator@demo.partnershiphub.example"))
    inbox = client.get(reverse("referrals:inbox"))
    assert len(inbox.context["referrals"]) >= 4
    assert any(referral.overdue for referral in inbox.context["referrals"])
    client.force_login(User.objects.get(email="gp@demo.partnershiphub.example"))
    assert len(client.get(reverse("referrals:mine")).context["prescriptions"]) == 10
    assert client.get(reverse("referrals:mine"), {"show": "attention"}).context["prescriptions"]


def test_the_demo_has_notifications_to_read_and_a_failed_message_for_the_manager(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # as `make run` does, delivered eagerly on commit
        call_command("seed_demo", verbosity=0)
    coordinator = User.objects.get(email="coordinator@demo.partnershiphub.example")
    manager = User.objects.get(email="manager@demo.partnershiphub.example")
    assert Notification.objects.in_app_for(coordinator).unread().count() >= 4
    [failed] = Notification.objects.failed_visible_to(manager)
    assert failed.channel == "sms" and "Not a UK mobile number" in failed.last_error
    assert not Notification.objects.filter(status__in=["pending", "sending"]).exists()
