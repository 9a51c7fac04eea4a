"""What the PDF report shows: the context of templates/reports/pdf.html, from frozen data."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.i18n import display_quarter
from diagnostics.benchmarks import benchmark_for
from diagnostics.definition import tr
from diagnostics.models import Diagnostic
from diagnostics.results import results_context
from diagnostics.scoring import AnswerCounts, few_known_competencies
from documents.parsing import format_number

from .funding import Estimate, LineFunding
from .models import ActionPlan, FundingRules, Modality, PlanItem
from .pdf import RenderedPdf, render_pdf
from .planning import fund_lines
from .quarters import is_past
from .recommendations import COUNTED_STATUSES, PlanLine

if TYPE_CHECKING:
    from .models import Report


def benchmarks(diagnostic: Diagnostic) -> dict[str, tuple[float, int]]:
    """Mean domain scores of similar companies, with how many companies each mean is made
    of, from the precomputed benchmarks (diagnostics.benchmarks): only groups of at least
    BENCHMARK_MIN_COMPANIES companies, the closed ones left out at the last refresh."""
    group = benchmark_for(diagnostic)
    return dict(group.domains) if group else {}


def plan_rows(
    plan: ActionPlan,
    language: str,
    *,
    items: list[PlanItem] | None = None,
    to_confirm: bool = True,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The plan's lines as the page and the PDF show them, year one first, with their cost,
    estimated funding and remaining cost, and the totals by horizon and by route (`items`:
    the plan's lines with their actions, when the caller already has them). Without
    `to_confirm`, the lines do not say which needs rest on too few known answers, and the
    diagnostic's frozen results are not read. An accepted line whose target quarter ended
    before today is `overdue`."""
    today = timezone.localdate()
    catalogue = plan.catalogue.spec
    spec = plan.diagnostic.questionnaire.spec
    if items is None:
        items = list(PlanItem.objects.filter(plan=plan).select_related("action"))
    modalities = dict(Modality.choices)
    statuses = dict(PlanItem.Status.choices)
    horizons = dict(PlanItem.Horizon.choices)
    lines = _plan_lines(catalogue, items)
    fundings = _fund(plan, lines)
    frozen = (plan.diagnostic.results or {}).get("results") if to_confirm else None
    few_known = few_known_competencies(frozen) if frozen else {}
    rate = float(plan.hourly_salary_cost) if plan.hourly_salary_cost is not None else None
    rows = []
    for item, line, funding in zip(items, lines, fundings, strict=True):
        action = line.action
        cost_min, cost_max = line.cost
        salary = round(action.duration_hours * line.people * rate) if rate is not None else None
        confirm = _to_confirm(item, spec, language, few_known)
        rows.append(
            {
                "pk": item.pk,
                "public_id": item.public_id,
                "priority": item.priority,
                "horizon": item.horizon,
                "horizon_label": str(horizons.get(item.horizon, item.horizon)),
                "competencies": [
                    _competency_title(spec, code, language)
                    for code in item.competencies or [item.competency_code]
                ],
                "action_code": action.code,
                "action_title": tr(action.title, language),
                "modality": str(modalities.get(action.modality, action.modality)),
                "duration_hours": action.duration_hours,
                "price_basis": action.price_basis,
                "group_size": action.group_size,
                "unit_cost_min": action.cost_min,
                "unit_cost_max": action.cost_max,
                "cost_min": cost_min,
                "cost_max": cost_max,
                "people": item.people,
                "funding": ", ".join(
                    tr(catalogue.funding(k).label, language) for k in action.funding
                ),
                "routes": [_route_row(e, language) for e in funding.routes] if funding else [],
                "best_route": _route_row(funding.best, language)
                if funding and funding.best
                else None,
                "estimated_funding": funding.funding if funding else None,
                # The best route is eligible but its rule gives no amount: "not estimated",
                # not "0 €" (the figures count it as 0).
                "not_estimated": bool(funding and funding.uncosted),
                "funding_min": funding.funding_min if funding else None,
                "remaining_min": funding.remaining_min if funding else cost_min,
                "remaining_max": funding.remaining_max if funding else cost_max,
                "salary": salary,
                "status": str(statuses[item.status]),
                "status_code": item.status,
                "counted": item.status in COUNTED_STATUSES,
                "drop_reason": item.drop_reason,
                "done_at": item.done_at,
                "added_by_advisor": item.added_by_id is not None,
                "target_quarter": display_quarter(item.target_quarter, language),
                "overdue": item.status == PlanItem.Status.ACCEPTED
                and is_past(item.target_quarter, today),
                "owner": item.owner,
                "notes": item.notes,
                "funding_requested_on": item.funding_requested_on,
                "funding_reference": item.funding_reference,
                "funding_granted": item.funding_granted,
                "obligation": action.obligation,
                "compliance": [
                    tr(o["obligation"], language) for o in item.reasons.get("obligations", [])
                ],
                "reasons": _reasons(item, spec, language) + confirm,
                "to_confirm": confirm,
            }
        )
    rows.sort(key=lambda r: (not r["compliance"], r["horizon"] != "year1", r["priority"]))
    return rows, _totals(plan, rows, spec, language)


