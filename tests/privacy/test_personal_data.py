from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Company, Invitation, Membership, Session, User
from audit.models import Action, Entry
from diagnostics import services as diagnostic_services
from diagnostics.models import Answer
from diagnostics.scoring import AnswerValue

PASSWORD = "correct-horse-battery"
FORMER_MEMBER = "Ancien membre"


def answer(diagnostic, user, code="B.TWO.Q2", value="Notre texte libre"):
    return diagnostic_services.save_answer(
        diagnostic=diagnostic,
        question_code=code,
        answer=AnswerValue(value),
        user=user,
        base_version=0,
    )


# --- export -------------------------------------------------------------------------------


@pytest.mark.quality("G1")
def test_a_user_downloads_their_personal_data_as_json(client_for, company_a, diagnostic):
    user = company_a.member
    answer(diagnostic, user)
    Invitation.objects.create(
        company=company_a.company,
        email=user.email,
        token_hash="h" * 64,
        expires_at="2099-01-01T00:00:00Z",
    )
    response = client_for(user).get(reverse("privacy:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == user.email
    assert data["profile"]["full_name"] == user.full_name
    assert data["profile"]["reassessment_reminders"] is True
    assert data["memberships"] == [
        {
            "company": company_a.company.name,
            "role": "member",
            "since": data["memberships"][0]["since"],
        }
    ]
    assert [(a["question"], a["value"]) for a in data["answers"]] == [
        ("B.TWO.Q2", "Notre texte libre")
    ]
    assert [i["email"] for i in data["invitations"]] == [user.email]
    assert "login" in [e["action"] for e in data["audit_entries"]]
    assert "password" not in response.text
    assert Entry.objects.filter(action=Action.DATA_EXPORTED, subject=user).exists()


def test_the_export_holds_nobody_elses_answers(client_for, company_a, diagnostic):
    answer(diagnostic, company_a.admin, value="Réponse de l’admin")
    data = client_for(company_a.member).get(reverse("privacy:my_data")).json()
    assert data["answers"] == []


def test_export_needs_login_and_get(client_for, company_a):
    assert Client().get(reverse("privacy:my_data")).status_code == 302
    assert client_for(company_a.member).post(reverse("privacy:my_data")).status_code == 405


# --- account deletion ---------------------------------------------------------------------


DELETE = reverse("privacy:delete_account")


@pytest.mark.quality("G2")
def test_a_deleted_account_leaves_its_answers_as_a_former_members(
    client_for, company_a, diagnostic
):
    user = company_a.member
    email, name = user.email, user.full_name
    answer(diagnostic, user)
    client = client_for(user)
    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert user.erased_at is not None
    assert user.full_name == FORMER_MEMBER
    assert email not in user.email
    assert not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    kept = Answer.objects.get()
    assert (kept.answered_by, kept.value) == (user, "Notre texte libre")
    assert not User.objects.filter(email__iexact=email).exists()
    assert client.get(reverse("accounts:profile")).status_code == 302  # logged out
    # Gone from the pages the company still sees.
    admin = client_for(company_a.admin)
    assert name not in admin.get(reverse("accounts:members")).text
    page = admin.get(reverse("diagnostics:domain", args=[diagnostic.public_id, "B"]))
    assert name not in page.text
    assert FORMER_MEMBER in page.text


def test_deleting_ends_the_persons_other_sessions(client_for, company_a):
    elsewhere = Client()
    elsewhere.force_login(company_a.member)
    assert elsewhere.get(reverse("accounts:profile")).status_code == 200
    client_for(company_a.member).post(DELETE, {"password": PASSWORD})
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
    # Nothing of the person's sessions is left in the database.
    assert not Session.objects.filter(user_id=company_a.member.pk).exists()


def test_deleting_needs_the_password(client_for, company_a):
    client = client_for(company_a.member)
    client.cookies["django_language"] = "en"
    response = client.post(DELETE, {"password": "wrong"})
    assert response.status_code == 400
    assert "The password is not right" in response.text
    company_a.member.refresh_from_db()
    assert company_a.member.is_active


@pytest.mark.quality("G2")
def test_the_last_admin_cannot_leave_without_handing_over(client_for, company_a):
    client = client_for(company_a.admin)
    client.cookies["django_language"] = "en"
    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 400
    assert "only administrator" in response.text
    company_a.admin.refresh_from_db()
    assert company_a.admin.is_active
    Membership.objects.filter(user=company_a.member).update(role="admin")
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 302
    company_a.admin.refresh_from_db()
    assert not company_a.admin.is_active


# --- company closure ----------------------------------------------------------------------


CLOSE = reverse("privacy:close_company")


@pytest.mark.quality("G2")
def test_a_closed_company_disappears_from_pages_at_once(client_for, company_a, advisor, submitted):
    client = client_for(company_a.admin)
    client.cookies["django_language"] = "en"
    assert client.post(CLOSE, {"name": "wrong"}).status_code == 400
    response = client.post(CLOSE, {"name": company_a.company.name})
    assert response.status_code == 302
    company_a.company.refresh_from_db()
    assert company_a.company.closed_at is not None
    results = reverse("diagnostics:results", args=[submitted.public_id])
    for user in (company_a.admin, company_a.member, advisor):
        c = client_for(user)
        assert c.get(results).status_code == 404
        assert c.get(reverse("diagnostics:list")).status_code == 302  # no company any more
    portfolio = client_for(advisor).get(reverse("advisors:portfolio"))
    assert company_a.company.name not in portfolio.text
    assert Entry.objects.filter(action=Action.COMPANY_CLOSED, company=company_a.company).exists()


def test_only_an_admin_closes_the_company(client_for, company_a):
    assert Client().get(CLOSE).status_code == 302
    member = client_for(company_a.member)
    assert member.post(CLOSE, {"name": company_a.company.name}).status_code == 403
    company_a.company.refresh_from_db()
    assert company_a.company.closed_at is None


@pytest.mark.quality("G2")
def test_a_closed_company_leaves_the_benchmarks_at_the_next_refresh(
    settings, scored_diagnostic, small_questionnaire
):
    from django.utils import timezone

    from diagnostics.benchmarks import refresh_benchmarks
    from reports.document import benchmarks

    settings.BENCHMARK_MIN_COMPANIES = 3
    diagnostics = [scored_diagnostic(small_questionnaire, score=50) for _ in range(3)]
    mine, _other, closing = diagnostics
    refresh_benchmarks()
    assert benchmarks(mine) == {"A": (50.0, 3)}
    Company.objects.filter(pk=closing.company_id).update(closed_at=timezone.now())
    refresh_benchmarks()
    assert benchmarks(mine) == {}


@pytest.mark.quality("G2")
def test_an_erased_person_is_not_named_in_later_pdfs(company_a, submitted):
    from django.template.loader import render_to_string

    from privacy import services
    from reports import services as report_services
    from reports.document import report_context

    plan = report_services.plan_for(submitted)
    plan.validated_by = company_a.member  # named in the PDF, like respondents
    plan.save(update_fields=["validated_by"])
    name = company_a.member.full_name
    assert name in render_to_string("reports/pdf.html", report_context(submitted, "fr", 1))
    services.delete_account(user=company_a.member)
    html = render_to_string("reports/pdf.html", report_context(submitted, "fr", 2))
    assert name not in html
    assert company_a.member.email not in html
