"""Bulk data for the advisor's pages: many followed companies, each with a submitted
diagnostic, its overall score and a plan, made in a few statements."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Company
from diagnostics.models import Diagnostic, Score
from reports.models import ActionPlan
from tests.factories import next_siret


def follow_many(advisor, n, *, questionnaire, catalogue, results, start=0):
    companies = Company.objects.bulk_create(
        Company(
            siret=next_siret(),
            name=f"Bulk {start + i:05d}",
            naf_code="25.62B",
            headcount_band="10_49",
            region="84",
        )
        for i in range(n)
    )
    Company.advisors.through.objects.bulk_create(
        Company.advisors.through(company_id=c.pk, user_id=advisor.pk) for c in companies
    )
    now = timezone.now()
    diagnostics = Diagnostic.objects.bulk_create(
        Diagnostic(
            company=c,
            questionnaire=questionnaire,
            status=Diagnostic.Status.SUBMITTED,
            sector="25",
            headcount_band="10_49",
            submitted_at=now,
            results=results,
        )
        for c in companies
    )
    Score.objects.bulk_create(
        Score(company_id=d.company_id, diagnostic=d, level="overall", code="overall", score=40)
        for d in diagnostics
    )
    ActionPlan.objects.bulk_create(
        ActionPlan(
            company_id=d.company_id,
            diagnostic=d,
            catalogue=catalogue,
            year1_cost_min=100,
            year1_cost_max=200,
            year1_funding=50,
            year1_remaining_min=50,
            year1_remaining_max=150,
        )
        for d in diagnostics
    )
    return companies