YEAR1_FIELDS = (
    "year1_cost_min",
    "year1_cost_max",
    "year1_funding_min",
    "year1_funding",
    "year1_remaining_min",
    "year1_remaining_max",
    "year1_requests_to_file",
    "year1_uncosted_lines",
)


def year1_figures(plan: ActionPlan, items: Sequence[PlanItem]) -> dict[str, int]:
    """The first-year cost, estimated funding and remaining cost of the counted lines
    (`items`, with their actions), as the plan keeps them for the lists that show many
    plans: the sums of the year-one rows of `plan_rows`, without making the rows, and the
    accepted lines a route may fund whose funding request is still to file (as
    `funding_requests` counts them), and the lines whose route is eligible but gives no
    amount (left out of the funding). `plan` may be unsaved: only its catalogue, funding
    rules, diagnostic and company are read."""
    catalogue = plan.catalogue.spec
    lines = _plan_lines(catalogue, items)
    figures = dict.fromkeys(YEAR1_FIELDS, 0)
    for item, line, funding in zip(items, lines, _fund(plan, lines), strict=True):
        if line.horizon != PlanItem.Horizon.YEAR1 or line.status not in COUNTED_STATUSES:
            continue
        fundable = bool(funding and funding.best and funding.best.eligible)
        if awaits_request(item.status, item.horizon, item.funding_requested_on, fundable):
            figures["year1_requests_to_file"] += 1
        low, high = line.cost
        figures["year1_cost_min"] += low
        figures["year1_cost_max"] += high
        if funding:
            figures["year1_funding_min"] += funding.funding_min
            figures["year1_funding"] += funding.funding_max
            figures["year1_uncosted_lines"] += int(funding.uncosted)
        figures["year1_remaining_min"] += funding.remaining_min if funding else low
        figures["year1_remaining_max"] += funding.remaining_max if funding else high
    return figures


def _plan_lines(catalogue: Any, items: Sequence[PlanItem]) -> list[PlanLine]:
    """The plan's lines as the cost and funding computations take them."""
    return [
        PlanLine(
            action=catalogue.action(item.action.code),
            people=item.people,
            status=item.status,
            horizon=item.horizon,
        )
        for item in items
    ]


def _fund(plan: ActionPlan, lines: list[PlanLine]) -> list[LineFunding | None]:
    """The funding estimates of the lines, under the plan's funding rules (none: no estimate)."""
    if plan.funding_rules is None:
        return [None] * len(lines)
    return list(
        fund_lines(
            plan.funding_rules.rules,
            lines,
            headcount_band=plan.diagnostic.headcount_band,
            idcc=plan.company.idcc,
            on=timezone.localdate(),
        )
    )


def _route_row(estimate: Estimate, language: str) -> dict[str, Any]:
    return {
        "route": estimate.route,
        "label": tr(estimate.label, language) if estimate.label else estimate.route,
        "eligible": estimate.eligible,
        "reason": tr(estimate.reason, language),
        "estimated_funding": estimate.estimated_funding,
        "remaining_cost": estimate.remaining_cost,
        "uncertain": estimate.uncertain,
        "costed": estimate.costed,
        "source": estimate.source,
        "note": tr(estimate.note, language) if estimate.note else "",
        "otherwise": _otherwise_row(estimate, language),
    }


def _otherwise_row(estimate: Estimate, language: str) -> dict[str, Any] | None:
    """What the company may do instead, for a route that refuses the line."""
    other = estimate.otherwise  # set only when the route refuses the line
    if other is None:
        return None
    return {"text": tr(other.text, language), "source": other.source, "uncertain": other.uncertain}


