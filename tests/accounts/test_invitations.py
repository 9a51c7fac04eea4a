from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, User, hash_token
from tests.factories import UserFactory


@pytest.fixture
def make_invitation(company_a):
    def make(email="guest@test.example", role="member", **fields):
        token = Invitation.new_token()
        invitation = Invitation.objects.create(
            company=company_a.company,
            email=email,
            role=role,
            invited_by=company_a.admin,
            token_hash=hash_token(token),
            expires_at=fields.pop("expires_at", timezone.now() + timedelta(days=3)),
            **fields,
        )
        return invitation, token

    return make


def url(token):
    return reverse("accounts:invitation", args=[token])


def test_new_person_creates_account_and_joins(client, make_invitation):
    invitation, token = make_invitation(role="admin")
    page = client.get(url(token))
    assert page.status_code == 200
    assert invitation.company.name in page.text
    response = client.post(
        url(token),
        {
            "full_name": "Nour Invitée",
            "password1": "un-secret-bien-long",
            "password2": "un-secret-bien-long",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="guest@test.example")
    assert Membership.objects.get(user=user, company=invitation.company).role == "admin"
    assert client.get(reverse("home")).context["company"] == invitation.company


def test_invitation_is_single_use(client, make_invitation):
    _invitation, token = make_invitation()
    client.post(
        url(token),
        {
            "full_name": "A B",
            "password1": "un-secret-bien-long",
            "password2": "un-secret-bien-long",
        },
    )
    client.logout()
    again = client.get(url(token))
    assert again.status_code == 404
    assert User.objects.filter(email="guest@test.example").count() == 1


def test_existing_user_joins_when_logged_in(client_for, make_invitation):
    user = UserFactory(email="guest@test.example")
    invitation, token = make_invitation()
    client = client_for(user)
    page = client.get(url(token))
    assert page.status_code == 200
    assert "Rejoindre l’entreprise" in page.text
    assert 'name="password1"' not in page.text
    response = client.post(url(token))
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, company=invitation.company).exists()


def test_existing_user_not_logged_in_is_asked_to_log_in(client, make_invitation):
    UserFactory(email="guest@test.example")
    _invitation, token = make_invitation()
    response = client.get(url(token))
    assert reverse("accounts:login") in response.text
    assert 'name="password1"' not in response.text


def test_logged_in_with_another_address_cannot_accept(client_for, make_invitation):
    other = UserFactory(email="someone.else@test.example")
    invitation, token = make_invitation()
    client = client_for(other)
    client.post(url(token))
    assert not Membership.objects.filter(user=other, company=invitation.company).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize(
    "fields",
    [
        {"expires_at": timezone.now() - timedelta(minutes=1)},
        {"revoked_at": timezone.now()},
    ],
)
def test_expired_or_revoked_invitation_is_refused(client, make_invitation, fields):
    _invitation, token = make_invitation(**fields)
    assert client.get(url(token)).status_code == 404
    response = client.post(
        url(token),
        {
            "full_name": "A B",
            "password1": "un-secret-bien-long",
            "password2": "un-secret-bien-long",
        },
    )
    assert response.status_code == 404
    assert not User.objects.filter(email="guest@test.example").exists()


def test_unknown_token_is_404(client, db):
    assert client.get(url("nope")).status_code == 404


def test_weak_password_is_refused_with_a_message(client, make_invitation):
    client.cookies["django_language"] = "en"
    _invitation, token = make_invitation()
    response = client.post(
        url(token), {"full_name": "A B", "password1": "short", "password2": "short"}
    )
    assert response.status_code == 400
    assert "too short" in response.text
    assert not User.objects.filter(email="guest@test.example").exists()


def test_accepting_twice_in_the_service_is_refused(make_invitation):
    user = UserFactory(email="guest@test.example")
    _invitation, token = make_invitation()
    services.accept_invitation(token=token, user=user)
    with pytest.raises(services.AccountError):
        services.accept_invitation(token=token, user=user)
