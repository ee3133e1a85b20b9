"""Signing in and out with django-allauth: email is the login, addresses are verified first."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture
def verified_user(db):
    user = UserFactory(email="nurse@example.org", first_name="Priya", last_name="Shah")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_staff_member_signs_in_with_email_and_password(client, verified_user):
    response = client.post(reverse("account_login"), {"login": "NURSE@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert "Priya Shah" in page and "Sign out" in page


def test_wrong_password_is_refused_with_a_govuk_error_summary(client, verified_user):
    response = client.post(reverse("account_login"), {"login": verified_user.email, "password": "wrong"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "<title>Error: Sign in" in body
    assert "_auth_user_id" not in client.session


def test_empty_sign_in_says_what_to_enter(client, db):
    body = client.post(reverse("account_login"), {"login": "", "password": ""}).content.decode()
    assert "Enter your email address" in body and "Enter your password" in body


def test_unverified_address_is_sent_a_verification_email_not_signed_in(client, db):
    user = UserFactory(email="new@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]


def test_sign_out_is_a_post(client, verified_user):
    client.force_login(verified_user)
    assert client.get(reverse("account_logout")).status_code in (200, 302)
    assert "_auth_user_id" in client.session  # a GET never signs anybody out
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_open_sign_up_is_closed(client, db):
    response = client.post(reverse("account_signup"), {"email": "a@example.org", "password1": "x" * 12,
                                                       "password2": "x" * 12})
    assert "_auth_user_id" not in client.session
    assert not EmailAddress.objects.filter(email="a@example.org").exists()
    assert response.status_code == 200


def test_password_reset_sends_an_email_without_revealing_whether_the_account_exists(client, verified_user):
    known = client.post(reverse("account_reset_password"), {"email": verified_user.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert mail.outbox[0].to == [verified_user.email]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_reset_for_an_unknown_address_says_how_to_get_access_and_never_invites_sign_up(client, db):
    """Open sign-up is closed: somebody without an account is told who can add them, not sent to sign up."""
    form = client.get(reverse("account_reset_password"))
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert form.status_code == done.status_code == 200

    [email] = mail.outbox
    assert email.to == ["nobody@example.org"]
    assert email.subject.endswith("No account uses this email address")
    body = " ".join(email.body.split())
    assert "Ask your organisation's admin or the partnership manager to add you." in body
    assert "If you are a carer Contact the person who referred you" in body
    assert "http" not in body  # no link to follow: nothing to sign up to
    for text in (email.subject, email.body, form.content.decode(), done.content.decode()):
        assert reverse("account_signup") not in text
        assert not any(words in text.lower() for words in ("sign up", "sign-up", "signup", "register",
                                                          "create an account")), text
