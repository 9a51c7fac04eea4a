from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from diagnostics.models import Diagnostic, Score
from reports import services
from reports.models import ActionPlan, PlanItem


def test_history_shows_each_domain_over_time_with_its_table(
    client_for, advisor, company_a, submitted, start
):
    Diagnostic.objects.filter(pk=submitted.pk).update(
        submitted_at=timezone.now() - timedelta(days=365)
    )
    newer = start(submitted.questionnaire)
    Diagnostic.objects.filter(pk=newer.pk).update(
        status="submitted", submitted_at=timezone.now(), results=submitted.results
    )
    Score.objects.bulk_create(
        [
            Score(company=company_a.company, diagnostic=newer, level="domain", code="A", score=81),
            Score(
                company=company_a.company,
                diagnostic=newer,
                level="overall",
                code="overall",
                score=70,
            ),
        ]
    )
    page = (
        client_for(advisor)
        .get(reverse("advisors:company", args=[company_a.company.public_id]))
        .text
    )
    assert "<svg" in page
    assert "<polyline" in page
    assert 'role="img"' in page
    assert "<caption>" in page
    assert ">81<" in page
    assert "Domaine A" in page or "Domain A" in page


def test_history_compares_what_was_planned_and_done(client_for, advisor, company_a, submitted):
    plan = ActionPlan.objects.get(diagnostic=submitted)
    item = PlanItem.objects.filter(plan=plan).first()
    services.update_plan_items(plan=plan, changes={item.pk: {"status": "done"}})
    page = (
        client_for(advisor)
        .get(reverse("advisors:company", args=[company_a.company.public_id]))
        .text
    )
    assert item.action.title["fr"] in page or item.action.title["en"] in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page
