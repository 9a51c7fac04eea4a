"""What the company history page shows: each domain over successive diagnostics, and what
was planned against what was done."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from diagnostics.charts import LineSeries, line_svg
from diagnostics.definition import tr
from diagnostics.models import Diagnostic, Questionnaire, Score
from reports.models import ActionPlan, PlanItem


def company_history(company: Company, language: str) -> dict[str, Any]:
    history = score_history(company, language)
    return {
        **history,
        "chart": history_chart(history, title=_("Score per domain over the diagnostics")),
        "followup": _followup(company, history["submitted"], language),
    }


def score_history(company: Company, language: str) -> dict[str, Any]:
    """Every submitted diagnostic of the company, oldest first (`submitted`), and the
    overall index and each domain's score of those whose scores rest on enough known
    answers, by date (`dates`, `overall`, each domain's `values`): two queries, whatever
    the number of diagnostics. The others are left out of the series, as the results page
    shows no index and no chart for them; `left_out` gives their dates. A domain whose own
    questions had too few known answers has no value in that diagnostic
    (`unscored_domains` says whether that happens)."""
    diagnostics = list(
        Diagnostic.objects.filter(company=company, status=Diagnostic.Status.SUBMITTED)
        .select_related("questionnaire")
        .defer("results", "questionnaire__source", "questionnaire__definition")
        .order_by("submitted_at", "pk")
    )
    ids = [d.pk for d in diagnostics]
    scores: dict[tuple[int, str], float | None] = {}
    unscored: set[int] = set()  # diagnostics with a domain score on too few known answers
    domain_codes: list[str] = []
    for diagnostic_id, level, code, score, reliable in (
        Score.objects.filter(diagnostic_id__in=ids, level__in=["domain", "overall"])
        .order_by("pk")
        .values_list("diagnostic_id", "level", "code", "score", "reliable")
    ):
        key = code if level == Score.Level.DOMAIN else "__overall__"
        # A score on too few known answers is not shown (Score.reliable).
        scores[(diagnostic_id, key)] = score if reliable else None
        if not reliable and level == Score.Level.DOMAIN:
            unscored.add(diagnostic_id)
        if level == Score.Level.DOMAIN and code not in domain_codes:
            domain_codes.append(code)
    titles: dict[str, str] = {}
    for diagnostic in diagnostics:  # the latest version's titles win
        for domain in Questionnaire.published(diagnostic.questionnaire_id).spec.domains:
            titles[domain.code] = tr(domain.title, language)
    shown = [d for d in diagnostics if d.scores_reliable]
    domains = [
        {
            "code": code,
            "title": titles.get(code, code),
            "values": [scores.get((d.pk, code)) for d in shown],
        }
        for code in domain_codes
    ]
    return {
        "submitted": diagnostics,
        "dates": [_short_date(d) for d in shown],
        "domains": domains,
        "overall": [scores.get((d.pk, "__overall__")) for d in shown],
        "left_out": [_short_date(d) for d in diagnostics if not d.scores_reliable],
        "unscored_domains": any(d.pk in unscored for d in shown),
    }


def _short_date(diagnostic: Diagnostic) -> str:
    return formats.date_format(timezone.localtime(diagnostic.submitted_at), "SHORT_DATE_FORMAT")


def history_chart(history: dict[str, Any], *, title: str, overall_label: str | None = None) -> str:
    """The line chart of a score history: one line per domain, and the overall index first
    when it is given a label. Empty when no diagnostic has reliable scores."""
    if not history["dates"] or not history["domains"]:
        return ""
    series = [
        LineSeries(label=row["title"], values=tuple(row["values"])) for row in history["domains"]
    ]
    if overall_label is not None:
        series.insert(0, LineSeries(label=overall_label, values=tuple(history["overall"])))
    return line_svg(series, history["dates"], title=title)


def _followup(
    company: Company, diagnostics: list[Diagnostic], language: str
) -> list[dict[str, Any]]:
    """For each submitted diagnostic's plan: lines planned, done and dropped, and the done
    lines with their dates."""
    plans = {
        p.diagnostic_id: p
        for p in ActionPlan.objects.filter(company=company).only(
            "diagnostic_id", "validated_at", "changed_since_validation_at", "company_id"
        )
    }
    counts: dict[tuple[int, str], int] = {
        (row["plan_id"], row["status"]): row["n"]
        for row in PlanItem.objects.filter(company=company)
        .values("plan_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    done: dict[int, list[dict[str, Any]]] = {}
    for item in (
        PlanItem.objects.filter(company=company, status=PlanItem.Status.DONE)
        .select_related("action")
        .only("plan_id", "done_at", "action__title", "action__code")
        .order_by("done_at", "pk")
    ):
        done.setdefault(item.plan_id, []).append(
            {"title": tr(item.action.title, language), "done_at": item.done_at}
        )
    rows = []
    for diagnostic in diagnostics:
        plan = plans.get(diagnostic.pk)
        if plan is None:
            rows.append({"diagnostic": diagnostic, "plan": None})
            continue
        statuses = {status: counts.get((plan.pk, status), 0) for status in PlanItem.Status.values}
        rows.append(
            {
                "diagnostic": diagnostic,
                "plan": plan,
                "planned": sum(statuses.values()) - statuses[PlanItem.Status.DROPPED],
                "done": statuses[PlanItem.Status.DONE],
                "dropped": statuses[PlanItem.Status.DROPPED],
                "done_lines": done.get(plan.pk, []),
            }
        )
    return rows
