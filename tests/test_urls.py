"""Walks the URL configuration: every pattern that takes an identifier is tried by an
outsider with the identifier of another company's object, and must answer 404."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Invitation, Membership
from diagnostics.models import Answer, Diagnostic
from diagnostics.services import import_questionnaire, start_diagnostic
from reports.models import Report
from tests.samples import SMALL

# Patterns whose identifier is not a company object, with the reason.
NOT_COMPANY_OBJECTS = {
    "accounts:invitation": "a secret token, checked by test_invitations",
    "accounts:password_reset_confirm": "Django's signed reset token",
}


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{entry.namespace}:" if entry.namespace else prefix
            if entry.app_name == "admin":
                continue
            yield from _patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.pattern.converters:
            yield f"{prefix}{entry.name}", entry


def foreign_objects(company):
    """For each URL name, the kwargs of an object of `company` (another company's)."""
    invitation = Invitation.objects.create(
        company=company.company,
        email="foreign@test.example",
        token_hash=uuid.uuid4().hex,
        expires_at="2099-01-01T00:00:00Z",
    )
    member = Membership.objects.get(user=company.member)
    admin = Membership.objects.get(user=company.admin)
    questionnaire, _ = import_questionnaire(text=SMALL)
    diagnostic = start_diagnostic(membership=admin, questionnaire=questionnaire, mode="collective")
    d = {"public_id": diagnostic.public_id}
    report = Report.objects.create(
        company=company.company,
        diagnostic=diagnostic,
        number=1,
        source_fingerprint="x",
        status=Report.Status.READY,
        file="reports/x.pdf",
    )
    r = {"public_id": report.public_id}
    return {
        "reports:plan": (d, "get"),
        "reports:make_plan": (d, "post"),
        "reports:save_plan": (d, "post"),
        "reports:review_plan": (d, "post"),
        "reports:plan_settings": (d, "post"),
        "reports:request": (d, "post"),
        "reports:report": (r, "get"),
        "reports:download": (r, "get"),
        "diagnostics:overview": (d, "get"),
        "diagnostics:domain": ({**d, "code": "A"}, "post"),
        "diagnostics:autosave": ({**d, "code": "A.ONE.Q1"}, "post"),
        "reports:submit": (d, "post"),
        "diagnostics:results": (d, "get"),
        "accounts:revoke_invitation": ({"public_id": invitation.public_id}, "post"),
        "accounts:change_role": ({"public_id": member.public_id}, "post"),
        "accounts:remove_member": ({"public_id": member.public_id}, "post"),
        "advisors:company": ({"public_id": company.company.public_id}, "get"),
    }


@pytest.mark.quality("S1")
def test_every_identifier_url_answers_404_to_an_outsider(client_for, company_a, company_b):
    company_b.company.advisors.add(company_a.admin)  # even a stray assignment gives no access
    company_a.admin.is_advisor = True
    company_a.admin.save()
    objects = foreign_objects(company_b)
    company_b.company.advisors.remove(company_a.admin)
    client = client_for(company_a.admin)
    seen = set()
    for name, _pattern in _patterns():
        if name in NOT_COMPANY_OBJECTS:
            continue
        assert name in objects, f"{name} takes an identifier: add it to this test"
        kwargs, method = objects[name]
        response = getattr(client, method)(reverse(name, kwargs=kwargs), {"role": "admin"})
        assert response.status_code == 404, name
        seen.add(name)
    assert seen == set(objects)
    assert Membership.objects.filter(user=company_b.member, role="member").exists()
    assert Invitation.objects.get(email="foreign@test.example").revoked_at is None
    assert not Answer.objects.exists()
    assert Diagnostic.objects.get().is_draft
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("diagnostics:overview", "post"),
        ("diagnostics:results", "post"),
        ("diagnostics:autosave", "get"),
        ("reports:submit", "get"),
        ("reports:make_plan", "get"),
        ("reports:save_plan", "get"),
        ("reports:review_plan", "get"),
        ("reports:plan_settings", "get"),
        ("reports:request", "get"),
        ("reports:report", "post"),
        ("reports:download", "post"),
        ("advisors:company", "post"),
    ],
)
def test_wrong_method_is_refused(client_for, company_a, name, method):
    objects = foreign_objects(company_a)  # the user's own objects here
    company_a.company.advisors.add(company_a.admin)
    company_a.admin.is_advisor = True
    company_a.admin.save()
    kwargs, _method = objects[name]
    response = getattr(client_for(company_a.admin), method)(reverse(name, kwargs=kwargs))
    assert response.status_code == 405


@pytest.mark.quality("P2")
def test_portfolio_query_count_does_not_grow_with_companies(
    client_for, advisor, django_assert_max_num_queries
):
    from tests.factories import CompanyFactory

    client = client_for(advisor)
    client.get(reverse("advisors:portfolio"))
    for _ in range(15):
        CompanyFactory().advisors.add(advisor)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("advisors:portfolio"))
    assert response.text.count("/advisor/companies/") == 16
