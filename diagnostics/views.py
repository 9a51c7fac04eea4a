"""Answering pages: thin views over diagnostics.answering (what a page shows) and
diagnostics.services (what a save or a submission does)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import company_member_required, current_membership
from accounts.i18n import current_language
from accounts.unsaved import keeps_unsaved_post, pop_unsaved_post

from . import answering, services
from .access import (
    forget_diagnostic,
    get_company_diagnostic,
    get_company_diagnostic_to_save,
    get_visible_diagnostic,
)
from .forms import AnswerError, StartDiagnosticForm, parse_answer, parse_version
from .models import Diagnostic
from .results import results_context
from .tables import results_rows

if TYPE_CHECKING:
    import uuid

    from django.http import HttpRequest, HttpResponse


# The company's diagnostics, newest first, a page at a time: the page does not grow with
# the company's history.
LIST_PAGE_SIZE = 20


def _list_context(request: HttpRequest, form: StartDiagnosticForm | None) -> dict[str, object]:
    diagnostics = Diagnostic.objects.listed_for_company(request.membership.company_id)
    page = Paginator(diagnostics, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return {"diagnostics": page, "page": page, "form": form}


@company_member_required
@require_safe
def diagnostic_list(request: HttpRequest) -> HttpResponse:
    company_id = request.membership.company_id
    form = StartDiagnosticForm(company_id=company_id) if request.membership.is_admin else None
    return render(request, "diagnostics/list.html", _list_context(request, form))


@company_member_required(admin=True)
@require_POST
def diagnostic_start(request: HttpRequest) -> HttpResponse:
    form = StartDiagnosticForm(request.POST, company_id=request.membership.company_id)
    if not form.is_valid():
        return render(request, "diagnostics/list.html", _list_context(request, form), status=400)
    try:
        diagnostic = services.start_diagnostic(
            membership=request.membership,
            questionnaire=form.cleaned_data["questionnaire"],
            mode=form.cleaned_data["mode"],
            copy_from=form.cleaned_data["copy_from"],
        )
    except services.DiagnosticInProgressError as exc:
        messages.info(
            request,
            _(
                "A diagnostic on this questionnaire, answered this way, is already in "
                "progress: here it is. Nothing else was started."
            ),
        )
        return redirect("diagnostics:overview", exc.public_id)
    if diagnostic.copied_from_id:
        messages.success(
            request,
            _(
                "The re-assessment is started from the answers of the last diagnostic: "
                "confirm or change each one. Your colleagues can answer it too."
            ),
        )
    else:
        messages.success(
            request, _("The diagnostic is started. Your colleagues can answer it too.")
        )
    return redirect("diagnostics:overview", diagnostic.public_id)


@company_member_required
@require_safe
def overview(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    diagnostic = get_company_diagnostic(request.membership, public_id, with_answers_of=request.user)
    if not diagnostic.is_draft:
        return _to_results(request, diagnostic)
    context = answering.overview_context(diagnostic, request.user, current_language())
    return render(request, "diagnostics/overview.html", context)


@keeps_unsaved_post
@company_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def domain_page(request: HttpRequest, public_id: uuid.UUID, code: str) -> HttpResponse:
    """One page per domain. Works without JavaScript; autosave.js saves each answer as given."""
    if request.method == "POST":
        return _save_domain_page(request, public_id, code)
    diagnostic = get_company_diagnostic(request.membership, public_id, with_answers_of=request.user)
    if not diagnostic.is_draft:
        return _to_results(request, diagnostic)
    domain = diagnostic.questionnaire.spec.domain(code)
    if domain is None:
        raise Http404
    unsaved = pop_unsaved_post(request)
    if unsaved:
        messages.warning(
            request,
            _(
                "The page had expired and your answers were not saved. They are shown "
                "below: check them and press Save."
            ),
        )
    context = answering.domain_page_context(
        diagnostic, domain, request.user, current_language(), unsaved=unsaved
    )
    return render(request, "diagnostics/domain.html", context)


def _save_domain_page(request: HttpRequest, public_id: uuid.UUID, code: str) -> HttpResponse:
    """A domain page's answers, saved by one statement that checks the draft, its
    company and its status under a share lock (`services.save_page`): a submission waits
    for the save, and no save lands after it. As for the autosave, the diagnostic's row is
    not read before the save: its fixed facts are kept per process. Only a page shown
    again (refused answers, conflicts) reads it whole."""
    membership = request.membership
    diagnostic = get_company_diagnostic_to_save(membership, public_id)
    spec = diagnostic.questionnaire.spec
    domain = spec.domain(code)
    if domain is None:
        raise Http404
    posted = answering.posted_answers(domain, request.POST)
    try:
        outcome = services.save_page(
            diagnostic=diagnostic, domain=domain, posted=posted, user=request.user
        )
    except Diagnostic.DoesNotExist:  # deleted
        forget_diagnostic(membership.company_id, public_id)
        raise Http404 from None
    if outcome.submitted:
        return _to_results(request, diagnostic, unsaved=True)
    if outcome.saved:
        messages.success(request, _("Your answers are saved."))
        target = request.POST.get("next_domain")
        if not (target and spec.domain(target)):
            target = domain.code
        return redirect("diagnostics:domain", public_id, target)
    diagnostic = get_company_diagnostic(membership, public_id)
    if not diagnostic.is_draft:  # submitted since the save
        return _to_results(request, diagnostic, unsaved=True)
    language = current_language()
    conflicts = {
        code: answering.conflict_message(spec.question(code), theirs, language)
        for code, theirs in outcome.conflicts.items()
    }
    context = answering.domain_page_context(
        diagnostic,
        domain,
        request.user,
        language,
        posted=posted,
        errors=outcome.errors,
        conflicts=conflicts,
    )
    status = 409 if conflicts and not outcome.errors else 400
    return render(request, "diagnostics/domain.html", context, status=status)


def _to_results(
    request: HttpRequest, diagnostic: Diagnostic, *, unsaved: bool = False
) -> HttpResponse:
    """A page of a submitted diagnostic leads to its results, saying who submitted it and
    when (and, after a save that came too late, that the page's answers were not saved)."""
    if unsaved:
        messages.warning(request, _("Your answers on this page were not saved."))
    messages.info(request, answering.submitted_notice(diagnostic))
    return redirect("diagnostics:results", diagnostic.public_id)


@company_member_required(admin=True, lookup=get_company_diagnostic)
@require_safe
def confirm_submit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Before submitting: what submitting does, who has answered what, and what is still
    unanswered. Works without JavaScript; its form posts to `reports:submit`, which freezes
    the scores and makes the action plan."""
    diagnostic = get_company_diagnostic(request.membership, public_id)
    if not diagnostic.is_draft:
        return _to_results(request, diagnostic)
    context = answering.submission_context(diagnostic, current_language())
    context["blocker"] = services.unconfirmed_message(diagnostic)
    return render(request, "diagnostics/confirm_submit.html", context)


@require_POST
def autosave(request: HttpRequest, public_id: uuid.UUID, code: str) -> HttpResponse:
    """Save one answer (autosave.js). JSON answers: 200 saved, 409 conflict, 400 invalid,
    401 when the session has expired (the page keeps the typed answer and retries)."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"status": "login", "error": _("Your session has expired.")}, status=401
        )
    membership = current_membership(request)
    if membership is None:
        raise Http404
    diagnostic = get_company_diagnostic_to_save(membership, public_id)
    question = diagnostic.questionnaire.spec.question(code)
    if question is None:
        return JsonResponse(
            {"status": "invalid", "error": _("This question is not part of this diagnostic.")},
            status=400,
        )
    try:
        base = parse_version(request.POST.get("version"))
        answer = parse_answer(
            question,
            request.POST.getlist("value"),
            request.POST.get("dont_know") == "1",
            request.POST.get("not_concerned") == "1",
        )
        outcome = services.save_answer(
            diagnostic=diagnostic,
            question_code=code,
            answer=answer,
            user=request.user,
            base_version=base,
        )
    except ValueError:
        return JsonResponse(
            {"status": "invalid", "error": _("The page is out of date: reload it.")}, status=400
        )
    except AnswerError as exc:
        return JsonResponse({"status": "invalid", "error": str(exc)}, status=400)
    except Diagnostic.DoesNotExist:
        forget_diagnostic(membership.company_id, public_id)
        raise Http404 from None
    payload = {
        "version": outcome.answer.version,
        **answering.page_state(diagnostic, request.user, outcome.answers),
    }
    if outcome.conflict:
        payload.update(
            status="conflict",
            message=answering.conflict_message(question, outcome.answer, current_language()),
        )
        return JsonResponse(payload, status=409)
    payload["status"] = "saved"
    return JsonResponse(payload)


@require_safe
def results(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    diagnostic = get_visible_diagnostic(request.user, public_id)
    if diagnostic.is_draft:
        return render(request, "diagnostics/not_submitted.html", {"diagnostic": diagnostic})
    context = results_context(diagnostic, current_language())
    context.update(results_rows(context))
    return render(request, "diagnostics/results.html", context)
