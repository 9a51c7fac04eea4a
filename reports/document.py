"""What the PDF report shows: the context of templates/reports/pdf.html, from frozen data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Avg, Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from diagnostics.definition import tr
from diagnostics.models import Diagnostic, Score
from diagnostics.results import results_context

from .catalogue import catalogue_from_dict
from .models import ActionPlan, Modality, PlanItem
from .pdf import RenderedPdf, render_pdf
from .recommendations import PlanLine, plan_totals

if TYPE_CHECKING:
    from .models import Report


def benchmarks(diagnostic: Diagnostic) -> dict[str, tuple[float, int]]:
    """Mean domain scores of similar companies (same NAF division and size), only where at
    least BENCHMARK_MIN_COMPANIES other companies have a submitted diagnostic. A closed
    company counts no more."""
    rows = (
        Score.objects.filter(
            level=Score.Level.DOMAIN,
            company__closed_at__isnull=True,
            diagnostic__status=Diagnostic.Status.SUBMITTED,
            diagnostic__questionnaire__key=diagnostic.questionnaire.key,
            diagnostic__sector=diagnostic.sector,
            diagnostic__headcount_band=diagnostic.headcount_band,
            score__isnull=False,
        )
        .exclude(company_id=diagnostic.company_id)
        .values("code")
        .annotate(mean=Avg("score"), companies=Count("company", distinct=True))
    )
    k = settings.BENCHMARK_MIN_COMPANIES
    return {r["code"]: (round(r["mean"], 1), r["companies"]) for r in rows if r["companies"] >= k}


def plan_rows(plan: ActionPlan, language: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    catalogue = catalogue_from_dict(plan.catalogue.definition)
    spec = plan.diagnostic.questionnaire.spec
    items = list(PlanItem.objects.filter(plan=plan).select_related("action"))
    modalities = dict(Modality.choices)
    statuses = dict(PlanItem.Status.choices)
    rows = []
    lines = []
    for item in items:
        action = catalogue.action(item.action.code)
        funding = [tr(catalogue.funding(k).label, language) for k in action.funding]
        reasons = [item.reasons.get("explanation", {}).get(language, "")]
        for ev in item.reasons.get("evidence", []):
            question = spec.question(ev["question"])
            if question is not None:
                reasons.append(
                    _("“%(question)s”: level %(level)s")
                    % {"question": tr(question.text, language), "level": _num(ev["level"])}
                )
        competency = spec.competency(item.competency_code)
        rows.append(
            {
                "pk": item.pk,
                "public_id": item.public_id,
                "priority": item.priority,
                "competency": tr(competency.title, language)
                if competency
                else item.competency_code,
                "action_code": action.code,
                "action_title": tr(action.title, language),
                "modality": str(modalities.get(action.modality, action.modality)),
                "duration_hours": action.duration_hours,
                "cost_min": action.cost_min,
                "cost_max": action.cost_max,
                "people": item.people,
                "funding": ", ".join(funding),
                "status": str(statuses[item.status]),
                "status_code": item.status,
                "target_quarter": item.target_quarter,
                "owner": item.owner,
                "notes": item.notes,
                "reasons": [r for r in reasons if r],
            }
        )
        lines.append(PlanLine(action=action, people=item.people, status=item.status))
    totals = plan_totals(lines)
    by_funding = [
        {
            "label": tr(catalogue.funding(key).label, language),
            "hours": t.hours,
            "cost_min": t.cost_min,
            "cost_max": t.cost_max,
        }
        for key, t in totals.by_funding.items()
    ]
    return rows, {
        "hours": totals.hours,
        "cost_min": totals.cost_min,
        "cost_max": totals.cost_max,
        "by_funding": by_funding,
    }


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if translation.get_language() == "fr" else text


def report_context(diagnostic: Diagnostic, language: str, number: int) -> dict[str, Any]:
    base = results_context(diagnostic, language)
    res = base["res"]
    bench = benchmarks(diagnostic)
    titles = {d["code"]: d["title"] for d in base["domains"]}
    for domain in base["domains"]:
        mean, count = bench.get(domain["code"], (None, None))
        domain["benchmark"], domain["benchmark_count"] = mean, count
    plan = ActionPlan.objects.filter(diagnostic=diagnostic).select_related("validated_by").first()
    items, totals = plan_rows(plan, language) if plan else ([], None)
    return {
        "lang": language,
        "generated_at": timezone.now(),
        "report_number": number,
        "company": diagnostic.company,
        "questionnaire_title": diagnostic.questionnaire.display_title(language),
        "questionnaire_version": diagnostic.questionnaire.version,
        "submitted_at": diagnostic.submitted_at,
        "respondents": list(base["respondents"].values()),
        "res": res,
        "strongest": [
            {"title": titles[d.code], "score": d.score} for d in res.strongest_domains(3)
        ],
        "weakest": [{"title": titles[d.code], "score": d.score} for d in res.weakest_domains(3)],
        "chart": base["chart"],
        "free_texts": base["free_texts"],
        "domains": base["domains"],
        "plan_items": items,
        "totals": totals,
        "advisor_comment": plan.advisor_comment if plan else "",
        "validated_by": plan.validated_by.full_name if plan and plan.validated_by else None,
        "validated_at": plan.validated_at if plan else None,
    }


def make_pdf(report: Report) -> RenderedPdf:
    with translation.override(report.language):
        context = report_context(report.diagnostic, report.language, report.number)
        html = render_to_string("reports/pdf.html", context)
    return render_pdf(html)
