"""Failed messages: the partnership's managers see what could not be delivered, fix it and try again.

A carer is named on that page only by their prescription's reference; nobody but a manager of the
message's partnership sees the page or can retry (404, or the sign-in page for an anonymous visitor).
"""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from partnership.models import User
from partnership.notifications import delivery
from partnership.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db

PAGE = reverse("notifications:failed_messages")


def retry_url(notification: Notification) -> str:
    return reverse("notifications:failed_message_retry", args=[notification.pk])


@pytest.fixture
def failed(personas, sent_prescription) -> dict[str, Notification]:
    """Three messages about Margaret's prescription that could not be delivered: to the coordinator (no email
    address on their account), to the service's referral inbox, and to the carer (a refused address)."""
    User.objects.filter(pk=personas.coordinator.pk).update(email="")
    to_coordinator = Notification.objects.get(recipient_user=personas.coordinator, channel="email")
    assert delivery.notification_deliver(to_coordinator.pk) == "failed"
    referral = sent_prescription.referrals.get(service__name="Carers Breaks Guildford")
    referral.service.referral_email = "referrals@breaks.example"
    referral.service.save()
    to_service = Notification.objects.create(
        partnership=sent_prescription.partnership, event_key=f"item-routed:{referral.pk}",
        recipient_key=f"service:{referral.service_id}", recipient_object=referral.service, channel="email",
        template="item_routed", context={"referral": str(referral.pk), "service": str(referral.service_id)},
        status=Notification.Status.FAILED, attempts=8, last_error="Gave up after 8 attempts. SMTPServerDisconnected",
    )
    to_carer = Notification.objects.addressed_to(sent_prescription.carer).get()
    Notification.objects.filter(pk=to_carer.pk).update(
        status=Notification.Status.FAILED, attempts=1,
        last_error="SMTPRecipientsRefused: {'margaret.okafor@example.org': (550, b'No such user')} "
                   "and 07700 900123 refused",
    )
    for row in (to_coordinator, to_service, to_carer):
        row.refresh_from_db()
    return {"coordinator": to_coordinator, "service": to_service, "carer": to_carer}


@pytest.fixture
def other_manager(db) -> User:
    """A manager of another partnership on the same installation."""
    return factories.PartnershipManagerFactory(partnership=factories.PartnershipFactory(slug="kent")).user


def test_manager_sees_each_failed_message_with_what_who_how_and_why(client, personas, failed, sent_prescription):
    client.force_login(personas.manager)
    body = client.get(PAGE).content.decode()
    assert "3 messages not delivered" in body
    assert f'New referral — <span class="app-reference">{sent_prescription.reference}</span>' in body
    assert "No email address" in body  # the coordinator's account has none
    assert "Carers Breaks Guildford referral inbox" in body and "referrals@breaks.example" in body
    assert "Gave up after 8 attempts" in body
    assert f"The carer on prescription {sent_prescription.reference}" in body
    assert "Text message" in body and "Email" in body
    assert body.count("Try again<span") == 3
    assert "Before you try again" in body and "under Services" in body


def test_the_page_shows_no_personal_data_of_the_carer(client, personas, failed, sent_prescription):
    client.force_login(personas.manager)
    body = client.get(PAGE).content.decode()
    for detail in ("Margaret", "Okafor", "margaret.okafor@example.org", "07700", "GU1 4AB", "dementia"):
        assert detail not in body, detail
    assert "SMTPRecipientsRefused: {'[address]': (550, b'No such user')} and [number] refused" in body.replace(
        "&#x27;", "'")


def test_a_staff_members_name_and_address_are_shown_to_fix_it(client, personas, failed):
    User.objects.filter(pk=personas.coordinator.pk).update(email="coordinator@example.org")
    client.force_login(personas.manager)
    body = client.get(PAGE).content.decode()
    assert escape(personas.coordinator.display_name) in body and "coordinator@example.org" in body


def test_failed_messages_are_in_the_navigation_of_managers_only(client, personas, failed):
    client.force_login(personas.manager)
    assert "Failed messages (3)" in client.get(reverse("home")).content.decode()
    for user in (personas.coordinator, personas.referrer, personas.org_admin):
        client.force_login(user)
        assert "Failed messages" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("who", ["coordinator", "referrer", "org_admin", "outsider"])
def test_anyone_but_a_manager_gets_404_for_the_page_and_the_retry(client, personas, failed, who):
    client.force_login(getattr(personas, who))
    assert client.get(PAGE).status_code == 404
    assert client.post(retry_url(failed["carer"])).status_code == 404
    failed["carer"].refresh_from_db()
    assert failed["carer"].status == Notification.Status.FAILED


