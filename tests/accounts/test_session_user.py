"""The session read that brings its user and their memberships (accounts.sessions): one
statement where there were two, and never another user than the session's data names."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import sessions
from accounts.backends import MembershipBackend
from accounts.models import Membership, Session
from accounts.sessions.db import SessionStore
from tests.factories import CompanyFactory, MembershipFactory

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the joined read is PostgreSQL's"
)
LIST = reverse("diagnostics:list")


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_saved_session_carries_its_users_id(client_for, company_a):
    client = client_for(company_a.member)
    assert Session.objects.get(pk=session_key(client)).user_id == company_a.member.pk
    anonymous = SessionStore()
    anonymous["seen"] = True
    anonymous.save()
    assert Session.objects.get(pk=anonymous.session_key).user_id is None


@postgresql
def test_the_session_user_and_memberships_come_in_one_statement(client_for, company_a, company_b):
    """What the backend would have read itself, closed companies left out, by name."""
    user = company_a.admin
    Membership.objects.create(user=user, company=company_b.company, role=Membership.Role.MEMBER)
    MembershipFactory(
        user=user, company=CompanyFactory(name="AAA Fermée", closed_at=timezone.now())
    )
    key = session_key(client_for(user))

    with CaptureQueriesContext(connection) as read:
        store = SessionStore(key)
        user_id = store[SESSION_KEY]
        found = MembershipBackend().get_user(user_id)
    assert len(read) == 1
    assert found.pk == user.pk
    assert all(m.user is found for m in found.loaded_memberships)

    sessions.forget_session_user()
    own = MembershipBackend().get_user(user.pk)  # the backend's own statement
    assert fields(found) == fields(own)
    assert [(fields(m), fields(m.company)) for m in found.loaded_memberships] == [
        (fields(m), fields(m.company)) for m in own.loaded_memberships
    ]
    assert [m.company.name for m in found.loaded_memberships] == sorted(
        [company_a.company.name, company_b.company.name]
    )


@postgresql
def test_a_user_without_memberships_costs_the_session_statement_only(client_for, advisor):
    client = client_for(advisor)
    client.get(reverse("advisors:portfolio"))
    with CaptureQueriesContext(connection) as page:
        response = client.get(reverse("advisors:portfolio"))
    assert response.status_code == 200
    assert response.wsgi_request.user.loaded_memberships == []
    tables = [q["sql"] for q in page.captured_queries]
    assert sum('"accounts_session"' in sql or "accounts_session " in sql for sql in tables) == 1
    assert not [sql for sql in tables if "FROM accounts_membership m JOIN" in sql]


@pytest.mark.quality("S6")
@postgresql
def test_a_session_row_naming_another_user_never_logs_that_user_in(
    client_for, company_a, company_b
):
    """The column only says which rows to read along: the user is the one the signed
    session data names, and their own companies are the ones the page shows."""
    client = client_for(company_a.member)
    Session.objects.filter(pk=session_key(client)).update(user_id=company_b.admin.pk)
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == company_a.member.pk
    assert [m.company_id for m in response.wsgi_request.user.loaded_memberships] == [
        company_a.company.pk
    ]
    assert company_b.company.name not in response.text


@postgresql
def test_what_the_read_found_is_taken_once_and_dropped_by_the_next_store(client_for, company_a):
    key = session_key(client_for(company_a.member))
    SessionStore(key).load()
    assert sessions.take_session_user(company_a.admin.pk) is None  # another id: not given
    assert sessions.take_session_user(company_a.member.pk) is None  # and no longer kept

    SessionStore(key).load()
    assert sessions.take_session_user(company_a.member.pk).user.pk == company_a.member.pk
    assert sessions.take_session_user(company_a.member.pk) is None

    SessionStore(key).load()
    SessionStore()  # the next request's store
    assert sessions.take_session_user(company_a.member.pk) is None


@pytest.mark.quality("S1")
@pytest.mark.parametrize("change", ["deactivated", "deleted", "removed", "company closed"])
def test_what_changed_since_the_last_request_holds_on_the_next(client_for, company_a, change):
    client = client_for(company_a.member)
    assert client.get(LIST).status_code == 200
    membership = Membership.objects.get(user=company_a.member)
    if change == "deactivated":
        type(company_a.member).objects.filter(pk=company_a.member.pk).update(is_active=False)
    elif change == "deleted":
        company_a.member.delete()
    elif change == "removed":
        membership.delete()
    else:
        type(membership.company).objects.filter(pk=membership.company_id).update(
            closed_at=timezone.now()
        )
    response = client.get(LIST)
    assert response.status_code == 302
    if change in ("deactivated", "deleted"):
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.wsgi_request.user.pk == company_a.member.pk
        assert response.wsgi_request.user.loaded_memberships == []


def test_the_upgrade_carries_open_sessions_over_with_their_user(client, company_a):
    """Sessions in Django's table before the upgrade still log their user in after it."""
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore

    migration = import_module("accounts.migrations.0005_session")
    client.force_login(company_a.member)
    before = DjangoStore()  # what Django's store held for this login
    before.update(dict(client.session.items()))
    before.save()
    expired = DjangoStore()
    expired.create()
    DjangoStore.get_model_class().objects.filter(pk=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    Session.objects.all().delete()

    migration.move_sessions(apps, None)

    assert not DjangoStore.get_model_class().objects.exists()
    moved = Session.objects.get()
    assert (moved.pk, moved.user_id) == (before.session_key, company_a.member.pk)
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == company_a.member.pk


@pytest.mark.quality("G4")
def test_expired_sessions_are_deleted_by_the_retention_run(client_for, company_a):
    from privacy.retention import apply_retention

    live = session_key(client_for(company_a.member))
    gone = SessionStore()
    gone.create()
    Session.objects.filter(pk=gone.session_key).update(expire_date=timezone.now())
    assert apply_retention()["expired_sessions"] == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [live]
