from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import company_member_required, current_membership

from . import services
from .access import get_company_diagnostic, get_visible_diagnostic
from .definition import tr
from .forms import AnswerError, StartDiagnosticForm, display_answer, parse_answer
from .models import Answer, Diagnostic
from .results import results_context
from .scoring import AnswerValue, visible_questions

if TYPE_CHECKING:
    import uuid

    from django.http import HttpRequest, HttpResponse

    from .definition import Domain, Question


def _language() -> str:
    return (get_language() or "fr")[:2]


@company_member_required
@require_http_methods(["GET"])
def diagnostic_list(request: HttpRequest) -> HttpResponse:
    diagnostics = (
        Diagnostic.objects.for_company(request.membership.company_id)
        .select_related("questionnaire", "started_by")
        .order_by("-created_at")
    )
    form = StartDiagnosticForm() if request.membership.is_admin else None
    return render(request, "diagnostics/list.html", {"diagnostics": diagnostics, "form": form})


@company_member_required(admin=True)
@require_POST
def diagnostic_start(request: HttpRequest) -> HttpResponse:
    form = StartDiagnosticForm(request.POST)
    if not form.is_valid():
        diagnostics = Diagnostic.objects.for_company(request.membership.company_id)
        return render(
            request,
            "diagnostics/list.html",
            {"diagnostics": diagnostics, "form": form},
            status=400,
        )
    diagnostic = services.start_diagnostic(
        membership=request.membership,
        questionnaire=form.cleaned_data["questionnaire"],
        mode=form.cleaned_data["mode"],
    )
    messages.success(request, _("The diagnostic is started. Your colleagues can answer it too."))
    return redirect("diagnostics:overview", diagnostic.public_id)


@dataclass
class QuestionView:
    """What the answering page shows for one question."""

    spec: Question
    visible: bool
    value: Any
    dont_know: bool
    version: int
    answered_by: str
    answered_at: str
    text: str
    help: str
    error: str = ""
    conflict: str = ""

    @property
    def field(self) -> str:
        return "q-" + self.spec.code

    @property
    def options(self) -> list[tuple[str, str]]:
        lang = _language()
        spec = self.spec
        if spec.kind == "maturity":
            return [(str(i), tr(text, lang)) for i, text in enumerate(spec.levels)]
        if spec.kind in ("single", "multiple"):
            return [(c.code, tr(c.label, lang)) for c in spec.choices]
        if spec.kind == "yesno":
            return [("yes", _("Yes")), ("no", _("No"))]
        return []

    @property
    def unit(self) -> str:
        return tr(self.spec.unit, _language())

    @property
    def selected(self) -> list[str]:
        if self.value is None:
            return []
        if isinstance(self.value, list):
            return [str(v) for v in self.value]
        return [str(self.value)]

    @property
    def text_value(self) -> str:
        if self.value is None:
            return ""
        return str(self.value).replace(".", ",") if self.spec.kind == "number" else str(self.value)


def _own_answers(diagnostic: Diagnostic, user: Any) -> dict[str, Answer]:
    respondent = user if diagnostic.is_individual else None
    rows = Answer.objects.filter(diagnostic=diagnostic, respondent=respondent).select_related(
        "question", "answered_by"
    )
    return {row.question.code: row for row in rows}


def _question_views(
    diagnostic: Diagnostic, domain: Domain, answers: dict[str, Answer]
) -> list[QuestionView]:
    lang = _language()
    spec = diagnostic.questionnaire.spec
    visible = set(visible_questions(spec, _values(answers), diagnostic.profile))
    views = []
    for competency in domain.competencies:
        for q in competency.questions:
            row = answers.get(q.code)
            views.append(
                QuestionView(
                    spec=q,
                    visible=q.code in visible,
                    value=row.value if row else None,
                    dont_know=row.dont_know if row else False,
                    version=row.version if row else 0,
                    answered_by=row.answered_by.full_name if row and row.answered_by else "",
                    answered_at=date_format(localtime(row.answered_at), "SHORT_DATETIME_FORMAT")
                    if row
                    else "",
                    text=tr(q.text, lang),
                    help=tr(q.help, lang),
                )
            )
    return views


def _values(answers: dict[str, Answer]) -> dict[str, AnswerValue]:
    return {code: AnswerValue(row.value, row.dont_know) for code, row in answers.items()}


def _own_values(diagnostic: Diagnostic, user: Any) -> dict[str, AnswerValue]:
    """The same as _values(_own_answers()) in one light query (autosave's hot path)."""
    respondent = user if diagnostic.is_individual else None
    rows = Answer.objects.filter(diagnostic=diagnostic, respondent=respondent).values_list(
        "question__code", "value", "dont_know"
    )
    return {code: AnswerValue(value, dont_know) for code, value, dont_know in rows}


