"""The advisor's side: portfolio, review queue, review of a diagnostic, company history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

import audit
from accounts.access import advisor_required, get_portfolio_company
from accounts.i18n import current_language
from audit.models import Action
from diagnostics.access import get_portfolio_diagnostic
from diagnostics.definition import tr
from diagnostics.models import Diagnostic
from diagnostics.results import results_context
from documents.exports import respond
from reports import services as report_services
from reports.document import (
    changes_since_validation,
    funding_notes,
    funding_rules_message,
    plan_rows,
)
from reports.forms import posted_lines
from reports.models import ActionPlan, PlanItem, Report, TrainingAction

from .forms import (
    NAF_SECTIONS,
    AddLineForm,
    LineAdjustForm,
    PortfolioExportForm,
    PortfolioFilterForm,
    ReviewCommentForm,
)
from .history import company_history
from .portfolio import export_rows, filtered_portfolio, review_queue

if TYPE_CHECKING:
    import uuid

    from django.http import HttpRequest, HttpResponse

PAGE_SIZE = 50


@advisor_required
@require_safe
def portfolio(request: HttpRequest) -> HttpResponse:
    form = PortfolioFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return _invalid_filters(request, form)
    filters = form.cleaned_data if request.GET else {}
    rows = filtered_portfolio(request.user, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(filters.get("page") or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "advisors/portfolio.html",
        {
            "form": form,
            "sections": _naf_sections(),
            "page": page,
            "query": query.urlencode(),
            "queue_size": review_queue(request.user).count(),
        },
    )


@advisor_required
@require_safe
def portfolio_export(request: HttpRequest) -> HttpResponse:
    """The portfolio as the page lists it, with its filters and order but every page of
    it, as CSV or XLSX."""
    form = PortfolioExportForm(request.GET)
    if not form.is_valid():
        return _invalid_filters(request, form)
    rows = filtered_portfolio(request.user, form.cleaned_data)
    audit.record(Action.TABLE_EXPORTED, actor=request.user, target="portefeuille")
    fmt = form.cleaned_data["format"] or "csv"
    return respond(fmt, [(_("Portfolio"), export_rows(rows))], _("portfolio"))


def _naf_sections() -> list[tuple[str, Any]]:
    """The NAF sections the sector filter suggests: code and label."""
    return [(code, label) for code, (label, _divisions) in NAF_SECTIONS.items()]


def _invalid_filters(request: HttpRequest, form: Any) -> HttpResponse:
    return render(
        request,
        "advisors/portfolio.html",
        {"form": form, "sections": _naf_sections(), "page": None},
        status=400,
    )


@advisor_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(review_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "advisors/queue.html", {"page": page})


@advisor_required
@require_safe
def company(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The company's profile, members and history: every diagnostic, each domain's
    evolution, and what was planned against what was done."""
    followed = get_portfolio_company(request.user, public_id)
    members = followed.memberships.select_related("user").order_by("user__full_name")
    return render(
        request,
        "advisors/company.html",
        {
            "company": followed,
            "members": members,
            "diagnostics": Diagnostic.objects.listed_for_company(followed.pk),
            **company_history(followed, current_language()),
        },
    )


