"""The observatory's pages and the exports: training needs, funding forecast, one
company's answers and plan. Operator admins see the whole sector, advisors their
portfolio; figures come from the precomputed tables (observatory.tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_safe

import audit
from accounts.access import advisor_required, get_portfolio_company
from accounts.i18n import current_language
from audit.models import Action
from diagnostics.forms import display_answer
from diagnostics.models import Answer, Diagnostic
from documents.exports import ExportForm, respond
from documents.parsing import tr
from reports.document import checked_before_this_year
from reports.models import ActionPlan, FundingRules
from reports.sheets import plan_lines_header, plan_lines_sheet

from . import tables
from .forms import FilterForm, TableExportForm

if TYPE_CHECKING:
    import uuid

    from django.http import HttpRequest, HttpResponse

    from accounts.models import Company
    from diagnostics.definition import Question


def _bad(form: Any) -> HttpResponse:
    """400, naming each filter to correct by its label, as the form shows it."""
    problems = "; ".join(
        _("%(filter)s: %(problem)s")
        % {
            "filter": form[name].label if name in form.fields else _("Filters"),
            "problem": " ".join(errors),
        }
        for name, errors in form.errors.items()
    )
    return HttpResponseBadRequest(_("Invalid filter: %(problems)s") % {"problems": problems})


def _context(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    tables.check_access(request.user)
    form = FilterForm(request.GET)
    if not form.is_valid():
        return _bad(form)
    chosen = tables.selection(
        request.user,
        form.cleaned_data["questionnaire"],
        form.cleaned_data["period"],
        form.cleaned_data["region"],
        form.cleaned_data["branch"],
    )
    return tables.observatory_context(request.user, chosen, current_language())


@login_required
@require_safe
def needs(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if not isinstance(context, dict):
        return context
    return render(request, "observatory/needs.html", context)


@login_required
@require_safe
def funding(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if not isinstance(context, dict):
        return context
    # Even the latest rules were checked in an earlier year: every estimate is to confirm.
    context["rules_out_of_date"] = checked_before_this_year(FundingRules.latest())
    return render(request, "observatory/funding.html", context)


@login_required
@require_safe
def export_tables(request: HttpRequest) -> HttpResponse:
    tables.check_access(request.user)
    form = TableExportForm(request.GET)
    if not form.is_valid():
        return _bad(form)
    chosen = tables.selection(
        request.user,
        form.cleaned_data["questionnaire"],
        form.cleaned_data["period"],
        form.cleaned_data["region"],
        form.cleaned_data["branch"],
    )
    context = tables.observatory_context(request.user, chosen, current_language())
    which = form.cleaned_data["table"]
    sheets = _needs_sheets(context) if which == "needs" else _funding_sheets(context)
    audit.record(
        Action.TABLE_EXPORTED,
        actor=request.user,
        target=f"observatoire-{which}-{chosen.period or 'toutes-periodes'}"
        + (f"-{chosen.region}" if chosen.region else "")
        + (f"-idcc{chosen.branch}" if chosen.branch else ""),
    )
    title = dict(form.fields["table"].choices)[which]
    period = chosen.period or _("all periods")
    observatory = _("observatory")
    filename = slugify(
        f"{observatory} {title} {period} {chosen.region_label} {chosen.branch_label}"
    )
    about = (_("Selection"), _selection_sheet(title, context, funding=which == "funding"))
    return respond(form.cleaned_data["format"] or "csv", [about, *sheets], filename)


def _selection_sheet(title: str, context: dict[str, Any], *, funding: bool) -> list[list[Any]]:
    """What the other sheets count, as the page says it above its tables: the version,
    period, region and branch chosen, whose companies, the threshold under which nothing is
    shown, the refresh the figures come from and, for the funding forecast, that every
    amount is an estimate to confirm. A file forwarded on its own keeps its meaning."""
    chosen: tables.Selection = context["selection"]
    questionnaire = chosen.questionnaire
    rows: list[list[Any]] = [
        [_("Table"), title],
        [
            _("Questionnaire"),
            questionnaire.display_title(current_language()) if questionnaire else "—",
        ],
        [_("Version"), questionnaire.version if questionnaire else "—"],
        [_("Period (year of submission)"), chosen.period or _("Every period")],
        [_("Region"), chosen.region_label or _("Every region")],
        [_("Branch (collective agreement)"), chosen.branch_label or _("Every branch")],
        [_("Companies counted"), context["scope"]],
        [
            _("Threshold"),
            _("No figure is shown for fewer than %(k)s companies.")
            % {"k": context["min_companies"]},
        ],
    ]
    if chosen.refreshed_at is not None:
        at = timezone.localtime(chosen.refreshed_at).replace(second=0, microsecond=0)
        rows.append([_("Last refresh"), at.replace(tzinfo=None)])  # a spreadsheet has no zones
    if funding:
        rows.append(
            [
                _("Estimates"),
                _(
                    "Estimates are indicative, under each plan's funding rules, subject to "
                    "the OPCO's agreement; amounts at the low and high ends of the cost range."
                ),
            ]
        )
        out_of_date = checked_before_this_year(FundingRules.latest())
        if out_of_date:
            rows.append(
                [
                    _("Funding rules"),
                    _(
                        "The most recent funding rules were checked against their sources in "
                        "%(checked)s: the rates and amounts of %(year)s may differ, so every "
                        "estimate is to be confirmed with the OPCO."
                    )
                    % out_of_date,
                ]
            )
        if context["funding"]["earlier_rules"]:
            rows.append(
                [
                    _("Funding rules"),
                    _(
                        "Some plans are not estimated under the latest funding rules: their "
                        "figures are to be confirmed."
                    ),
                ]
            )
    rows.append([_("Exported on"), timezone.localdate()])
    return rows


def _hidden_note(table: dict[str, Any], k: int, *, dashes: bool) -> list[list[Any]]:
    """What the page says under a table, as the sheet's last lines: which cells are left
    out, and how many groups are hidden, for fewer than k companies."""
    notes = []
    if dashes:
        notes.append(_("—: fewer than %(k)s companies, not shown.") % {"k": k})
    if table["hidden"]:
        notes.append(
            ngettext(
                "%(n)s group hidden: fewer than %(k)s companies.",
                "%(n)s groups hidden: fewer than %(k)s companies.",
                table["hidden"],
            )
            % {"n": table["hidden"], "k": k}
        )
    if not table["rows"] and not notes:  # as the page says when it shows no table
        notes.append(_("Not enough companies yet for figures on this selection."))
    return [[], *([note] for note in notes)] if notes else []


def _needs_sheets(context: dict[str, Any]) -> list[tuple[str, list[list[Any]]]]:
    k = context["min_companies"]
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
    sheets = []
    for t in context["needs"]["tables"]:
        rows = [
            [
                r["key"],
                r["label"],
                r["companies"],
                *("—" if n is None else n for n in r["priorities"]),
                r["lines"],
                r["hours"],
            ]
            for r in t["rows"]
        ]
        dashes = any(n is None for r in t["rows"] for n in r["priorities"])
        sheets.append((str(t["title"]), [head, *rows, *_hidden_note(t, k, dashes=dashes)]))
    return sheets


def _funding_sheets(context: dict[str, Any]) -> list[tuple[str, list[list[Any]]]]:
    min_companies = context["min_companies"]
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
        _("Lines whose funding is not estimated"),
    ]
    keys = (*tables.METRICS, "uncosted_lines")
    totals = [
        ["", _("All lines"), r["status_label"], *(r[m] for m in keys)]
        for r in context["funding"]["totals"]
    ]
    empty = [[], [_("Not enough companies yet for figures on this selection.")]]
    sheets = [
        (
            _("All lines, by status"),
            [head, *totals, *_to_secure_rows(context["funding"])] if totals else [head, *empty],
        )
    ]
    for t in context["funding"]["tables"]:
        rows = [[r["key"], r["label"], r["status_label"], *(r[m] for m in keys)] for r in t["rows"]]
        note = _hidden_note(t, min_companies, dashes=False)
        sheets.append((str(t["title"]), [head, *rows, *note]))
    return sheets


def _to_secure_rows(funding: dict[str, Any]) -> list[list[Any]]:
    """The amounts the page gives above its tables, as the totals sheet's last lines, in
    its funding columns: the funding to secure and, of it, what is for accepted lines
    whose quarter is over; then how many eligible lines it leaves out, their funding not
    estimated."""
    if not funding["to_secure_shown"]:
        return []
    blank = [""] * 6  # status to the cost (high)

    def line(label: str, low: int, high: int) -> list[Any]:
        return ["", label, *blank, low, high, "", ""]

    rows = [
        [],
        line(
            _("Estimated OPCO funding to secure (proposed and accepted lines)"),
            funding["to_secure_min"],
            funding["to_secure"],
        ),
    ]
    if funding["overdue_shown"]:
        rows.append(
            line(
                _("Of which: accepted lines whose quarter is over (%(quarters)s)")
                % {"quarters": ", ".join(funding["overdue_quarters"])},
                funding["overdue_min"],
                funding["overdue"],
            )
        )
    if funding["to_secure_uncosted"]:  # their count in the last column, as in the tables
        label = _("Not counted in this amount: eligible lines whose funding route gives no amount")
        if funding["uncosted_routes"]:
            label += f" ({', '.join(funding['uncosted_routes'])})"
        rows.append(["", label, *blank, "", "", "", "", funding["to_secure_uncosted"]])
    if funding["to_secure_partial"]:
        rows.append(
            [
                "",
                _(
                    "Only the statuses of enough companies are counted: the others are left "
                    "out of this amount."
                ),
            ]
        )
    return rows


@advisor_required
@require_safe
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
            pgettext("export column", "Answer"),
            _("I don't know"),
            _("Not concerned"),
        ]
    ]
    plan: list[list[Any]] = [plan_lines_header()]
    if diagnostic is not None:
        spec = diagnostic.questionnaire.spec
        for a in (
            Answer.objects.filter(diagnostic=diagnostic)
            .select_related("question", "respondent")
            .order_by("question__position", "respondent_id")
        ):
            question = spec.question(a.question.code)
            answers.append(
                [
                    a.question.code,
                    tr(question.text, lang) if question else "",
                    a.respondent.full_name if a.respondent else "",
                    _answer_cell(question, a, lang),
                    _("yes") if a.dont_know else "",
                    _("yes") if a.not_concerned else "",
                ]
            )
        action_plan = (
            ActionPlan.objects.filter(diagnostic=diagnostic)
            .select_related("company", "funding_rules", "catalogue")
            .defer("funding_rules__source", "catalogue__source")
            .first()
        )
        if action_plan is not None:
            action_plan.diagnostic = diagnostic  # with its questionnaire, read above
            plan = plan_lines_sheet(action_plan, lang)
    return respond(
        form.cleaned_data["format"] or "csv",
        [
            (_("Diagnostic"), _diagnostic_sheet(company, diagnostic, lang)),
            (_("Answers"), answers),
            (_("Action plan"), plan),
        ],
        f"entreprise-{company.siret}",
        lang,
    )


def _diagnostic_sheet(
    company: Company, diagnostic: Diagnostic | None, lang: str
) -> list[list[Any]]:
    """Which diagnostic the other sheets come from (the company's latest submitted one):
    its questionnaire, version and day of submission."""
    rows: list[list[Any]] = [[_("Company"), company.name], [_("SIRET"), company.siret]]
    if diagnostic is None:
        rows.append([_("Diagnostic"), _("No submitted diagnostic yet.")])
    else:
        rows += [
            [_("Questionnaire"), diagnostic.questionnaire.display_title(lang)],
            [_("Version"), diagnostic.questionnaire.version],
            [_("Diagnostic submitted on"), timezone.localdate(diagnostic.submitted_at)],
        ]
    rows.append([_("Exported on"), timezone.localdate()])
    return rows


def _answer_cell(question: Question | None, answer: Answer, lang: str) -> Any:
    """The answer as the export gives it: an option, yes or no, "don't know" and "not
    concerned" worded as the respondent read them, in the export's language; a number (a
    figure, a maturity level) stays a number and free text is as typed."""
    value = answer.value
    if question is not None and (
        answer.dont_know or answer.not_concerned or _is_option(question, value)
    ):
        return display_answer(question, value, answer.dont_know, lang, answer.not_concerned)
    return ", ".join(map(str, value)) if isinstance(value, list) else value


def _is_option(question: Question, value: Any) -> bool:
    """Whether the stored value is made of the question's options (anything else, such as
    a value from before a change of the question, is given as stored)."""
    if question.kind == "yesno":
        return value in ("yes", "no")
    if question.kind == "single":
        return isinstance(value, str) and question.choice(value) is not None
    if question.kind == "multiple":
        return (
            isinstance(value, list)
            and bool(value)
            and all(question.choice(str(code)) is not None for code in value)
        )
    return False
