"""The observatory's pages run the same number of queries for 10 and for 1,000 companies."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Company
from observatory.models import PlanLineFact
from observatory.services import rebuild_aggregates
from tests.factories import UserFactory, next_siret


def make_sector(questionnaire, count, advisor=None):
    """`count` companies with three plan line facts each, then the aggregates."""
    companies = Company.objects.bulk_create(
        Company(
            siret=next_siret(),
            name=f"Entreprise {i}",
            naf_code="25.62B",
            headcount_band=("1_9", "10_49", "50_249")[i % 3],
            region=("84", "11", "53")[i % 3],
        )
        for i in range(count)
    )
    PlanLineFact.objects.bulk_create(
        PlanLineFact(
            company=company,
            questionnaire=questionnaire,
            period=2026,
            section="C",
            region=company.region,
            headcount_band=company.headcount_band,
            idcc="3248",
            domain_code=domain,
            competency_code=f"{domain}.ONE",
            action_code=f"ACT-{domain}",
            priority=priority,
            quarter="year1",
            status=("proposed", "accepted")[priority % 2],
            route="plan_developpement",
            hours=14.0,
            cost_min=800,
            cost_max=1200,
            funding_min=400,
            funding_max=600,
            remaining_min=400,
            remaining_max=600,
        )
        for company in companies
        for domain, priority in (("A", 1), ("B", 2), ("C", 3))
    )
    if advisor is not None:
        Company.advisors.through.objects.bulk_create(
            Company.advisors.through(company=company, user=advisor) for company in companies
        )
    with connection.cursor() as cursor:
        rebuild_aggregates(cursor)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.quality("P2")
@pytest.mark.parametrize("name", ["observatory:needs", "observatory:funding"])
@pytest.mark.parametrize("role", ["operator", "advisor"])
def test_pages_run_the_same_queries_for_10_and_1000_companies(
    name, role, small_questionnaire, client_for, settings
):
    settings.BENCHMARK_MIN_COMPANIES = 5
    user = UserFactory(is_staff=role == "operator", is_advisor=role == "advisor")
    client = client_for(user)
    url = reverse(name)
    make_sector(small_questionnaire, 10, advisor=user)
    queries(client, url)  # the process's first page reads the version's definition once
    few = queries(client, url)
    make_sector(small_questionnaire, 990, advisor=user)
    many = queries(client, url)
    assert few == many
    total = client.get(url).context["funding"]["totals"]
    assert sum(t["companies"] for t in total) == 2000  # proposed and accepted, 1,000 each


@pytest.mark.quality("P2")
@pytest.mark.parametrize("name", ["observatory:needs", "observatory:funding"])
def test_the_version_list_never_reads_a_source_and_one_definition_at_most(
    name, small_questionnaire, default_questionnaire, client_for
):
    client = client_for(UserFactory(is_staff=True))
    make_sector(small_questionnaire, 6)
    url = reverse(name) + f"?questionnaire={small_questionnaire.pk}"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    reads = [q["sql"] for q in captured if 'FROM "diagnostics_questionnaire"' in q["sql"]]
    assert not [sql for sql in reads if '"diagnostics_questionnaire"."source"' in sql]
    definitions = [sql for sql in reads if '"diagnostics_questionnaire"."definition"' in sql]
    assert len(definitions) <= 1  # the chosen version's, for its labels
    # Each version is offered by its title in the reader's language, with its number.
    html = response.content.decode()
    for questionnaire in (small_questionnaire, default_questionnaire):
        title = questionnaire.display_title("fr")
        assert f">{title} (v{questionnaire.version})</option>" in html.replace("&#x27;", "'")