@advisor_required
@require_safe
def review(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    diagnostic = get_portfolio_diagnostic(request.user, public_id)
    if diagnostic.is_draft:
        messages.info(request, _("This diagnostic is not submitted yet: nothing to review."))
        return redirect("advisors:company", diagnostic.company.public_id)
    return _render_review(request, diagnostic)


@advisor_required
@require_POST
def save_review(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Save the advisor's changes to the plan's lines and their comments (overall and per
    domain), sent together from one form; on "validate", validate the plan with them, so
    that nothing changed on the page is left out of what the advisor validates."""
    diagnostic, plan = _reviewed_plan(request, public_id)
    pks = PlanItem.objects.filter(plan=plan).values_list("pk", flat=True)
    line_forms = {
        pk: LineAdjustForm(request.POST, prefix=f"line-{pk}")
        for pk in posted_lines(request.POST, "line", pks)
    }
    comment_form = ReviewCommentForm(request.POST, domains=_domains(diagnostic))
    lines_valid = all(f.is_valid() for f in line_forms.values())
    if not (comment_form.is_valid() and lines_valid):
        return _render_review(
            request, diagnostic, comment_form=comment_form, line_forms=line_forms, status=400
        )
    report = report_services.advisor_review(
        plan=plan,
        advisor=request.user,
        adjustments={pk: f.edited() for pk, f in line_forms.items() if f.has_changed()},
        comment=comment_form.cleaned_data["comment"],
        domain_comments=comment_form.domain_comments(),
        validate=request.POST.get("review") == "validate",
    )
    if report is not None:
        messages.success(
            request,
            _(
                "The plan is validated; the company's admins are told by e-mail and PDF "
                "version %(n)s is being made."
            )
            % {"n": report.number},
        )
    else:
        messages.success(request, _("Your changes are saved."))
    return redirect("advisors:review", diagnostic.public_id)


@advisor_required
@require_POST
def add_line(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Add an action of the plan's catalogue to the plan."""
    diagnostic, plan = _reviewed_plan(request, public_id)
    form = AddLineForm(request.POST, actions=_addable(plan), language=current_language())
    if not form.is_valid():
        return _render_review(request, diagnostic, add_form=form, status=400)
    try:
        report_services.add_plan_line(
            plan=plan,
            action=form.cleaned_data["action"],
            priority=form.cleaned_data["priority"],
            horizon=form.cleaned_data["horizon"],
            user=request.user,
        )
    except report_services.PlanError as exc:
        form.add_error("action", str(exc))
        return _render_review(request, diagnostic, add_form=form, status=400)
    messages.success(request, _("The action is added to the plan."))
    return redirect("advisors:review", diagnostic.public_id)


@advisor_required
@require_POST
def funding_rules(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Estimate the plan under the most recently published funding rules."""
    diagnostic, plan = _reviewed_plan(request, public_id)
    rules = report_services.use_latest_funding_rules(plan=plan)
    messages.success(request, funding_rules_message(rules))
    return redirect("advisors:review", diagnostic.public_id)


# --- Helpers ---------------------------------------------------------------------------


def _reviewed_plan(request: HttpRequest, public_id: uuid.UUID) -> tuple[Diagnostic, ActionPlan]:
    diagnostic = get_portfolio_diagnostic(request.user, public_id)
    plan = get_object_or_404(
        ActionPlan.objects.select_related("company", "funding_rules", "catalogue"),
        diagnostic=diagnostic,
    )
    plan.diagnostic = diagnostic
    return diagnostic, plan


def _domains(diagnostic: Diagnostic) -> list[tuple[str, str]]:
    language = current_language()
    return [(d.code, tr(d.title, language)) for d in diagnostic.questionnaire.spec.domains]


def _addable(plan: ActionPlan) -> Any:
    return TrainingAction.objects.filter(catalogue_id=plan.catalogue_id).exclude(
        pk__in=PlanItem.objects.filter(plan=plan).values("action_id")
    )


def _render_review(
    request: HttpRequest,
    diagnostic: Diagnostic,
    *,
    comment_form: ReviewCommentForm | None = None,
    line_forms: dict[int, LineAdjustForm] | None = None,
    add_form: AddLineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    language = current_language()
    context = results_context(diagnostic, language)
    plan = (
        ActionPlan.objects.select_related(
            "company", "funding_rules", "catalogue", "validated_by", "changed_since_validation_by"
        )
        .filter(diagnostic=diagnostic)
        .first()
    )
    rows: list[dict[str, Any]] = []
    totals = None
    if plan is not None:
        plan.diagnostic = diagnostic
        rows, totals = plan_rows(plan, language)
        for row in rows:
            row["adjust"] = (line_forms or {}).get(row["pk"]) or LineAdjustForm(
                prefix=f"line-{row['pk']}",
                initial={
                    "priority": row["priority"],
                    "horizon": row["horizon"],
                    "drop": row["status_code"] == PlanItem.Status.DROPPED,
                    "drop_reason": row["drop_reason"],
                },
            )
        comments = plan.domain_comments or {}
        comment_form = comment_form or ReviewCommentForm(
            domains=_domains(diagnostic),
            initial={
                "comment": plan.advisor_comment,
                **{f"domain-{code}": text for code, text in comments.items()},
            },
        )
        add_form = add_form or AddLineForm(actions=_addable(plan), language=language)
    for domain in context["domains"]:
        domain["field"] = comment_form[f"domain-{domain['code']}"] if comment_form else None
    reports = list(Report.objects.filter(diagnostic=diagnostic).order_by("-number")[:5])
    return render(
        request,
        "advisors/review.html",
        {
            **context,
            "company": diagnostic.company,
            "disagreements": [d for d in context["divergence"] if d["disagree"]],
            "plan": plan,
            "rows": rows,
            "totals": totals,
            "changes": changes_since_validation(plan, rows) if plan else [],
            "funding_notes": funding_notes(rows),
            "newer_rules": report_services.newer_funding_rules(plan) if plan else None,
            "rules_url": reverse("advisors:funding_rules", args=[diagnostic.public_id]),
            "can_change_rules": plan is not None,
            "comment_form": comment_form,
            "error_rows": [row for row in rows if row["adjust"].errors],
            "add_form": add_form,
            "reports": reports,
        },
        status=status,
    )
