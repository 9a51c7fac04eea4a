from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

import audit
from audit.models import Action
from diagnostics.access import get_visible_diagnostic

from . import services
from .access import get_visible_report, is_company_admin, is_following_advisor
from .document import plan_rows
from .forms import AdvisorReviewForm, PlanItemForm
from .models import PlanItem, Report

if TYPE_CHECKING:
    import uuid

    from django.http import HttpRequest, HttpResponse


def _language() -> str:
    return (get_language() or "fr")[:2]


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The action plan: company admins edit the items, following advisors comment and validate."""
    diagnostic = get_visible_diagnostic(request.user, public_id)
    try:
        action_plan = services.plan_for(diagnostic)
    except services.PlanError as exc:
        messages.info(request, str(exc))
        return redirect("diagnostics:results", diagnostic.public_id)
    can_edit = is_company_admin(request.user, diagnostic.company_id)
    can_review = is_following_advisor(request.user, diagnostic.company_id)
    items = list(PlanItem.objects.filter(plan=action_plan).select_related("action"))
    forms = {
        item.pk: PlanItemForm(request.POST or None, instance=item, prefix=f"item-{item.pk}")
        for item in items
    }
    review = AdvisorReviewForm(
        request.POST if "review" in request.POST else None,
        initial={"comment": action_plan.advisor_comment},
    )
    status = 200
    if request.method == "POST":
        if "review" in request.POST:
            if not can_review:
                raise PermissionDenied(_("Only an advisor following the company can do this."))
            if review.is_valid():
                report = services.advisor_review(
                    plan=action_plan,
                    advisor=request.user,
                    comment=review.cleaned_data["comment"],
                    validate=request.POST.get("review") == "validate",
                    language=_language(),
                )
                messages.success(request, _("Your review is saved."))
                if report is not None:
                    return redirect("reports:report", report.public_id)
                return redirect("reports:plan", diagnostic.public_id)
            status = 400
        else:
            if not (can_edit or can_review):
                raise PermissionDenied(_("Only an administrator of the company can edit the plan."))
            if all(f.is_valid() for f in forms.values()):
                changed = services.update_plan_items(
                    plan=action_plan, changes={pk: f.cleaned_data for pk, f in forms.items()}
                )
                messages.success(
                    request,
                    _("The action plan is saved.") if changed else _("Nothing has changed."),
                )
                return redirect("reports:plan", diagnostic.public_id)
            status = 400
    rows, totals = plan_rows(action_plan, _language())
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
            "totals": totals,
            "can_edit": can_edit or can_review,
            "can_review": can_review,
            "review": review,
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
            diagnostic=diagnostic, user=request.user, language=_language()
        )
    except services.PlanError as exc:
        messages.error(request, str(exc))
        return redirect("diagnostics:results", diagnostic.public_id)
    return redirect("reports:report", report.public_id)


@login_required
@require_http_methods(["GET"])
def report(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Status of a PDF: refreshes itself (no JavaScript) until it is ready or failed."""
    current = get_visible_report(request.user, public_id)
    versions = list(Report.objects.filter(diagnostic=current.diagnostic).order_by("-number"))
    latest_ready = next((r for r in versions if r.is_ready), None)
    return render(
        request,
        "reports/report.html",
        {
            "report": current,
            "versions": versions,
            "outdated": latest_ready is not None and services.is_outdated(latest_ready),
            "latest_ready": latest_ready,
        },
    )


@login_required
@require_http_methods(["GET"])
def download(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    current = get_visible_report(request.user, public_id)
    if not current.is_ready or not current.file:
        raise Http404
    audit.record(Action.REPORT_DOWNLOADED, company=current.company_id, target=current.public_id)
    return FileResponse(
        current.file.open("rb"),
        as_attachment=True,
        filename=f"plan-actions-{current.company.siret}-v{current.number}.pdf",
        content_type="application/pdf",
    )
