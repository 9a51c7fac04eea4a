from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

LOGIN = reverse("accounts:login")
PASSWORD = "correct-horse-battery"


def test_login_with_email_any_case(client, company_a):
    response = client.post(LOGIN, {"username": company_a.admin.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["company"] == company_a.company


def test_login_sets_the_preferred_language(client, company_a):
    company_a.admin.preferred_language = "en"
    company_a.admin.save()
    response = client.post(LOGIN, {"username": company_a.admin.email, "password": PASSWORD})
    assert response.cookies["django_language"].value == "en"
    assert "Members" in client.get(reverse("home")).text


@pytest.mark.quality("S6")
def test_login_gives_a_new_session_key(client, company_a):
    client.get(LOGIN)
    session = client.session
    session["probe"] = 1
    session.save()
    before = client.cookies["sessionid"].value
    client.post(LOGIN, {"username": company_a.admin.email, "password": PASSWORD})
    assert client.cookies["sessionid"].value != before


@pytest.mark.quality("S6")
def test_logout_invalidates_the_session(client, company_a):
    from accounts.models import Session

    client.post(LOGIN, {"username": company_a.admin.email, "password": PASSWORD})
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key
    assert client.get(reverse("accounts:members")).status_code == 302


@pytest.mark.quality("S6")
def test_password_change_ends_the_other_sessions(company_a):
    from django.test import Client

    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        client.post(LOGIN, {"username": company_a.admin.email, "password": PASSWORD})
        assert client.get(reverse("accounts:members")).status_code == 200
    here.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "encore-plus-long-1",
            "new_password2": "encore-plus-long-1",
        },
    )
    assert here.get(reverse("accounts:members")).status_code == 200
    response = elsewhere.get(reverse("accounts:members"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.quality("S5")
def test_unknown_user_and_wrong_password_get_the_same_message(client, company_a):
    client.cookies["django_language"] = "en"
    wrong = client.post(LOGIN, {"username": company_a.admin.email, "password": "nope-nope"})
    unknown = client.post(LOGIN, {"username": "nobody@test.example", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    msg = "The e-mail address or the password is not right"
    assert msg in wrong.text
    assert msg in unknown.text


@pytest.mark.quality("S5")
def test_lockout_after_repeated_failures_with_a_finite_cool_off(client, company_a, settings):
    email = company_a.admin.email
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": email, "password": "wrong-password"})
    locked = client.post(LOGIN, {"username": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "sessionid" not in locked.cookies
    assert timedelta(hours=1) >= settings.AXES_COOLOFF_TIME
    # Once the cool-off has passed, the right password works again.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    ok = client.post(LOGIN, {"username": email, "password": PASSWORD})
    assert ok.status_code == 302


@pytest.mark.quality("S5")
def test_password_reset_does_not_reveal_accounts(client, company_a):
    url = reverse("accounts:password_reset")
    known = client.post(url, {"email": company_a.admin.email})
    unknown = client.post(url, {"email": "nobody@test.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [company_a.admin.email]


def test_password_reset_link_sets_a_new_password(client, company_a):
    client.post(reverse("accounts:password_reset"), {"email": company_a.admin.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "tout-neuf-et-long", "new_password2": "tout-neuf-et-long"}
    )
    assert response.status_code == 302
    company_a.admin.refresh_from_db()
    assert company_a.admin.check_password("tout-neuf-et-long")


def test_password_change(client_for, company_a):
    client = client_for(company_a.admin)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "encore-plus-long-1",
            "new_password2": "encore-plus-long-1",
        },
    )
    assert response.status_code == 302
    company_a.admin.refresh_from_db()
    assert company_a.admin.check_password("encore-plus-long-1")


def test_profile_changes_language(client_for, company_a):
    client = client_for(company_a.member)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "Nouveau Nom", "preferred_language": "en"}
    )
    assert response.status_code == 302
    company_a.member.refresh_from_db()
    assert company_a.member.preferred_language == "en"
    assert (
        client.post(
            reverse("accounts:profile"), {"full_name": "", "preferred_language": "xx"}
        ).status_code
        == 400
    )


def test_language_switch_remembers_the_choice(client_for, company_a):
    client = client_for(company_a.member)
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    company_a.member.refresh_from_db()
    assert company_a.member.preferred_language == "en"
    assert 'lang="en"' in client.get(reverse("home")).text


def test_pages_are_french_by_default(client, db):
    response = client.get(LOGIN)
    assert '<html lang="fr">' in response.text
    assert "Mot de passe oublié" in response.text


def test_the_request_user_is_read_as_the_orm_reads_it(company_a, company_b, monkeypatch):
    """The user with their memberships and companies, read on every request (written out
    in SQL on PostgreSQL), are the objects and values the ORM query gives: memberships of
    open companies only, by company name."""
    from django.db.models import Model
    from django.utils import timezone

    from accounts import backends
    from accounts.models import Membership
    from tests.factories import CompanyFactory

    user = company_a.admin
    Membership.objects.create(user=user, company=company_b.company, role=Membership.Role.MEMBER)
    closed = Membership.objects.create(
        user=user,
        company=CompanyFactory(name="AAA Fermée", closed_at=timezone.now()),
        role=Membership.Role.ADMIN,
    )

    def fields(obj: Model) -> dict:
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    def read() -> list[tuple[dict, dict, dict]]:
        found = backends.MembershipBackend().get_user(user.pk)
        assert all(m.user is found for m in found.loaded_memberships)
        return [(fields(m), fields(m.user), fields(m.company)) for m in found.loaded_memberships]

    written_out = read()
    monkeypatch.setattr(backends.connection, "vendor", "other")  # the ORM's query
    assert read() == written_out
    assert [company["name"] for _m, _u, company in written_out] == sorted(
        [company_a.company.name, company_b.company.name]
    )
    assert closed.pk not in [m["id"] for m, _u, _c in written_out]
