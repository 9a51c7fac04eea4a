from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

import audit
from accounts.access import company_member_required
from accounts.i18n import current_language
from audit.models import Action
from diagnostics.access import get_company_diagnostic, get_visible_diagnostic
from diagnostics.services import SubmissionError
from documents.exports import ExportForm, respond

from . import services
from .access import get_visible_report, is_company_admin, is_following_advisor
from .document import domain_comments, funding_notes, funding_rules_message, plan_rows
from .forms import PlanItemForm, PlanSettingsForm, posted_lines
from .models import ActionPlan, PlanItem, Report
from .sheets import plan_sheets

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    import uuid

    from django.http import HttpRequest, HttpResponse

    from accounts.models import User
    from diagnostics.models import Diagnostic


@company_member_required(admin=True, lookup=get_company_diagnostic)
@require_POST
def submit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Submit a diagnostic: its scores are frozen and its action plan is made. Only from
    its confirmation page, which says who has answered what: a post without its `confirm`
    leads there."""
    diagnostic = get_company_diagnostic(request.membership, public_id)
    if request.POST.get("confirm") != "1":
        return redirect("diagnostics:confirm_submit", diagnostic.public_id)
    try:
        submitted = services.submit(diagnostic=diagnostic, user=request.user)
    except SubmissionError as exc:
        messages.error(request, str(exc))
        return redirect("diagnostics:overview", diagnostic.public_id)
    if submitted:
        messages.success(request, _("The diagnostic is submitted. Here are your results."))
    return redirect("diagnostics:results", diagnostic.public_id)


@login_required
@require_safe
def plan(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The action plan: company admins edit the items, following advisors comment and validate."""
    diagnostic = get_visible_diagnostic(request.user, public_id)
    if diagnostic.is_draft:
        messages.info(request, _("The action plan is made once the diagnostic is submitted."))
        return redirect("diagnostics:results", diagnostic.public_id)
    action_plan = (
        ActionPlan.objects.select_related("company", "funding_rules")
        .filter(diagnostic=diagnostic)
        .first()
    )
    if action_plan is None:
        return render(
            request,
            "reports/plan_missing.html",
            {"diagnostic": diagnostic, "can_make": _can_edit(request.user, diagnostic)},
        )
    return _render_plan(request, action_plan)