def _reasons(item: PlanItem, spec: Any, language: str) -> list[str]:
    reasons = [item.reasons.get("explanation", {}).get(language, "")]
    for ev in item.reasons.get("evidence", []):
        question = spec.question(ev["question"])
        if question is not None:
            reasons.append(
                _("“%(question)s”: level %(level)s")
                % {
                    "question": tr(question.text, language),
                    "level": format_number(ev["level"], language, places=1),
                }
            )
    return [r for r in reasons if r]


def _to_confirm(
    item: PlanItem, spec: Any, language: str, few_known: dict[str, AnswerCounts]
) -> list[str]:
    """For each gap of the line whose competency has too few known answers (`few_known`):
    that the need rests on them, to be confirmed with the company."""
    sentences = []
    for code in dict.fromkeys(g["competency"] for g in item.reasons.get("gaps", [])):
        counts = few_known.get(code)
        if counts is not None:
            sentences.append(
                ngettext(
                    "“%(competency)s” rests on %(known)s known answer out of %(n)s: a need "
                    "to confirm with the company.",
                    "“%(competency)s” rests on %(known)s known answers out of %(n)s: a need "
                    "to confirm with the company.",
                    counts.known,
                )
                % {
                    "competency": _competency_title(spec, code, language),
                    "known": counts.known,
                    "n": counts.concerned,
                }
            )
    return sentences


def _totals(
    plan: ActionPlan, rows: list[dict[str, Any]], spec: Any, language: str
) -> dict[str, Any]:
    """Cost, estimated funding and remaining cost of the counted lines (proposed, accepted
    and done), in all, by horizon and by the route that funds each line best; `year1`, the
    first 12 months (None without any line there), is the report's summary."""
    horizons = dict(PlanItem.Horizon.choices)
    counted = [row for row in rows if row["status_code"] in COUNTED_STATUSES]

    def total(group: list[dict[str, Any]], label: str) -> dict[str, Any]:
        uncosted = [r for r in group if r["not_estimated"]]
        return {
            "label": label,
            "lines": len(group),
            "hours": round(sum(r["duration_hours"] * r["people"] for r in group), 1),
            "cost_min": sum(r["cost_min"] for r in group),
            "cost_max": sum(r["cost_max"] for r in group),
            "funding_min": sum(r["funding_min"] or 0 for r in group),
            "funding": sum(r["estimated_funding"] or 0 for r in group),
            "remaining_min": sum(r["remaining_min"] for r in group),
            "remaining_max": sum(r["remaining_max"] for r in group),
            "salary": sum(r["salary"] or 0 for r in group),
            # the eligible lines the funding leaves out, for lack of an amount, and their routes
            "uncosted_lines": len(uncosted),
            "uncosted_routes": list(dict.fromkeys(r["best_route"]["label"] for r in uncosted)),
            # every line eligible with no amount (a route whose rule gives none): not "0 €"
            "not_estimated": bool(group) and len(uncosted) == len(group),
        }

    by_route: dict[str, list[dict[str, Any]]] = {}
    for row in counted:
        best = row["best_route"]
        key = best["label"] if best and best["eligible"] else str(_("No funding found"))
        by_route.setdefault(key, []).append(row)

    def uncertain(group: list[dict[str, Any]]) -> bool:
        return any(r["best_route"] and r["best_route"]["uncertain"] for r in group)

    by_horizon: dict[str, list[dict[str, Any]]] = {}
    for row in counted:
        by_horizon.setdefault(row["horizon"], []).append(row)
    horizon_totals = {
        key: total(by_horizon[key], str(label))
        for key, label in horizons.items()
        if key in by_horizon
    }
    all_lines = total(counted, str(_("Total")))
    return {
        **all_lines,
        "year1": horizon_totals.get(PlanItem.Horizon.YEAR1),
        "year1_uncertain": uncertain(by_horizon.get(PlanItem.Horizon.YEAR1, [])),
        "by_horizon_title": str(_("By horizon")),
        "by_route_title": str(_("By funding route (the best one of each line)")),
        "by_horizon": list(horizon_totals.values()),
        "by_route": [total(group, label) for label, group in by_route.items()],
        "requests": funding_requests(counted),
        "has_funding": plan.funding_rules is not None,
        "rules": plan.funding_rules,
        "uncertain": uncertain(counted),
        "rules_out_of_date": rules_out_of_date(plan),
        "salary_rate": plan.hourly_salary_cost,
        "open_gaps": [
            {
                "competency": _competency_title(spec, gap["competency"], language),
                "gap": format_number(gap["gap"], language, places=1),
                "level": format_number(gap["level"], language, places=1),
                "target": gap["target"],
            }
            for gap in plan.open_gaps
        ],
    }


