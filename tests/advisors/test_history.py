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


def test_history_leaves_out_a_diagnostic_with_too_few_known_answers(
    client_for, advisor, company_a, submitted, start
):
    Diagnostic.objects.filter(pk=submitted.pk).update(
        submitted_at=timezone.now() - timedelta(days=365)
    )
    newer = start(submitted.questionnaire)
    unreliable = {
        **submitted.results,
        "results": {**submitted.results["results"], "reliable": False, "known_share": 0.1},
    }
    Diagnostic.objects.filter(pk=newer.pk).update(
        status="submitted", submitted_at=timezone.now(), results=unreliable
    )
    Score.objects.bulk_create(
        Score(company=company_a.company, diagnostic=newer, level=level, code=code, score=97)
        for level, code in (("domain", "A"), ("overall", "overall"))
    )
    response = client_for(advisor).get(
        reverse("advisors:company", args=[company_a.company.public_id])
    )
    assert len(response.context["dates"]) == len(response.context["overall"]) == 1
    page = response.text
    evolution = page.split('id="evolution-h"', 1)[1].split("</section>", 1)[0]
    assert ">97<" not in evolution  # in neither the table nor the chart
    assert " 97" not in evolution.split("<desc", 1)[1].split("</desc>", 1)[0]
    assert "data-left-out" in evolution
    assert timezone.localdate().strftime("%d/%m/%Y") in evolution.split("data-left-out", 1)[1]


def test_history_of_diagnostics_all_with_too_few_known_answers_has_no_chart(
    client_for, advisor, company_a, submitted
):
    unreliable = {
        **submitted.results,
        "results": {**submitted.results["results"], "reliable": False},
    }
    Diagnostic.objects.filter(pk=submitted.pk).update(results=unreliable)
    response = client_for(advisor).get(
        reverse("advisors:company", args=[company_a.company.public_id])
    )
    evolution = response.text.split('id="evolution-h"', 1)[1].split("</section>", 1)[0]
    assert "<svg" not in evolution
    assert "<table" not in evolution
    assert "data-left-out" in evolution


def test_history_dates_each_diagnostic_by_its_day_in_france(company_a, submitted):
    """23:30 UTC on 31 March is 1 April in Paris: the history's dates are local days, as
    every other date on the pages."""
    from datetime import UTC, datetime

    from advisors.history import score_history

    Diagnostic.objects.filter(pk=submitted.pk).update(
        submitted_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    )
    assert score_history(company_a.company, "fr")["dates"] == ["01/04/2026"]
