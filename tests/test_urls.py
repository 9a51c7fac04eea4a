"""Walks the URL configuration: every pattern that takes an identifier is tried, on GET
and POST, with the identifier of another company's object by everyone who may not see
it (a member or admin of another company, an advisor who does not follow the company,
an operator admin without a membership), and must answer 404 with nothing changed; an
anonymous visitor is sent to the login page on every route that is not public."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Invitation, Membership
from diagnostics.models import Answer, Diagnostic
from diagnostics.services import import_questionnaire, start_diagnostic
from reports.models import Report
from tests.factories import UserFactory
from tests.samples import SMALL

# Patterns whose identifier is not a company object, with the reason.
NOT_COMPANY_OBJECTS = {
    "accounts:invitation": "a secret token, checked by test_invitations",
    "accounts:password_reset_confirm": "Django's signed reset token",
    "accounts:reminders_unsubscribe": "a signed token naming its user, checked by "
    "tests/diagnostics/test_reassessment.py",
    "operations:retry": "the operator's tool on any report: staff only, 404 to anyone else "
    "(tests/operations/test_pipeline_page.py)",
}


# Routes anyone may open without logging in.
PUBLIC = {
    "home",
    "healthz",
    "readyz",
    "accounts:login",
    "accounts:logout",
    "accounts:signup",
    "accounts:set_language",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:invitation",
    "accounts:reminders_unsubscribe",
    "legal:notice",
    "legal:privacy",
    "legal:accessibility",
}
# Anonymous answers other than the login redirect, with the reason.
ANONYMOUS_STATUS = {
    # autosave.js keeps the typed answer and retries once the person has logged in again.
    "diagnostics:autosave": {"post": 401, "get": 405},
    # Operator pages do not exist for anyone but operator admins, logged in or not.
    "operations:pipeline": {"get": 404, "post": 404},
    "operations:retry": {"get": 404, "post": 404},
}


def _routes(resolver=None, prefix=""):
    """Every named pattern of the site but the operator admin (Django's own)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{entry.namespace}:" if entry.namespace else prefix
            if entry.app_name == "admin":
                continue
            yield from _routes(entry, ns)
        elif isinstance(entry, URLPattern):
            yield f"{prefix}{entry.name}", entry


def _patterns():
    """The patterns that take an identifier."""
    for name, entry in _routes():
        if entry.pattern.converters:
            yield name, entry


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
        "reports:plan_settings": (d, "post"),
        "reports:plan_funding_rules": (d, "post"),
        "reports:plan_export": (d, "get"),
        "reports:request": (d, "post"),
        "reports:report": (r, "get"),
        "reports:download": (r, "get"),
        "diagnostics:overview": (d, "get"),
        "diagnostics:domain": ({**d, "code": "A"}, "post"),
        "diagnostics:autosave": ({**d, "code": "A.ONE.Q1"}, "post"),
        "reports:submit": (d, "post"),
        "diagnostics:confirm_submit": (d, "get"),
        "diagnostics:results": (d, "get"),
        "accounts:revoke_invitation": ({"public_id": invitation.public_id}, "post"),
        "accounts:change_role": ({"public_id": member.public_id}, "post"),
        "accounts:remove_member": ({"public_id": member.public_id}, "post"),
        "advisors:company": ({"public_id": company.company.public_id}, "get"),
        "operations:retry": (r, "post"),
        "advisors:review": (d, "get"),
        "advisors:save_review": (d, "post"),
        "advisors:add_line": (d, "post"),
        "advisors:funding_rules": (d, "post"),
        "observatory:company_export": ({"public_id": company.company.public_id}, "get"),
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
    assert seen == set(objects) - NOT_COMPANY_OBJECTS.keys()
    assert Membership.objects.filter(user=company_b.member, role="member").exists()
    assert Invitation.objects.get(email="foreign@test.example").revoked_at is None
    assert not Answer.objects.exists()
    assert Diagnostic.objects.get().is_draft
    assert Report.objects.count() == 1


def _assert_nothing_changed(company):
    assert Membership.objects.filter(user=company.member, role="member").exists()
    assert Invitation.objects.get(email="foreign@test.example").revoked_at is None
    assert not Answer.objects.exists()
    assert Diagnostic.objects.get().is_draft
    assert Report.objects.count() == 1


def _stranger(identity, company_a):
    """Someone who may not see company B's objects."""
    if identity == "member of another company":
        return company_a.member
    if identity == "admin of another company":
        return company_a.admin
    if identity == "advisor without the company":
        user = UserFactory(is_advisor=True)
        company_a.company.advisors.add(user)
        return user
    if identity == "operator admin without membership":
        return UserFactory(is_staff=True, is_superuser=True)
    raise AssertionError(identity)


@pytest.mark.quality("S1", "S3")
@pytest.mark.parametrize(
    "identity",
    [
        "member of another company",
        "admin of another company",
        "advisor without the company",
        "operator admin without membership",
    ],
)
def test_every_object_url_answers_404_on_get_and_post(identity, client_for, company_a, company_b):
    objects = foreign_objects(company_b)
    client = client_for(_stranger(identity, company_a))
    seen = set()
    for name, _pattern in _patterns():
        if name in NOT_COMPANY_OBJECTS:
            continue
        assert name in objects, f"{name} takes an identifier: add it to this test"
        kwargs, method = objects[name]
        url = reverse(name, kwargs=kwargs)
        for verb in ("get", "post"):
            response = getattr(client, verb)(url, {"role": "admin", "value": "1", "version": "0"})
            # The other method may be refused as such (405): that says nothing of the object.
            expected = {404} if verb == method else {404, 405}
            assert response.status_code in expected, (identity, name, verb)
        seen.add(name)
    assert seen == set(objects) - NOT_COMPANY_OBJECTS.keys()
    _assert_nothing_changed(company_b)


def test_anonymous_is_sent_to_login_on_every_private_route(client, company_b):
    objects = foreign_objects(company_b)
    login = reverse("accounts:login")
    for name, pattern in _routes():
        if name in PUBLIC:
            continue
        kwargs = objects[name][0] if pattern.pattern.converters else {}
        sent_to_login = 0
        for verb in ("get", "post"):
            response = getattr(client, verb)(reverse(name, kwargs=kwargs))
            if name in ANONYMOUS_STATUS:
                assert response.status_code == ANONYMOUS_STATUS[name][verb], (name, verb)
                sent_to_login += 1
            elif response.status_code != 405:  # a method the route never takes
                assert response.status_code == 302, (name, verb)
                assert response.url.startswith(login + "?next="), (name, verb)
                sent_to_login += 1
        assert sent_to_login, name
    _assert_nothing_changed(company_b)


def test_member_without_the_role_gets_403_on_their_own_company_objects(client_for, company_a):
    objects = foreign_objects(company_a)
    client = client_for(company_a.member)
    for name in (
        "accounts:change_role",
        "accounts:remove_member",
        "reports:submit",
        "diagnostics:confirm_submit",
    ):
        kwargs, method = objects[name]
        assert getattr(client, method)(reverse(name, kwargs=kwargs)).status_code == 403, name


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("diagnostics:overview", "post"),
        ("diagnostics:results", "post"),
        ("diagnostics:autosave", "get"),
        ("diagnostics:confirm_submit", "post"),
        ("reports:submit", "get"),
        ("reports:make_plan", "get"),
        ("reports:save_plan", "get"),
        ("reports:plan_settings", "get"),
        ("reports:plan_funding_rules", "get"),
        ("reports:plan_export", "post"),
        ("reports:request", "get"),
        ("reports:report", "post"),
        ("reports:download", "post"),
        ("advisors:company", "post"),
        ("advisors:review", "post"),
        ("advisors:save_review", "get"),
        ("advisors:add_line", "get"),
        ("advisors:funding_rules", "get"),
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
    with django_assert_max_num_queries(7):  # the session read included
        response = client.get(reverse("advisors:portfolio"))
    assert response.text.count("/advisor/companies/") == 16


# Sample values for the identifiers that are not company objects (answering 404 is enough:
# HEAD must answer it too).
OTHER_IDENTIFIERS = {
    "public_id": uuid.UUID(int=1),
    "token": "not-a-token",
    "uidb64": "MQ",
    "code": "A",
}


def _visitors(company):
    """Who may open every page between them: nobody logged in, the company's admin who is
    also its advisor, an operator admin."""
    company.company.advisors.add(company.admin)
    company.admin.is_advisor = True
    company.admin.save()
    visitors = {"anonymous": Client(), "admin and advisor": Client(), "operator": Client()}
    visitors["admin and advisor"].force_login(company.admin)
    visitors["operator"].force_login(UserFactory(is_staff=True, is_superuser=True))
    return visitors


def test_every_page_answers_head_as_it_answers_get(company_a):
    """Uptime monitors and link checkers ask with HEAD (RFC 9110: a server that answers GET
    answers HEAD): the same status, type and redirect as GET, on every route, for everyone
    (the server sends no body)."""
    objects = foreign_objects(company_a)  # the visitors' own objects here
    assert default_storage.save("reports/x.pdf", ContentFile(b"%PDF-1.7")) == "reports/x.pdf"
    visitors = _visitors(company_a)
    answered = set()
    for name, pattern in _routes():
        kwargs = objects[name][0] if name in objects else {}
        for converter in pattern.pattern.converters:
            kwargs.setdefault(converter, OTHER_IDENTIFIERS[converter])
        url = reverse(name, kwargs=kwargs)
        for who, client in visitors.items():
            get = client.get(url)
            head = client.head(url)
            assert head.status_code == get.status_code, (name, who)
            assert head.get("Content-Type") == get.get("Content-Type"), (name, who)
            assert head.get("Location") == get.get("Location"), (name, who)
            if get.status_code == 200:
                answered.add(name)
    assert {
        "home",
        "accounts:login",
        "accounts:signup",
        "accounts:members",
        "diagnostics:list",
        "diagnostics:overview",
        "reports:download",
        "advisors:portfolio",
        "advisors:company",
        "observatory:needs",
        "operations:pipeline",
        "legal:privacy",
    } <= answered