def awaits_request(status: str, horizon: str, requested_on: Any, fundable: bool) -> bool:
    """Whether a line's funding request is still to file: an accepted line of the first 12
    months that a route may fund, with no request recorded."""
    return (
        status == PlanItem.Status.ACCEPTED
        and horizon == PlanItem.Horizon.YEAR1
        and requested_on is None
        and fundable
    )


def funding_requests(counted: list[dict[str, Any]]) -> dict[str, int]:
    """Where the funding requests of the counted lines stand: filed with the OPCO, still to
    file (`awaits_request`), and what the OPCO agreed to fund so far."""
    filed = [r for r in counted if r["funding_requested_on"] is not None]
    granted = [r for r in filed if r["funding_granted"] is not None]
    return {
        "filed": len(filed),
        "to_file": sum(
            awaits_request(
                r["status_code"],
                r["horizon"],
                r["funding_requested_on"],
                bool(r["best_route"] and r["best_route"]["eligible"]),
            )
            for r in counted
        ),
        "granted_lines": len(granted),
        "granted": sum(r["funding_granted"] for r in granted),
    }


def rules_out_of_date(plan: ActionPlan) -> dict[str, int] | None:
    """The year the plan's funding rules were checked and this year, when that is an earlier
    year (every amount is then to be confirmed); None otherwise."""
    return checked_before_this_year(plan.funding_rules)


def checked_before_this_year(rules: FundingRules | None) -> dict[str, int] | None:
    """{"checked": the year `rules` were checked against their sources, "year": this year}
    when that is an earlier year; None otherwise (and for no rules)."""
    if rules is None:
        return None
    today = timezone.localdate()
    if not rules.rules.out_of_date(today):
        return None
    return {"checked": rules.rules.checked_on.year, "year": today.year}


def funding_rules_message(rules: FundingRules | None) -> str:
    """What the page says once someone asked to estimate a plan under the newest rules."""
    if rules is None:
        return _("The plan already uses the most recent funding rules.")
    return _(
        "The plan is now estimated under the funding rules version %(version)s, checked "
        "against their sources on %(date)s."
    ) % {"version": rules.version, "date": date_format(rules.checked_on, "SHORT_DATE_FORMAT")}


def domain_comments(plan: ActionPlan | None, language: str) -> list[dict[str, str]]:
    """The advisor's comments per domain, in the questionnaire's order, with their titles."""
    if plan is None or not plan.domain_comments:
        return []
    spec = plan.diagnostic.questionnaire.spec
    return [
        {"code": d.code, "title": tr(d.title, language), "comment": plan.domain_comments[d.code]}
        for d in spec.domains
        if plan.domain_comments.get(d.code)
    ]