@login_required
@require_POST
def make_plan(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Make the plan of a diagnostic submitted while no catalogue was published."""
    diagnostic = get_visible_diagnostic(request.user, public_id)
    if not _can_edit(request.user, diagnostic):
        raise PermissionDenied(_("Only an administrator of the company can edit the plan."))
    try:
        services.plan_for(diagnostic)
    except services.PlanError as exc:
        messages.error(request, str(exc))
    return redirect("reports:plan", diagnostic.public_id)


@login_required
@require_POST
def save_plan(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The company admin (or a following advisor) saves the edited plan lines."""
    action_plan = _editable_plan(request.user, public_id)
    forms = _item_forms(action_plan, request.POST)
    if not all(f.is_valid() for f in forms.values()):
        return _render_plan(request, action_plan, forms=forms, status=400)
    changed = services.update_plan_items(
        plan=action_plan, changes={pk: f.edited() for pk, f in forms.items() if f.has_changed()}
    )
    messages.success(
        request, _("The action plan is saved.") if changed else _("Nothing has changed.")
    )
    return redirect("reports:plan", action_plan.diagnostic.public_id)


@login_required
@require_POST
def plan_settings(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The company admin counts the salaries of training time, from an hourly cost."""
    action_plan = _editable_plan(request.user, public_id)
    form = PlanSettingsForm(request.POST, instance=ActionPlan.objects.get(pk=action_plan.pk))
    if not form.is_valid():
        return _render_plan(request, action_plan, settings_form=form, status=400)
    services.set_salary_cost(
        plan=action_plan, hourly_salary_cost=form.cleaned_data["hourly_salary_cost"]
    )
    messages.success(request, _("The action plan is saved."))
    return redirect("reports:plan", action_plan.diagnostic.public_id)


@login_required
@require_POST
def plan_funding_rules(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Estimate the plan under the most recently published funding rules."""
    action_plan = _editable_plan(request.user, public_id)
    rules = services.use_latest_funding_rules(plan=action_plan)
    messages.success(request, funding_rules_message(rules))
    return redirect("reports:plan", action_plan.diagnostic.public_id)


@login_required
@require_safe
def export_plan(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The plan as a spreadsheet (CSV or XLSX), for whoever may read the plan."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("Unknown file format: choose CSV or XLSX."), content_type="text/plain; charset=utf-8"
        )
    diagnostic = get_visible_diagnostic(request.user, public_id)  # with its questionnaire
    action_plan = get_object_or_404(
        ActionPlan.objects.select_related(
            "company", "funding_rules", "catalogue", "validated_by"
        ).defer("funding_rules__source", "catalogue__source"),
        diagnostic=diagnostic,
    )
    action_plan.diagnostic = diagnostic
    audit.record(
        Action.TABLE_EXPORTED,
        actor=request.user,
        company=action_plan.company,
        target=f"plan-{diagnostic.public_id}",
    )
    day = diagnostic.submitted_at.date().isoformat() if diagnostic.submitted_at else ""
    title = _("action plan")
    filename = slugify(f"{title} {action_plan.company.name} {day}")
    return respond(
        form.cleaned_data["format"] or "csv", plan_sheets(action_plan, current_language()), filename
    )


def _existing_plan(user: User, public_id: uuid.UUID) -> ActionPlan:
    diagnostic = get_visible_diagnostic(user, public_id)
    return get_object_or_404(
        ActionPlan.objects.select_related("diagnostic", "company", "funding_rules"),
        diagnostic=diagnostic,
    )


def _editable_plan(user: User, public_id: uuid.UUID) -> ActionPlan:
    """The plan, for a company admin or a following advisor; PermissionDenied otherwise."""
    action_plan = _existing_plan(user, public_id)
    if not _can_edit(user, action_plan.diagnostic):
        raise PermissionDenied(_("Only an administrator of the company can edit the plan."))
    return action_plan


def _can_edit(user: User, diagnostic: Diagnostic) -> bool:
    return is_company_admin(user, diagnostic.company_id) or is_following_advisor(
        user, diagnostic.company_id
    )


def _item_forms(action_plan: ActionPlan, data: Any = None) -> dict[int, PlanItemForm]:
    """The lines' forms; with posted `data`, only those of the lines that were posted."""
    items = {i.pk: i for i in PlanItem.objects.filter(plan=action_plan).select_related("action")}
    for item in items.values():
        item.plan = action_plan  # with its company, read once
    pks = items if data is None else posted_lines(data, "item", items)
    return {pk: PlanItemForm(data, instance=items[pk], prefix=f"item-{pk}") for pk in pks}


def _render_plan(
    request: HttpRequest,
    action_plan: ActionPlan,
    *,
    forms: dict[int, PlanItemForm] | None = None,
    settings_form: PlanSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    diagnostic = action_plan.diagnostic
    forms = {**_item_forms(action_plan), **(forms or {})}
    rows, totals = plan_rows(action_plan, current_language())
    for row in rows:
        row["form"] = forms[row["pk"]]
    reports = Report.objects.filter(diagnostic=diagnostic).order_by("-number")
    return render(
        request,
        "reports/plan.html",
        {
            "diagnostic": diagnostic,
            "plan": action_plan,
            "rows": rows,
            "compliance": [row for row in rows if row["compliance"]],
            "error_rows": [row for row in rows if row["form"].errors],
            "year1": [
                row
                for row in rows
                if row["horizon"] == PlanItem.Horizon.YEAR1 and not row["compliance"]
            ],
            "later": [
                row
                for row in rows
                if row["horizon"] == PlanItem.Horizon.LATER and not row["compliance"]
            ],
            "totals": totals,
            "overdue": [row for row in rows if row["overdue"]],
            "funding_notes": funding_notes(rows),
            "newer_rules": services.newer_funding_rules(action_plan),
            "rules_url": reverse("reports:plan_funding_rules", args=[diagnostic.public_id]),
            "can_change_rules": _can_edit(request.user, diagnostic),
            "domain_comments": domain_comments(action_plan, current_language()),
            "can_edit": _can_edit(request.user, diagnostic),
            "can_review": is_following_advisor(request.user, diagnostic.company_id),
            "settings_form": settings_form or PlanSettingsForm(instance=action_plan),
            "reports": reports,
            "latest": reports.first(),
        },
        status=status,
    )


@login_required
@require_POST
def request_report(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    diagnostic = get_visible_diagnostic(request.user, public_id)
    try:
        report = services.request_report(
            diagnostic=diagnostic, user=request.user, language=current_language()
        )
    except services.PlanError as exc:
        messages.error(request, str(exc))
        return redirect("diagnostics:results", diagnostic.public_id)
    return redirect("reports:report", report.public_id)


@login_required
@require_safe
def report(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Status of a PDF: refreshes itself (no JavaScript) until it is ready or failed."""
    current = get_visible_report(request.user, public_id)
    versions = list(
        Report.objects.filter(diagnostic=current.diagnostic)
        .select_related("requested_by")  # each version shows who asked for it
        .order_by("-number")
    )
    latest_ready = next((r for r in versions if r.is_ready), None)
    return render(
        request,
        "reports/report.html",
        {
            "report": current,
            "versions": versions,
            "outdated": _outdated(latest_ready, versions),
            "latest_ready": latest_ready,
        },
    )


def _outdated(latest_ready: Report | None, versions: list[Report]) -> bool:
    """Whether to say that the latest PDF no longer shows the plan and results: not while
    a newer version that does is being made."""
    if latest_ready is None or not services.is_outdated(latest_ready):
        return False
    return not any(
        v.number > latest_ready.number and v.in_progress and not services.is_outdated(v)
        for v in versions
    )


@login_required
@require_safe
def download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    current = get_visible_report(request.user, public_id)
    if not current.is_ready or not current.file:
        raise Http404
    try:
        pdf = current.file.open("rb")
    except FileNotFoundError:  # lost from the storage: the row says ready
        logger.error("The PDF of report %s is missing: %s", current.public_id, current.file.name)
        return _unavailable(request, current, missing=True)
    except OSError:  # the storage does not answer (a network disk, a bucket)
        logger.warning("The PDF of report %s cannot be read", current.public_id, exc_info=True)
        return _unavailable(request, current, missing=False)
    audit.record(Action.REPORT_DOWNLOADED, company=current.company_id, target=current.public_id)
    return FileResponse(
        pdf,
        as_attachment=True,
        filename=f"plan-actions-{current.company.siret}-v{current.number}.pdf",
        content_type="application/pdf",
    )


def _unavailable(request: HttpRequest, report: Report, *, missing: bool) -> HttpResponse:
    """A page instead of the file: 404 for a file the storage has lost (a new version can
    be made at once), 503 for a storage that does not answer (try again)."""
    response = render(
        request,
        "reports/download_unavailable.html",
        {"report": report, "missing": missing},
        status=404 if missing else 503,
    )
    if not missing:
        response["Retry-After"] = "120"
    return response
