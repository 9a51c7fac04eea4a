from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership
from audit.models import Action, AppendOnlyError, Entry
from reports.models import Report

LOGIN = reverse("accounts:login")
PASSWORD = "correct-horse-battery"


def actions(**filters):
    """The actions recorded, but logins (every test client logs in)."""
    entries = Entry.objects.filter(**filters).exclude(action=Action.LOGIN).order_by("pk")
    return list(entries.values_list("action", flat=True))


def assert_no_secret(*secrets):
    for entry in Entry.objects.all():
        text = json.dumps([entry.target, entry.detail, str(entry.ip_address)], ensure_ascii=False)
        for secret in secrets:
            assert secret not in text


# --- what is recorded ---------------------------------------------------------------------


@pytest.mark.quality("G3")
def test_login_failed_login_and_lockout_are_recorded_without_password(client, company_a, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = company_a.admin
    client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    client.post(LOGIN, {"username": user.email, "password": "wrong-secret-1"})
    client.post(LOGIN, {"username": "nobody@test.example", "password": "wrong-secret-2"})
    client.post(LOGIN, {"username": user.email, "password": "wrong-secret-3"})
    recorded = list(Entry.objects.order_by("pk").values_list("action", flat=True))
    assert recorded[:4] == ["login", "logout", "login_failed", "login_failed"]
    assert recorded.count("login_failed") == 3
    login = Entry.objects.get(action=Action.LOGIN)
    assert (login.actor, login.subject, login.ip_address) == (user, user, "127.0.0.1")
    failed = Entry.objects.filter(action=Action.LOGIN_FAILED)
    assert [e.subject for e in failed] == [user, None, user]
    assert Entry.objects.filter(action=Action.LOCKED_OUT, subject=user).exists()
    assert_no_secret(PASSWORD, "wrong-secret", "nobody@test.example")


@pytest.mark.quality("G3")
def test_access_denial_on_another_companys_object_is_recorded(client_for, outsider, diagnostic):
    url = reverse("diagnostics:overview", args=[diagnostic.public_id])
    assert client_for(outsider).get(url).status_code == 404
    entry = Entry.objects.get(action=Action.ACCESS_DENIED)
    assert entry.actor == outsider
    assert entry.target == "diagnostics:overview"
    assert entry.detail == {"status": 404, "object": str(diagnostic.public_id), "method": "GET"}


@pytest.mark.quality("G3")
def test_a_missing_role_on_a_company_object_is_recorded(client_for, company_a):
    target = Membership.objects.get(user=company_a.admin)
    url = reverse("accounts:change_role", args=[target.public_id])
    assert client_for(company_a.member).post(url, {"role": "member"}).status_code == 403
    entry = Entry.objects.get(action=Action.ACCESS_DENIED)
    assert (entry.actor, entry.target) == (company_a.member, "accounts:change_role")
    assert entry.detail["status"] == 403


def test_a_missing_page_is_not_an_access_denial(client_for, company_a):
    client_for(company_a.admin).get("/no-such-page/")
    assert actions() == []


@pytest.mark.quality("G3")
def test_invitations_and_member_changes_are_recorded_for_the_company(
    client_for, company_a, django_capture_on_commit_callbacks
):
    client = client_for(company_a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:invite"), {"email": "new@test.example", "role": "member"})
    invitation = Invitation.objects.get()
    client.post(reverse("accounts:revoke_invitation", args=[invitation.public_id]))
    member = Membership.objects.get(user=company_a.member)
    client.post(reverse("accounts:change_role", args=[member.public_id]), {"role": "admin"})
    client.post(reverse("accounts:remove_member", args=[member.public_id]), {"confirm": "1"})
    company_entries = Entry.objects.for_company(company_a.company.pk)
    assert actions(company=company_a.company) == [
        "invitation_sent",
        "invitation_revoked",
        "role_changed",
        "member_removed",
    ]
    assert all(e.actor == company_a.admin for e in company_entries)
    role = company_entries.get(action=Action.ROLE_CHANGED)
    assert (role.subject, role.detail) == (company_a.member, {"from": "member", "to": "admin"})
    assert_no_secret(invitation.token_hash)


@pytest.mark.quality("G3")
def test_report_request_download_advisor_view_and_validation_are_recorded(
    client_for, company_a, advisor, submitted, monkeypatch
):
    monkeypatch.setattr("reports.tasks.render_report.delay", lambda *a: None)
    admin = client_for(company_a.admin)
    admin.post(reverse("reports:request", args=[submitted.public_id]))
    report = Report.objects.get()
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    Report.objects.filter(pk=report.pk).update(status="ready", file=report.file.name)
    admin.get(reverse("reports:download", args=[report.public_id]))
    assert actions(actor=company_a.admin) == ["report_requested", "report_downloaded"]

    client = client_for(advisor)
    client.get(reverse("advisors:company", args=[company_a.company.public_id]))
    client.get(reverse("diagnostics:results", args=[submitted.public_id]))
    client.post(
        reverse("advisors:save_review", args=[submitted.public_id]),
        {"review": "validate", "comment": "Texte de l’avis"},
    )
    assert actions(actor=advisor) == [
        "advisor_view",
        "advisor_view",
        "advisor_view",
        "plan_validated",
        "report_requested",
    ]
    assert all(
        e.company_id == company_a.company.pk for e in Entry.objects.exclude(action=Action.LOGIN)
    )
    assert_no_secret("Texte de l’avis")


@pytest.mark.quality("G3")
def test_a_head_request_records_no_read_but_records_a_denial(
    client_for, company_a, advisor, submitted, outsider
):
    """A link checker's HEAD gets the headers alone: no view, download or export (of a
    table or of one's own data) is recorded; a HEAD on another company's object is still
    an access denial."""
    report = Report.objects.create(
        company=company_a.company, diagnostic=submitted, number=1, source_fingerprint="x"
    )
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    Report.objects.filter(pk=report.pk).update(status="ready", file=report.file.name)
    reads = [
        reverse("reports:download", args=[report.public_id]),
        reverse("advisors:company", args=[company_a.company.public_id]),
        reverse("diagnostics:results", args=[submitted.public_id]),
        reverse("advisors:portfolio_export") + "?format=csv",
        reverse("observatory:company_export", args=[company_a.company.public_id]),
        reverse("privacy:my_data"),
    ]
    client = client_for(advisor)
    for url in reads:
        assert client.head(url).status_code == 200, url
    assert actions() == []
    for url in reads:
        client.get(url)
    assert actions() == [
        "report_downloaded",
        "advisor_view",
        "advisor_view",
        "table_exported",
        "advisor_view",
        "table_exported",
        "data_exported",
    ]

    assert client_for(outsider).head(reads[0]).status_code == 404
    denial = Entry.objects.get(action=Action.ACCESS_DENIED)
    assert denial.detail == {"status": 404, "object": str(report.public_id), "method": "HEAD"}


def test_members_looking_at_their_own_results_leave_no_advisor_trace(
    client_for, company_a, submitted
):
    client_for(company_a.member).get(reverse("diagnostics:results", args=[submitted.public_id]))
    assert not Entry.objects.filter(action=Action.ADVISOR_VIEW).exists()


# --- append-only --------------------------------------------------------------------------


@pytest.fixture
def entry(company_a):
    import audit

    audit.record(Action.LOGIN, actor=company_a.admin)
    return Entry.objects.get()


@pytest.mark.quality("G3")
def test_the_app_cannot_change_or_delete_an_entry(entry):
    entry.action = Action.LOGOUT
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(action=Action.LOGOUT)
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()
    assert Entry.objects.get().action == Action.LOGIN


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigger")
@pytest.mark.quality("G3")
@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_entry SET action = 'logout'", "DELETE FROM audit_entry"],
)
def test_the_database_refuses_to_change_or_delete_an_entry(entry, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Entry.objects.get().action == Action.LOGIN


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigger")
def test_only_the_retention_purge_deletes_old_entries(company_a):
    import audit

    audit.record(Action.LOGIN, actor=company_a.admin)
    Entry.objects.create(action=Action.LOGOUT, at=timezone.now() - timedelta(days=400))
    assert Entry.purge_before(timezone.now() - timedelta(days=365)) == 1
    assert list(Entry.objects.values_list("action", flat=True)) == ["login"]
    # The permission ended with the purge.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_entry")


# --- who reads it -------------------------------------------------------------------------


LOG = reverse("accounts:company_log")


@pytest.mark.quality("G3")
def test_company_admin_reads_the_company_log_only(client_for, company_a, company_b):
    import audit

    audit.record(
        Action.ROLE_CHANGED,
        actor=company_a.admin,
        subject=company_a.member,
        company=company_a.company,
    )
    audit.record(Action.ROLE_CHANGED, actor=company_b.admin, company=company_b.company)
    audit.record(Action.LOGIN, actor=company_a.admin)
    client = client_for(company_a.admin)
    client.cookies["django_language"] = "en"
    page = client.get(LOG)
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 1
    assert company_a.member.full_name in page.text
    assert company_b.admin.full_name not in page.text


def test_company_log_filters_and_paginates(client_for, company_a):
    import audit

    for _ in range(55):
        audit.record(Action.REPORT_DOWNLOADED, actor=company_a.admin, company=company_a.company)
    audit.record(Action.ROLE_CHANGED, actor=company_a.admin, company=company_a.company)
    client = client_for(company_a.admin)
    first = client.get(LOG)
    assert len(first.context["page"].object_list) == 50
    assert len(client.get(LOG, {"page": 2}).context["page"].object_list) == 6
    filtered = client.get(LOG, {"action": "role_changed"})
    assert filtered.context["page"].paginator.count == 1
    today = timezone.localdate().isoformat()
    assert client.get(LOG, {"since": today, "until": today}).context["page"].paginator.count == 56
    assert client.get(LOG, {"action": "nonsense"}).status_code == 400


def test_company_log_is_for_admins(client, client_for, company_a):
    assert client.get(LOG).status_code == 302
    assert client_for(company_a.member).get(LOG).status_code == 403
    assert client_for(company_a.admin).post(LOG).status_code == 405


def test_operator_admin_reads_the_whole_log_and_cannot_change_it(client, entry, django_user_model):
    entry = Entry.objects.get()
    operator = django_user_model.objects.create_superuser(
        email="op@test.example", password="x" * 12, full_name="Op"
    )
    client.force_login(operator)
    assert client.get(reverse("admin:audit_entry_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_entry_add")).status_code == 403
    url = reverse("admin:audit_entry_change", args=[entry.pk])
    client.post(url, {"action": "logout"})
    assert Entry.objects.get(pk=entry.pk).action == Action.LOGIN
    assert client.get(reverse("admin:audit_entry_delete", args=[entry.pk])).status_code == 403