def _progress(diagnostic: Diagnostic, values: dict[str, AnswerValue]) -> dict[str, dict[str, int]]:
    """Answered and visible questions, per domain and in total."""
    spec = diagnostic.questionnaire.spec
    visible = set(visible_questions(spec, values, diagnostic.profile))
    progress: dict[str, dict[str, int]] = {}
    total = {"answered": 0, "visible": 0}
    for domain in spec.domains:
        counts = {"answered": 0, "visible": 0}
        for competency in domain.competencies:
            for q in competency.questions:
                if q.code not in visible:
                    continue
                counts["visible"] += 1
                answer = values.get(q.code)
                if answer and (answer.dont_know or answer.value not in (None, "", [])):
                    counts["answered"] += 1
        progress[domain.code] = counts
        total["answered"] += counts["answered"]
        total["visible"] += counts["visible"]
    progress["total"] = total
    return progress


@company_member_required
@require_http_methods(["GET"])
def overview(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    diagnostic = get_company_diagnostic(request.membership, public_id)
    if not diagnostic.is_draft:
        return redirect("diagnostics:results", diagnostic.public_id)
    lang = _language()
    spec = diagnostic.questionnaire.spec
    answers = _own_answers(diagnostic, request.user)
    progress = _progress(diagnostic, _values(answers))
    visible = set(visible_questions(spec, _values(answers), diagnostic.profile))
    domains = []
    for domain in spec.domains:
        missing = [
            tr(q.text, lang)
            for c in domain.competencies
            for q in c.questions
            if q.code in visible
            and not (
                answers.get(q.code)
                and (answers[q.code].dont_know or answers[q.code].value not in (None, "", []))
            )
        ]
        domains.append(
            {
                "code": domain.code,
                "title": tr(domain.title, lang),
                "progress": progress[domain.code],
                "missing": missing,
            }
        )
    return render(
        request,
        "diagnostics/overview.html",
        {"diagnostic": diagnostic, "domains": domains, "total": progress["total"]},
    )


UNSAVED_KEY = "unsaved:"


def keep_unsaved_answers(request: HttpRequest) -> None:
    """Keep a posted answering page in the session when it cannot be saved now (expired
    session, stale CSRF token): the page shows it again, unsaved, once the person is back."""
    data = {k: v for k, v in request.POST.lists() if k.startswith("q-")}
    if data:
        request.session[UNSAVED_KEY + request.path] = data


def _keeps_unsaved_post(view):
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not request.user.is_authenticated:
            keep_unsaved_answers(request)
        return view(request, *args, **kwargs)

    return wrapper


@_keeps_unsaved_post
@company_member_required
@require_http_methods(["GET", "POST"])
def domain_page(request: HttpRequest, public_id: uuid.UUID, code: str) -> HttpResponse:
    """One page per domain. Works without JavaScript; autosave.js saves each answer as given."""
    diagnostic = get_company_diagnostic(request.membership, public_id)
    if not diagnostic.is_draft:
        return redirect("diagnostics:results", diagnostic.public_id)
    spec = diagnostic.questionnaire.spec
    domain = spec.domain(code)
    if domain is None:
        from django.http import Http404

        raise Http404
    answers = _own_answers(diagnostic, request.user)
    errors: dict[str, str] = {}
    conflicts: dict[str, str] = {}
    submitted: dict[str, tuple[list[str], bool]] = {}
    status = 200
    if request.method == "POST":
        for competency in domain.competencies:
            for q in competency.questions:
                field = "q-" + q.code
                if field + "-v" not in request.POST:
                    continue
                values = request.POST.getlist(field)
                dont_know = request.POST.get(field + "-dk") == "1"
                submitted[q.code] = (values, dont_know)
                try:
                    answer = parse_answer(q, values, dont_know)
                except AnswerError as exc:
                    errors[q.code] = str(exc)
                    continue
                row = answers.get(q.code)
                if row and row.value == answer.value and row.dont_know == answer.dont_know:
                    continue
                if not row and answer.value is None and not answer.dont_know:
                    continue
                try:
                    base = int(request.POST.get(field + "-v", "0"))
                except ValueError:
                    base = 0
                try:
                    outcome = services.save_answer(
                        diagnostic=diagnostic,
                        question_code=q.code,
                        answer=answer,
                        user=request.user,
                        base_version=base,
                    )
                except AnswerError as exc:
                    errors[q.code] = str(exc)
                    continue
                if outcome.conflict:
                    theirs = outcome.answer
                    conflicts[q.code] = _conflict_message(q, theirs)
        answers = _own_answers(diagnostic, request.user)
        if not errors and not conflicts:
            messages.success(request, _("Your answers are saved."))
            target = request.POST.get("next_domain")
            if target and spec.domain(target):
                return redirect("diagnostics:domain", diagnostic.public_id, target)
            return redirect("diagnostics:domain", diagnostic.public_id, domain.code)
        status = 409 if conflicts and not errors else 400
    questions = _question_views(diagnostic, domain, answers)
    unsaved = (
        request.session.pop(UNSAVED_KEY + request.path, None) if request.method == "GET" else None
    )
    if unsaved:
        for qv in questions:
            field = qv.field
            if field + "-v" not in unsaved:
                continue
            values = unsaved.get(field, [])
            qv.value = values if qv.spec.kind == "multiple" else (values[0] if values else None)
            qv.dont_know = unsaved.get(field + "-dk") == ["1"]
            qv.version = int((unsaved[field + "-v"] or ["0"])[0] or 0)
        messages.warning(
            request,
            _(
                "The page had expired and your answers were not saved. They are shown "
                "below: check them and press Save."
            ),
        )
    for qv in questions:
        code = qv.spec.code
        if code in errors or code in conflicts:
            values, dont_know = submitted[code]
            # Show what the person typed, not what is stored, so nothing typed is lost.
            qv.value = values if qv.spec.kind == "multiple" else (values[0] if values else None)
            qv.dont_know = dont_know
            qv.error = errors.get(code, "")
            qv.conflict = conflicts.get(code, "")
    domains = [(d.code, tr(d.title, _language())) for d in spec.domains]
    index = [d[0] for d in domains].index(domain.code)
    progress = _progress(diagnostic, _values(answers))
    return render(
        request,
        "diagnostics/domain.html",
        {
            "diagnostic": diagnostic,
            "domain": domain,
            "domain_title": tr(domain.title, _language()),
            "questions": questions,
            "domains": domains,
            "previous": domains[index - 1][0] if index > 0 else None,
            "next": domains[index + 1][0] if index + 1 < len(domains) else None,
            "progress": progress,
            "errors": errors,
            "conflicts": conflicts,
        },
        status=status,
    )


def _conflict_message(question: Question, theirs: Answer) -> str:
    who = theirs.answered_by.full_name if theirs.answered_by else _("someone")
    when = date_format(localtime(theirs.answered_at), "SHORT_DATETIME_FORMAT")
    return _(
        "%(who)s answered this question meanwhile (%(when)s): “%(value)s”. "
        "Your answer is shown below; save again to replace theirs, or reload to keep it."
    ) % {
        "who": who,
        "when": when,
        "value": display_answer(question, theirs.value, theirs.dont_know, _language()),
    }


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
    diagnostic = get_company_diagnostic(membership, public_id)
    question = diagnostic.questionnaire.spec.question(code)
    if question is None:
        return JsonResponse(
            {"status": "invalid", "error": _("This question is not part of this diagnostic.")},
            status=400,
        )
    try:
        base = int(request.POST.get("version", ""))
        answer = parse_answer(
            question, request.POST.getlist("value"), request.POST.get("dont_know") == "1"
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
    values = _own_values(diagnostic, request.user)
    progress = _progress(diagnostic, values)["total"]
    spec = diagnostic.questionnaire.spec
    payload = {
        "version": outcome.answer.version,
        "visible": visible_questions(spec, values, diagnostic.profile),
        "progress": progress,
    }
    if outcome.conflict:
        payload.update(status="conflict", message=_conflict_message(question, outcome.answer))
        return JsonResponse(payload, status=409)
    payload["status"] = "saved"
    return JsonResponse(payload)


@company_member_required(admin=True, lookup=get_company_diagnostic)
@require_POST
def submit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    diagnostic = get_company_diagnostic(request.membership, public_id)
    if services.submit_diagnostic(diagnostic=diagnostic, user=request.user):
        messages.success(request, _("The diagnostic is submitted. Here are your results."))
    return redirect("diagnostics:results", diagnostic.public_id)


@require_http_methods(["GET"])
def results(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    diagnostic = get_visible_diagnostic(request.user, public_id)
    if diagnostic.is_draft:
        return render(request, "diagnostics/not_submitted.html", {"diagnostic": diagnostic})
    return render(request, "diagnostics/results.html", results_context(diagnostic, _language()))
