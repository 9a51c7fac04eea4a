"""The observatory's pages and the exports: training needs, funding forecast, one
company's answers and plan. Operator admins see the whole sector, advisors their
portfolio; figures come from the precomputed tables (observatory.tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

import audit
from accounts.access import advisor_required, get_portfolio_company
from accounts.i18n import current_language
from audit.models import Action
from diagnostics.models import Answer, Diagnostic
from documents.parsing import tr
from reports.document import plan_rows
from reports.models import ActionPlan

from . import tables
from .exports import respond
from .forms import ExportForm, FilterForm, TableExportForm

if TYPE_CHECKING:
    import uuid

    from django.http import HttpRequest, HttpResponse


def _bad(form: Any) -> HttpResponse:
    problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
    return HttpResponseBadRequest(_("Invalid filter: %(problems)s") % {"problems": problems})


def _context(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    tables.check_access(request.user)
    form = FilterForm(request.GET)
    if not form.is_valid():
        return _bad(form)
    chosen = tables.selection(
        request.user, form.cleaned_data["questionnaire"], form.cleaned_data["period"]
    )
    return tables.observatory_context(request.user, chosen, current_language())


@login_required
@require_GET
def needs(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if not isinstance(context, dict):
        return context
    return render(request, "observatory/needs.html", context)


@login_required
@require_GET
def funding(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if not isinstance(context, dict):
        return context
    return render(request, "observatory/funding.html", context)


@login_required
@require_GET
def export_tables(request: HttpRequest) -> HttpResponse:
    tables.check_access(request.user)
    form = TableExportForm(request.GET)
    if not form.is_valid():
        return _bad(form)
    chosen = tables.selection(
        request.user, form.cleaned_data["questionnaire"], form.cleaned_data["period"]
    )
    context = tables.observatory_context(request.user, chosen, current_language())
    which = form.cleaned_data["table"]
    sheets = _needs_sheets(context) if which == "needs" else _funding_sheets(context)
    name = f"observatoire-{which}-{chosen.period or 'toutes-periodes'}"
    audit.record(Action.TABLE_EXPORTED, actor=request.user, target=name)
    return respond(form.cleaned_data["format"] or "csv", sheets, name)


def _needs_sheets(context: dict[str, Any]) -> list[tuple[str, list[list[Any]]]]:
    head = [
        _("Key"),
        _("Label"),
        _("Companies"),
        _("Priority 1"),
        _("Priority 2"),
        _("Priority 3"),
        _("Lines"),
        _("Hours"),
    ]
    return [
        (
            str(t["title"]),
            [head]
            + [
                [r["key"], r["label"], r["companies"], *r["priorities"], r["lines"], r["hours"]]
                for r in t["rows"]
            ],
        )
        for t in context["needs"]["tables"]
    ]


def _funding_sheets(context: dict[str, Any]) -> list[tuple[str, list[list[Any]]]]:
    head = [
        _("Key"),
        _("Label"),
        _("Status"),
        _("Companies"),
        _("Lines"),
        _("Hours"),
        _("Cost (low)"),
        _("Cost (high)"),
        _("Estimated funding (low)"),
        _("Estimated funding (high)"),
        _("Remaining cost (low)"),
        _("Remaining cost (high)"),
    ]
    keys = tables.METRICS
    return [
        (
            str(t["title"]),
            [head]
            + [[r["key"], r["label"], r["status_label"], *(r[k] for k in keys)] for r in t["rows"]],
        )
        for t in context["funding"]["tables"]
    ]


@advisor_required
@require_GET
def export_company(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    company = get_portfolio_company(request.user, public_id)
    form = ExportForm(request.GET)
    if not form.is_valid():
        return _bad(form)
    lang = current_language()
    audit.record(
        Action.TABLE_EXPORTED, actor=request.user, company=company, target=company.public_id
    )
    diagnostic = (
        Diagnostic.objects.filter(company=company, status=Diagnostic.Status.SUBMITTED)
        .select_related("questionnaire")
        .order_by("-submitted_at")
        .first()
    )
    answers: list[list[Any]] = [
        [
            _("Question"),
            _("Text"),
            _("Respondent"),
            _("Answer"),
            _("I don't know"),
            _("Not concerned"),
        ]
    ]
    plan: list[list[Any]] = [
        [
            _("Action"),
            _("Title"),
            _("Priority"),
            _("Horizon"),
            _("Status"),
            _("Target quarter"),
            _("People"),
            _("Hours"),
            _("Cost (low)"),
            _("Cost (high)"),
            _("Estimated funding (low)"),
            _("Estimated funding (high)"),
            _("Remaining cost (low)"),
            _("Remaining cost (high)"),
        ]
    ]
    if diagnostic is not None:
        spec = diagnostic.questionnaire.spec
        for a in (
            Answer.objects.filter(diagnostic=diagnostic)
            .select_related("question", "respondent")
            .order_by("question__position", "respondent_id")
        ):
            question = spec.question(a.question.code)
            value = a.value
            answers.append(
                [
                    a.question.code,
                    tr(question.text, lang) if question else "",
                    a.respondent.full_name if a.respondent else "",
                    ", ".join(map(str, value)) if isinstance(value, list) else value,
                    _("yes") if a.dont_know else "",
                    _("yes") if a.not_concerned else "",
                ]
            )
        action_plan = ActionPlan.objects.filter(diagnostic=diagnostic).first()
        if action_plan is not None:
            for r in plan_rows(action_plan, lang)[0]:
                plan.append(
                    [
                        r["action_code"],
                        r["action_title"],
                        r["priority"],
                        r["horizon_label"],
                        r["status"],
                        r["target_quarter"],
                        r["people"],
                        float(r["duration_hours"]) * r["people"],
                        r["cost_min"],
                        r["cost_max"],
                        r["funding_min"],
                        r["estimated_funding"],
                        r["remaining_min"],
                        r["remaining_max"],
                    ]
                )
    return respond(
        form.cleaned_data["format"] or "csv",
        [(_("Answers"), answers), (_("Action plan"), plan)],
        f"entreprise-{company.siret}",
    )