def changes_since_validation(plan: ActionPlan, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What changed in a validated plan since its validation, for the advisor who validates
    it again: [{"title", "changes": [text, ...]}], the lines in the order of `rows` (the
    plan's rows, `plan_rows`), then the salary cost and the funding rules. Empty when the
    plan did not change, or was validated before the validated state was kept."""
    state = plan.validated_state or {}
    if not plan.changed_since_validation or not state:
        return []
    horizons = dict(PlanItem.Horizon.choices)
    before_lines = state.get("lines", {})
    out = []
    for row in rows:
        before = before_lines.get(str(row["pk"]))
        changes: list[str] = []
        if before is None:
            if row["counted"]:
                changes.append(_("added to the plan"))
        elif before["counted"] != row["counted"]:
            changes.append(
                _("counted again")
                if row["counted"]
                else _("no longer counted: %(status)s") % {"status": row["status"].lower()}
            )
        if before is not None and row["counted"]:
            if before["priority"] != row["priority"]:
                changes.append(
                    _("priority: P%(before)s → P%(after)s")
                    % {"before": before["priority"], "after": row["priority"]}
                )
            if before["horizon"] != row["horizon"]:
                changes.append(
                    _("horizon: %(before)s → %(after)s")
                    % {
                        "before": horizons.get(before["horizon"], before["horizon"]),
                        "after": row["horizon_label"],
                    }
                )
            if before["people"] != row["people"]:
                changes.append(
                    _("people to train: %(before)s → %(after)s")
                    % {"before": before["people"], "after": row["people"]}
                )
        if changes:
            out.append({"title": row["action_title"], "changes": changes})

    def rate(value: str | None) -> str:
        if value is None:
            return _("not counted")
        return _("%(amount)s € an hour") % {"amount": number_format(Decimal(value), 2)}

    salary = None if plan.hourly_salary_cost is None else str(plan.hourly_salary_cost)
    if state.get("hourly_salary_cost") != salary:
        out.append(
            {
                "title": _("Salaries during training"),
                "changes": [f"{rate(state.get('hourly_salary_cost'))} → {rate(salary)}"],
            }
        )
    if state.get("funding_rules") != plan.funding_rules_id:
        versions = dict(
            FundingRules.objects.filter(
                pk__in=[state.get("funding_rules"), plan.funding_rules_id]
            ).values_list("pk", "version")
        )

        def version(pk: int | None) -> str:
            return (
                _("version %(n)s") % {"n": versions[pk]}
                if pk in versions
                else _("no funding rules")
            )

        out.append(
            {
                "title": _("Funding rules"),
                "changes": [
                    f"{version(state.get('funding_rules'))} → {version(plan.funding_rules_id)}"
                ],
            }
        )
    return out


def _competency_title(spec: Any, code: str, language: str) -> str:
    competency = spec.competency(code)
    return tr(competency.title, language) if competency else code


def report_context(diagnostic: Diagnostic, language: str, number: int) -> dict[str, Any]:
    base = results_context(diagnostic, language)
    res = base["res"]
    titles = {d["code"]: d["title"] for d in base["domains"]}
    plan = ActionPlan.objects.filter(diagnostic=diagnostic).select_related("validated_by").first()
    items, totals = plan_rows(plan, language) if plan else ([], None)
    comments = plan.domain_comments if plan else {}
    for domain in base["domains"]:
        domain["advisor_comment"] = comments.get(domain["code"], "")
    # A dropped line is not part of the plan the company takes to its OPCO: it is listed
    # apart with its reason. A postponed one joins the lines for later.
    dropped = [i for i in items if i["status_code"] == PlanItem.Status.DROPPED]
    kept = [i for i in items if i["status_code"] != PlanItem.Status.DROPPED]
    now = [
        i
        for i in kept
        if (i["compliance"] or i["horizon"] == PlanItem.Horizon.YEAR1)
        and i["status_code"] != PlanItem.Status.POSTPONED
    ]
    return {
        "compliance": [item for item in items if item["compliance"]],
        "plan_now": now,
        "funding_notes": funding_notes(now),
        "plan_later": [i for i in kept if not any(i is n for n in now)],
        "plan_dropped": dropped,
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
        "few_known": base["few_known"],
        "benchmark": base["benchmark"],
        "benchmark_scope": base["benchmark_scope"],
        "plan_items": kept,
        "totals": totals,
        "advisor_comment": plan.advisor_comment if plan else "",
        "validated_by": plan.validated_by.full_name if plan and plan.validated_by else None,
        "validated_at": plan.validated_at if plan else None,
        "changed_since_validation_at": (
            plan.changed_since_validation_at if plan and plan.changed_since_validation else None
        ),
    }


def funding_notes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Why the lines no route funds get nothing, each reason once: a company of 250
    employees would otherwise read the same sentence in every line's cell. Numbers the
    distinct (route, reason, what the company may do instead) in the order of the lines and
    sets each such line's `funding_note` to its number."""
    notes: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        best = row["best_route"]
        if best and not best["eligible"]:
            other = best["otherwise"]
            key = (best["label"], best["reason"], other["text"] if other else "")
            if key not in notes:
                notes[key] = {
                    "number": len(notes) + 1,
                    "route": key[0],
                    "reason": key[1],
                    "otherwise": other,
                }
            row["funding_note"] = notes[key]["number"]
    return list(notes.values())


def make_pdf(report: Report) -> RenderedPdf:
    with translation.override(report.language):
        context = report_context(report.diagnostic, report.language, report.number)
        html = render_to_string("reports/pdf.html", context)
    return render_pdf(html)
