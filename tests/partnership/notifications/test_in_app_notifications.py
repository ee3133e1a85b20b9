"""In-app notifications: a person's own list, the unread count in the header, opening one marks it read."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnership.models import User
from partnership.notifications import navigation
from partnership.notifications.messages import notifications_described
from partnership.notifications.models import Notification
from referrals.models import Referral
from referrals.services import referral_accept
from tests import factories

pytestmark = pytest.mark.django_db

UNREAD = re.compile(r'<span class="govuk-visually-hidden">\((\d+) unread\)</span>')


def unread_in_header(body: str) -> int | None:
    """The count after "Notifications" in the service navigation: "(3)" to see, "(3 unread)" to hear."""
    found = re.search(r'>\s*(?:<strong[^>]*>)?Notifications(?:</strong>)? <span aria-hidden="true">\((\d+)\)</span>'
                      + UNREAD.pattern, body)
    if found:
        assert found.group(1) == found.group(2)
    return int(found.group(1)) if found else None


def breaks_referral(prescription) -> Referral:
    return prescription.referrals.get(service__name="Carers Breaks Guildford")


def in_app(user) -> Notification:
    return Notification.objects.get(recipient_user=user, channel=Notification.Channel.IN_APP)


def page_of(client, user, url_name: str = "notifications:notifications") -> str:
    client.force_login(user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    return response.content.decode()


def test_coordinator_sees_the_routed_referral_with_its_service_and_reference(client, personas, sent_prescription):
    body = page_of(client, personas.coordinator)
    assert f"New referral for Carers Breaks Guildford — reference {sent_prescription.reference}" in body
    assert '<strong class="govuk-tag govuk-tag--blue">New</strong>' in body
    assert reverse("notifications:notification_open", args=[in_app(personas.coordinator).pk]) in body
    # The listening line's coordinator (another organisation) was told of theirs, not of this one.
    assert "Carers Listening Line" not in body


def test_the_notifications_page_shows_no_carer_details(client, personas, sent_prescription):
    body = page_of(client, personas.coordinator)
    assert "Margaret" not in body and "Okafor" not in body and "07700" not in body


def test_unread_count_is_in_the_header_of_every_page(client, personas, sent_prescription):
    for url_name in ("home", "referrals:inbox", "organisations:search"):
        body = page_of(client, personas.coordinator, url_name)
        assert unread_in_header(body) == 1, url_name


def test_no_notifications_link_for_an_anonymous_visitor(client, sent_prescription):
    body = client.get(reverse("home")).content.decode()
    assert reverse("notifications:notifications") not in body and "Your account" not in body


def test_opening_a_notification_marks_it_read_and_goes_to_the_inbox_item(client, personas, sent_prescription):
    notification = in_app(personas.coordinator)
    client.force_login(personas.coordinator)
    response = client.get(reverse("notifications:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:referral", args=[breaks_referral(sent_prescription).pk])
    notification.refresh_from_db()
    assert notification.read_at is not None
    body = page_of(client, personas.coordinator)
    assert unread_in_header(body) is None and not UNREAD.search(body)  # the count has gone from the header
    assert "govuk-tag--blue\">New<" not in body
    assert f"New referral for Carers Breaks Guildford — reference {sent_prescription.reference}" in body


def test_opening_it_again_keeps_the_time_it_was_first_read(client, personas, sent_prescription):
    notification = in_app(personas.coordinator)
    client.force_login(personas.coordinator)
    client.get(reverse("notifications:notification_open", args=[notification.pk]))
    notification.refresh_from_db()
    first = notification.read_at
    client.get(reverse("notifications:notification_open", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at == first


def test_referrer_sees_the_acceptance_and_opens_the_referral(client, personas, sent_prescription):
    client.force_login(personas.coordinator)
    client.post(reverse("referrals:referral_action", args=[breaks_referral(sent_prescription).pk, "accept"]))
    body = page_of(client, personas.referrer)
    assert f"Your referral {sent_prescription.reference} to Carers Breaks Guildford was accepted" in body
    assert unread_in_header(body) == 1
    response = client.get(reverse("notifications:notification_open", args=[in_app(personas.referrer).pk]))
    assert response["Location"] == reverse("referrals:prescription", args=[sent_prescription.reference])
    assert in_app(personas.referrer).read_at is not None


def test_mark_all_as_read_marks_only_your_own(client, personas, sent_prescription):
    # One more for the referrer.
    referral_accept(referral=breaks_referral(sent_prescription), actor=personas.coordinator)
    client.force_login(personas.coordinator)
    response = client.post(reverse("notifications:notifications_mark_read"), follow=True)
    assert "All your notifications are marked as read." in response.content.decode()
    assert "govuk-notification-banner--success" in response.content.decode()
    assert not Notification.objects.in_app_for(personas.coordinator).unread().exists()
    assert Notification.objects.in_app_for(personas.referrer).unread().count() == 1
    assert Notification.objects.in_app_for(personas.outsider).unread().count() == 1


def test_mark_all_as_read_is_post_only(client, personas, sent_prescription):
    client.force_login(personas.coordinator)
    assert client.get(reverse("notifications:notifications_mark_read")).status_code == 405
    assert Notification.objects.in_app_for(personas.coordinator).unread().exists()


def test_another_persons_notification_is_a_404_and_stays_unread(client, personas, sent_prescription):
    theirs = in_app(personas.outsider)
    carer = sent_prescription.carer  # Margaret, signed in: the referral is hers, the notification is not
    carer.user = factories.UserFactory()
    carer.save(update_fields=["user"])
    for user in (personas.coordinator, personas.referrer, personas.manager, carer.user):
        client.force_login(user)
        assert client.get(reverse("notifications:notification_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_your_own_email_row_is_not_an_in_app_notification(client, personas, sent_prescription):
    email = Notification.objects.get(recipient_user=personas.coordinator, channel=Notification.Channel.EMAIL)
    client.force_login(personas.coordinator)
    assert client.get(reverse("notifications:notification_open", args=[email.pk])).status_code == 404
    assert client.get(reverse("notifications:notification_open", args=[uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize("method,url", [
    ("get", reverse("notifications:notifications")),
    ("get", reverse("notifications:notification_open", args=["6f1c2a7e-0000-4000-8000-000000000000"])),
    ("post", reverse("notifications:notifications_mark_read")),
])
def test_an_anonymous_visitor_is_asked_to_sign_in(client, db, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_a_person_with_no_notifications_is_told_so(client, personas):
    body = page_of(client, personas.org_admin)
    assert "You have no notifications yet." in body and "Mark all as read" not in body
    assert "Notifications (" not in body


def test_notifications_page_links_to_email_preferences(client, personas):
    assert reverse("email_notifications") in page_of(client, personas.org_admin)


def make_in_app(user, referral: Referral, template: str, n: int) -> list[Notification]:
    return Notification.objects.bulk_create([
        Notification(event_key=f"test:{template}:{referral.pk}:{i}", recipient_key=f"user:{user.pk}",
                     recipient_user=user,
                     channel=Notification.Channel.IN_APP, template=template,
                     context={"referral": str(referral.pk), "service": str(referral.service_id)},
                     partnership_id=referral.prescription.partnership_id)
        for i in range(n)
    ])


def test_the_list_is_newest_first_and_paginated(client, personas, sent_prescription):
    referral = breaks_referral(sent_prescription)
    make_in_app(personas.coordinator, referral, "item_reminder", 30)
    client.force_login(personas.coordinator)
    first = client.get(reverse("notifications:notifications")).content.decode()
    assert first.count('class="app-result"') == 25 and "Page 1 of 2" in first
    assert "Reminder: referral" in first
    second = client.get(reverse("notifications:notifications") + "?page=2").content.decode()
    # The oldest, the routed referral, is last.
    assert second.count('class="app-result"') == 6 and "New referral for Carers Breaks Guildford" in second


def test_the_list_costs_the_same_few_queries_however_many_notifications(client, personas, sent_prescription,
                                                                         django_assert_max_num_queries, directory):
    client.force_login(personas.coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:notifications"))
    # Many notifications about many different referrals: the titles are still looked up in bulk.
    for service in (directory.counselling, directory.money_redhill):
        referral = Referral.objects.create(prescription=sent_prescription, service=service,
                                           carer=sent_prescription.carer)
        make_in_app(personas.coordinator, referral, "item_routed", 20)
    # Session, user, count, page, items, header counts, roles, partnership.
    with django_assert_max_num_queries(8) as many:
        response = client.get(reverse("notifications:notifications"))
    assert response.content.decode().count('class="app-result"') == 25
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_header_count_costs_one_query(personas, sent_prescription):
    make_in_app(personas.coordinator, breaks_referral(sent_prescription), "item_reminder", 5)
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=personas.coordinator.pk)
    with CaptureQueriesContext(connection) as queries:
        referrals = navigation.items(request)
    # The counts, in one query (the roles behind the referral hub's items are its own query).
    assert len(queries.captured_queries) == 1
    [notifications] = [referral for referral in referrals if referral.url_name == "notifications:notifications"]
    assert notifications.count == 6 and notifications.count_description == "unread"
    assert not [referral for referral in referrals if referral.url_name == "notifications:failed_messages"]


def test_titles_for_every_event_and_for_what_has_gone(personas, sent_prescription):
    referral = breaks_referral(sent_prescription)
    ref = sent_prescription.reference

    def row(template: str, context: dict) -> Notification:
        return Notification(template=template, context=context, channel="in_app", recipient_user=personas.referrer)

    rows = [
        row("item_routed", {"referral": str(referral.pk), "service": str(referral.service_id)}),
        row("item_accepted", {"referral": str(referral.pk), "status": "accepted"}),
        row("item_declined", {"referral": str(referral.pk), "status": "declined"}),
        row("item_closed", {"referral": str(referral.pk), "status": "closed"}),
        row("item_reminder", {"referral": str(referral.pk), "target_days": 3}),
        row("item_escalation", {"referral": str(referral.pk), "target_days": 3}),
        row("prescription_sent", {"prescription": str(sent_prescription.pk)}),
        row("daily_digest", {"notifications": ["a", "b"]}),
        row("item_accepted", {"referral": str(uuid.uuid4())}),  # the item is gone
        row("item_routed", {"referral": "not-a-uuid"}),
        row("something_new", {}),
    ]
    with CaptureQueriesContext(connection) as queries:
        described = notifications_described(rows)
    assert len(queries.captured_queries) <= 3
    assert [d.title for d in described] == [
        f"New referral for Carers Breaks Guildford — reference {ref}",
        f"Your referral {ref} to Carers Breaks Guildford was accepted",
        f"Your referral {ref} to Carers Breaks Guildford was declined",
        f"Your referral {ref} to Carers Breaks Guildford was closed",
        f"Reminder: referral {ref} to Carers Breaks Guildford is waiting for a reply",
        f"Referral {ref} to Carers Breaks Guildford was not acknowledged in time",
        f"Prescription confirmation to the carer — reference {ref}",
        "Daily digest of 2 updates",
        "Referral accepted",
        "New referral",
        "Something new",
    ]
    assert [d.url for d in described] == [
        reverse("referrals:referral", args=[referral.pk]),
        *[reverse("referrals:prescription", args=[ref])] * 3,
        reverse("referrals:referral", args=[referral.pk]),  # a reminder is for the service's inbox
        reverse("referrals:prescription", args=[ref]),  # an escalation, for the manager
        reverse("referrals:prescription", args=[ref]),
        reverse("notifications:notifications"),
        None, None, None,
    ]


def test_a_notification_whose_referral_is_gone_is_listed_without_a_link(client, personas, sent_prescription):
    notification = in_app(personas.coordinator)
    Notification.objects.filter(pk=notification.pk).update(context={"referral": str(uuid.uuid4())})
    body = page_of(client, personas.coordinator)
    assert "New referral" in body
    assert reverse("notifications:notification_open", args=[notification.pk]) not in body
    # Followed all the same (an old link), it comes back to the list, marked read.
    response = client.get(reverse("notifications:notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:notifications")


def test_a_referrer_who_prefers_a_digest_still_gets_the_in_app_notification_at_once(client, personas,
                                                                                     sent_prescription):
    User.objects.filter(pk=personas.referrer.pk).update(email_frequency=User.EmailFrequency.DAILY)
    client.force_login(personas.coordinator)
    client.post(reverse("referrals:referral_action", args=[breaks_referral(sent_prescription).pk, "accept"]))
    email = Notification.objects.get(recipient_user=personas.referrer, channel=Notification.Channel.EMAIL)
    assert email.status == Notification.Status.HELD
    assert in_app(personas.referrer).status == Notification.Status.PENDING
    assert "was accepted" in page_of(client, personas.referrer)


def test_opening_the_referral_from_the_inbox_also_marks_its_notification_read(client, personas, sent_prescription):
    mine, theirs = in_app(personas.coordinator), in_app(personas.outsider)
    client.force_login(personas.coordinator)
    referral = sent_prescription.referrals.get(service__name="Carers Breaks Guildford")
    body = client.get(reverse("referrals:referral", args=[referral.pk])).content.decode()
    assert "(1 unread)" not in body and "unread)" not in body  # the header already counts it read
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_the_referrer_reading_their_referral_reads_its_news(client, personas, sent_prescription):
    referral = sent_prescription.referrals.get(service__name="Carers Breaks Guildford")
    referral_accept(referral=referral, actor=personas.coordinator)
    client.force_login(personas.referrer)
    client.get(reverse("referrals:prescription", args=[sent_prescription.reference]))
    assert not Notification.objects.in_app_for(personas.referrer).unread().exists()
