"""List pages run the same statements whatever the history, and never read a questionnaire's
YAML source or definition (P4): the company's diagnostics, the advisor's portfolio and a
followed company's page, the versions of a PDF report."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diagnostics.models import Diagnostic
from diagnostics.views import LIST_PAGE_SIZE
from reports.models import Report
from tests.factories import CompanyFactory, DiagnosticFactory

HEAVY_COLUMNS = ('"diagnostics_questionnaire"."source"', '"diagnostics_questionnaire"."definition"')


def statements(client, url):
    client.get(url)  # warm the session and the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    sql = [query["sql"] for query in ctx.captured_queries]
    assert not [s for s in sql if any(column in s for column in HEAVY_COLUMNS)]
    return len(sql), response


def start_many(company_a, questionnaire, count):
    """`count` more diagnostics of the company, as years of use leave them (the rows alone:
    the service would lead to the one in progress)."""
    for _ in range(count):
        DiagnosticFactory(
            company=company_a.company, questionnaire=questionnaire, started_by=company_a.admin
        )


@pytest.mark.quality("P4")
def test_diagnostics_list_runs_the_same_statements_for_1_and_50_diagnostics(
    client_for, company_a, default_questionnaire
):
    client = client_for(company_a.admin)
    url = reverse("diagnostics:list")
    start_many(company_a, default_questionnaire, 1)
    one, response = statements(client, url)
    assert response.text.count(reverse("diagnostics:list")) >= 1
    start_many(company_a, default_questionnaire, 49)
    fifty, response = statements(client, url)
    assert response.text.count("<tr>") == LIST_PAGE_SIZE + 1  # and the header row
    assert one == fifty


@pytest.mark.quality("P4")
def test_diagnostics_list_shows_a_page_at_a_time_newest_first(
    client_for, company_a, default_questionnaire
):
    start_many(company_a, default_questionnaire, 2 * LIST_PAGE_SIZE + 5)
    newest_first = list(
        Diagnostic.objects.filter(company=company_a.company)
        .order_by("-created_at")
        .values_list("public_id", flat=True)
    )
    client = client_for(company_a.admin)
    url = reverse("diagnostics:list")

    def listed(query=""):
        response = client.get(url + query)
        assert response.status_code == 200
        return [p for p in newest_first if str(p) in response.text], response.text

    first, text = listed()
    assert first == newest_first[:LIST_PAGE_SIZE]
    assert "Page 1 sur 3" in text
    assert "?page=2" in text
    assert listed("?page=2")[0] == newest_first[LIST_PAGE_SIZE : 2 * LIST_PAGE_SIZE]
    last, text = listed("?page=3")
    assert last == newest_first[2 * LIST_PAGE_SIZE :]
    assert len(last) == 5
    assert "?page=2" in text
    assert "?page=4" not in text
    # a page that does not exist gives the nearest one, not an error
    assert listed("?page=99")[0] == last
    assert listed("?page=abc")[0] == first
    # the start form is still there, under the list
    assert 'action="/diagnostics/start/"' in text


@pytest.mark.quality("P4")
def test_portfolio_runs_the_same_statements_for_1_and_50_companies(client_for, advisor, company_a):
    client = client_for(advisor)
    url = reverse("advisors:portfolio")
    one, _response = statements(client, url)
    for _ in range(49):
        advisor.portfolio.add(CompanyFactory())
    fifty, response = statements(client, url)
    assert response.text.count('href="/advisor/companies/') == 50
    assert one == fifty


@pytest.mark.quality("P4")
def test_followed_company_page_runs_the_same_statements_for_1_and_50_diagnostics(
    client_for, advisor, company_a, default_questionnaire
):
    client = client_for(advisor)
    url = reverse("advisors:company", args=[company_a.company.public_id])
    start_many(company_a, default_questionnaire, 1)
    one, _response = statements(client, url)
    start_many(company_a, default_questionnaire, 49)
    fifty, response = statements(client, url)
    assert response.text.count("Compétences industrie (v1)") == 50
    assert one == fifty


def add_versions(submitted, users, count):
    last = Report.objects.filter(diagnostic=submitted).count()
    return [
        Report.objects.create(
            company_id=submitted.company_id,
            diagnostic=submitted,
            number=last + i + 1,
            status=Report.Status.FAILED,
            message="Essai",
            source_fingerprint="x",
            requested_by=users[i % len(users)],
        )
        for i in range(count)
    ]


@pytest.mark.quality("P4")
def test_report_versions_run_the_same_statements_for_1_and_50_versions(
    client_for, company_a, submitted
):
    client = client_for(company_a.admin)
    users = [company_a.admin, company_a.member]
    first = add_versions(submitted, users, 1)[0]
    url = reverse("reports:report", args=[first.public_id])
    one, _response = statements(client, url)
    add_versions(submitted, users, 49)
    fifty, response = statements(client, url)
    assert response.text.count(company_a.member.full_name) == 24
    assert one == fifty
