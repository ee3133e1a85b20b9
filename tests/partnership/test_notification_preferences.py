"""Your account: a person chooses to be emailed as each thing happens, or once a day in a digest."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organisations.models import StaffRole
from partnership.models import User
from tests.factories import StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("email_notifications")


@pytest.fixture
def person(db) -> User:
    """A district nurse who refers carers."""
    return StaffRoleFactory(role=StaffRole.Role.REFERRER, user__email="nurse@example.org", user__first_name="Priya",
                            user__last_name="Shah").user


def test_the_page_asks_how_often_with_both_choices_and_says_what_is_unaffected(client, person):
    client.force_login(person)
    body = client.get(PAGE).content.decode()
    assert '<h1 class="govuk-heading-l">Email notifications</h1>' in body
    assert "How often do you want to get emails about referrals?" in body
    assert "As each thing happens" in body and "Once a day, in a digest" in body
    assert "reminders about referrals waiting for a reply, are not affected" in body
    assert 'value="each" checked' in " ".join(body.split())
    assert "nurse@example.org" in body


def test_choosing_a_daily_digest_is_saved_with_a_success_banner(client, person):
    client.force_login(person)
    response = client.post(PAGE, {"email_frequency": "daily"}, follow=True)
    person.refresh_from_db()
    assert person.email_frequency == User.EmailFrequency.DAILY
    body = response.content.decode()
    assert response.redirect_chain == [(PAGE, 302)]
    assert "govuk-notification-banner--success" in body and "We will email you once a day, in a digest." in body
    client.post(PAGE, {"email_frequency": "each"})
    person.refresh_from_db()
    assert person.email_frequency == User.EmailFrequency.EACH


def test_the_saved_choice_is_shown_checked(client, person):
    User.objects.filter(pk=person.pk).update(email_frequency=User.EmailFrequency.DAILY)
    client.force_login(person)
    response = client.get(PAGE)
    assert response.context["form"]["email_frequency"].value() == "daily"
    assert 'value="daily" checked' in " ".join(response.content.decode().split())


@pytest.mark.parametrize("data", [{}, {"email_frequency": "weekly"}])
def test_no_choice_or_a_made_up_one_is_an_error_and_changes_nothing(client, person, data):
    client.force_login(person)
    response = client.post(PAGE, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "<title>Error: Email notifications" in body
    # The summary's link goes to the first radio.
    assert '<a href="#id_email_frequency_1">' in body and 'id="id_email_frequency_1"' in body
    person.refresh_from_db()
    assert person.email_frequency == User.EmailFrequency.EACH


def test_it_changes_only_the_signed_in_persons_own_choice(client, person):
    other = UserFactory()
    client.force_login(person)
    client.post(PAGE, {"email_frequency": "daily", "id": other.pk, "email": "changed@example.org"})
    other.refresh_from_db()
    person.refresh_from_db()
    assert other.email_frequency == User.EmailFrequency.EACH
    assert person.email_frequency == User.EmailFrequency.DAILY and person.email == "nurse@example.org"


def test_an_anonymous_visitor_is_asked_to_sign_in(client, db):
    for response in (client.get(PAGE), client.post(PAGE, {"email_frequency": "daily"})):
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_header_links_to_your_account_when_signed_in(client, person):
    client.force_login(person)
    body = client.get(reverse("home")).content.decode()
    assert f'href="{PAGE}">Your account</a>' in body


def test_the_page_does_not_clash_with_allauths_pages():
    assert PAGE == "/account/notifications/"
    assert not PAGE.startswith(reverse("account_login").rsplit("login/", 1)[0])


def test_your_account_speaks_to_a_carer_as_a_carer(client):
    """Regression: a carer's "Your account" offered the staff digest of referrals sent to "your service"."""
    carer = UserFactory(email="carer@example.org")
    client.force_login(carer)
    body = client.get(PAGE).content.decode()
    assert "How we contact you" in body and "contact the person who referred you" in body
    assert "your service" not in body and "digest" not in body
    assert client.post(PAGE, {"email_frequency": "daily"}).status_code == 404