def test_the_carer_it_was_about_signed_in_gets_404_for_the_page_and_the_retry(client, failed, sent_prescription):
    carer = sent_prescription.carer
    carer.user = factories.UserFactory()
    carer.save(update_fields=["user"])
    client.force_login(carer.user)
    assert client.get(PAGE).status_code == 404
    assert client.post(retry_url(failed["carer"])).status_code == 404
    failed["carer"].refresh_from_db()
    assert failed["carer"].status == Notification.Status.FAILED


def test_an_anonymous_visitor_is_asked_to_sign_in(client, failed):
    for response in (client.get(PAGE), client.post(retry_url(failed["carer"]))):
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    failed["carer"].refresh_from_db()
    assert failed["carer"].status == Notification.Status.FAILED


def test_another_partnerships_manager_sees_none_of_ours_and_cannot_retry_them(client, failed, other_manager,
                                                                             sent_prescription):
    client.force_login(other_manager)
    body = client.get(PAGE).content.decode()
    assert "No messages have failed." in body and sent_prescription.reference not in body
    for row in failed.values():
        assert client.post(retry_url(row)).status_code == 404
        row.refresh_from_db()
        assert row.status == Notification.Status.FAILED


def test_a_message_that_has_not_failed_cannot_be_retried(client, personas, failed, sent_prescription):
    in_app = Notification.objects.get(recipient_user=personas.coordinator, channel="in_app")
    client.force_login(personas.manager)
    assert client.post(retry_url(in_app)).status_code == 404
    assert client.post(reverse("notifications:failed_message_retry", args=[uuid.uuid4()])).status_code == 404


def test_retry_is_post_only(client, personas, failed):
    client.force_login(personas.manager)
    assert client.get(retry_url(failed["coordinator"])).status_code == 405
    failed["coordinator"].refresh_from_db()
    assert failed["coordinator"].status == Notification.Status.FAILED


def test_manager_fixes_the_address_and_the_retried_message_is_delivered(client, personas, failed,
                                                                         django_capture_on_commit_callbacks):
    row = failed["coordinator"]
    User.objects.filter(pk=personas.coordinator.pk).update(email="coordinator@example.org")
    client.force_login(personas.manager)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(retry_url(row), follow=True)
    assert callbacks, "the retry queues the message after commit"
    body = response.content.decode()
    assert "govuk-notification-banner--success" in body
    assert f"New referral to {escape(personas.coordinator.display_name)} is being sent again." in body
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT and row.attempts == 2
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    assert "2 messages not delivered" in body  # it has left the list


def test_a_retried_message_is_pending_again_until_a_worker_sends_it(client, personas, failed):
    client.force_login(personas.manager)
    client.post(retry_url(failed["service"]))  # no commit in this test: nothing is dispatched
    failed["service"].refresh_from_db()
    assert failed["service"].status == Notification.Status.PENDING and len(mail.outbox) == 0


def test_the_banner_names_a_carer_only_by_their_prescription(client, personas, failed, sent_prescription):
    client.force_login(personas.manager)
    body = client.post(retry_url(failed["carer"]), follow=True).content.decode()
    assert (f"Prescription confirmation to the carer to The carer on prescription {sent_prescription.reference} "
            "is being sent again.") in body
    assert "Margaret" not in body


def test_the_failed_page_costs_the_same_few_queries_however_many_failed(client, personas, failed, sent_prescription,
                                                                        django_assert_max_num_queries):
    client.force_login(personas.manager)
    # One more than when the outbox had a foreign key to services: the services whose referral inboxes
    # the rows were for are loaded by the app that owns them (organisations/notifications.py), in one query.
    with django_assert_max_num_queries(10) as few:
        client.get(PAGE)
    referral = sent_prescription.referrals.get(service__name="Carers Breaks Guildford")
    coordinators = factories.UserFactory.create_batch(3)
    Notification.objects.bulk_create([
        Notification(partnership=sent_prescription.partnership, event_key=f"test:{i}", recipient_key=f"user:{i}",
                     recipient_user=coordinators[i % 3], channel="email", template="item_reminder",
                     context={"referral": str(referral.pk)}, status=Notification.Status.FAILED,
                     last_error="No email address")
        for i in range(40)
    ])
    with django_assert_max_num_queries(10) as many:
        body = client.get(PAGE).content.decode()
    assert "43 messages not delivered" in body and body.count("Try again<span") == 25
    # At most one query each for the items and the prescriptions the rows mention, whatever their number.
    assert len(many.captured_queries) <= len(few.captured_queries)
