"""What the answering pages show (read model): each question with the respondent's current
answer, the progress per domain, and what is still missing. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from accounts.models import Membership
from documents.parsing import format_number

from .cards import question_cards
from .definition import tr
from .forms import PostedAnswer, display_answer, parse_version
from .models import Answer, Diagnostic, question_ids
from .scoring import AnswerValue, consolidate, is_answered, score, visible_questions

if TYPE_CHECKING:
    from collections.abc import Collection

    from accounts.models import User

    from .definition import Domain, Question


@dataclass
class QuestionView:
    """What the answering page shows for one question."""

    spec: Question
    language: str
    visible: bool
    value: Any
    dont_know: bool
    not_concerned: bool
    version: int
    answered_by: str
    answered_at: str
    to_confirm: bool = False
    error: str = ""
    conflict: str = ""

    @property
    def field(self) -> str:
        return "q-" + self.spec.code

    @property
    def text(self) -> str:
        return tr(self.spec.text, self.language)

    @property
    def help(self) -> str:
        return tr(self.spec.help, self.language)

    @property
    def options(self) -> list[tuple[str, str]]:
        spec = self.spec
        if spec.kind == "maturity":
            return [(str(i), tr(text, self.language)) for i, text in enumerate(spec.levels)]
        if spec.kind in ("single", "multiple"):
            return [(c.code, tr(c.label, self.language)) for c in spec.choices]
        if spec.kind == "yesno":
            return [("yes", _("Yes")), ("no", _("No"))]
        return []

    @property
    def option_rows(self) -> list[tuple[str, str, str, bool, bool]]:
        """Each option as the page shows it: value, level ("Level 2" for a maturity
        question, else empty), label, checked, and whether it goes alone. Worked out once
        per question here rather than option by option in the template."""
        kind = self.spec.kind
        cleared = self.dont_know or (self.not_concerned and kind != "multiple")
        chosen = set() if cleared else set(self.selected)
        exclusive = set(self.exclusive) if kind == "multiple" else set()
        level = _("Level %(value)s") if kind == "maturity" else ""
        return [
            (
                value,
                level % {"value": value} if level else "",
                label,
                value in chosen,
                value in exclusive,
            )
            for value, label in self.options
        ]

    @property
    def exclusive(self) -> list[str]:
        """Codes of the choices that go alone (such as "none")."""
        return [c.code for c in self.spec.choices if c.exclusive]

    @property
    def unit(self) -> str:
        return tr(self.spec.unit, self.language)

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
        if self.spec.kind == "number" and isinstance(self.value, int | float):
            return format_number(self.value, self.language)
        return str(self.value)

    def show_posted(
        self, values: list[str], dont_know: bool, not_concerned: bool, version: int | None = None
    ) -> None:
        """Show what the person typed rather than what is stored, so nothing typed is lost."""
        self.value = values if self.spec.kind == "multiple" else (values[0] if values else None)
        self.dont_know = dont_know
        self.not_concerned = not_concerned
        if version is not None:
            self.version = version


@dataclass(frozen=True)
class StoredAnswer:
    """What a page shows of a stored answer."""

    value: Any
    dont_know: bool
    not_concerned: bool
    version: int
    answered_by: str
    answered_at: datetime
    to_confirm: bool = False


def own_answers(diagnostic: Diagnostic, user: User) -> dict[str, StoredAnswer]:
    """The answers the user sees as theirs: the shared set, or their own in individual mode.
    Taken from the diagnostic's query when it read them (`get_company_diagnostic(…,
    with_answers_of=user)`; once: a second call reads again), else one light query: plain
    values, question codes from the per-process map."""
    codes = {pk: code for code, pk in question_ids(diagnostic.questionnaire_id).items()}
    if getattr(diagnostic, "answer_rows_of", None) == user.pk:
        del diagnostic.answer_rows_of
        respondent_id = user.pk if diagnostic.is_individual else None
        return {
            codes[question_id]: StoredAnswer(
                value, dk, na, version, who or "", datetime.fromisoformat(when), confirm
            )
            for question_id, rid, value, dk, na, version, who, when, confirm in (
                diagnostic.answer_rows
            )
            if rid == respondent_id
        }
    rows = diagnostic.answers_of(user).values_list(
        "question_id",
        "value",
        "dont_know",
        "not_concerned",
        "version",
        "answered_by__full_name",
        "answered_at",
        "to_confirm",
    )
    return {
        codes[question_id]: StoredAnswer(value, dk, na, version, who or "", when, confirm)
        for question_id, value, dk, na, version, who, when, confirm in rows
    }


def values_of(answers: dict[str, StoredAnswer]) -> dict[str, AnswerValue]:
    return {
        code: AnswerValue(row.value, row.dont_know, row.not_concerned)
        for code, row in answers.items()
    }


def to_confirm_of(answers: dict[str, StoredAnswer]) -> set[str]:
    """The codes of the answers copied from the previous diagnostic and not confirmed."""
    return {code for code, row in answers.items() if row.to_confirm}


def progress(
    diagnostic: Diagnostic,
    values: dict[str, AnswerValue],
    to_confirm: Collection[str] = (),
    visible: Collection[str] | None = None,
) -> dict[str, dict[str, int]]:
    """Answered, visible and still-to-confirm questions, per domain code and in "total".
    `visible`: the visible questions' codes, when the caller has worked them out."""
    spec = diagnostic.questionnaire.spec
    visible = set(
        visible_questions(spec, values, diagnostic.profile) if visible is None else visible
    )
    result: dict[str, dict[str, int]] = {}
    total = {"answered": 0, "visible": 0, "to_confirm": 0}
    for domain in spec.domains:
        shown = [q.code for c in domain.competencies for q in c.questions if q.code in visible]
        counts = {
            "answered": sum(1 for code in shown if is_answered(values.get(code))),
            "visible": len(shown),
            "to_confirm": sum(1 for code in shown if code in to_confirm),
        }
        result[domain.code] = counts
        for key in total:
            total[key] += counts[key]
    result["total"] = total
    return result


def page_state(
    diagnostic: Diagnostic,
    user: User,
    answers: dict[int, tuple[AnswerValue, bool]] | None = None,
) -> dict[str, Any]:
    """What autosave.js updates after a save: the visible questions and the progress.
    `answers`: the respondent's answers by question id, each with whether it is still to
    confirm, when the save read them (`SaveOutcome.answers`); otherwise they are read."""
    codes = {pk: code for code, pk in question_ids(diagnostic.questionnaire_id).items()}
    if answers is None:
        answers = {
            question_id: (AnswerValue(value, dk, na), confirm)
            for question_id, value, dk, na, confirm in diagnostic.answers_of(user).values_list(
                "question_id", "value", "dont_know", "not_concerned", "to_confirm"
            )
        }
    values = {codes[question_id]: value for question_id, (value, _c) in answers.items()}
    to_confirm = {codes[question_id] for question_id, (_v, c) in answers.items() if c}
    visible = visible_questions(diagnostic.questionnaire.spec, values, diagnostic.profile)
    return {
        "visible": visible,
        "progress": progress(diagnostic, values, to_confirm, visible)["total"],
    }


def question_views(
    domain: Domain, answers: dict[str, StoredAnswer], language: str, visible: Collection[str]
) -> list[QuestionView]:
    """The domain's questions with their stored answers; `visible`: the codes of the
    questions shown (`visible_questions`)."""
    views = []
    for competency in domain.competencies:
        for q in competency.questions:
            row = answers.get(q.code)
            views.append(
                QuestionView(
                    spec=q,
                    language=language,
                    visible=q.code in visible,
                    value=row.value if row else None,
                    dont_know=row.dont_know if row else False,
                    not_concerned=row.not_concerned if row else False,
                    version=row.version if row else 0,
                    answered_by=row.answered_by if row else "",
                    answered_at=date_format(localtime(row.answered_at), "SHORT_DATETIME_FORMAT")
                    if row
                    else "",
                    to_confirm=row.to_confirm if row else False,
                )
            )
    return views


def domain_urls(diagnostic: Diagnostic) -> dict[str, str]:
    """Each domain page's address, by domain code, from one `reverse()` (about 45 µs each):
    a domain code is made of capitals, digits and "_" (loader.DOMAIN_CODE_RE), so it needs
    no quoting and takes the place of a lowercase placeholder no code can be."""
    head = reverse("diagnostics:domain", args=[diagnostic.public_id, "code"])[: -len("code/")]
    return {d.code: f"{head}{d.code}/" for d in diagnostic.questionnaire.spec.domains}


def overview_context(diagnostic: Diagnostic, user: User, language: str) -> dict[str, Any]:
    """Each domain with its progress and the visible questions not answered yet."""
    spec = diagnostic.questionnaire.spec
    urls = domain_urls(diagnostic)
    answers = own_answers(diagnostic, user)
    values = values_of(answers)
    visible = set(visible_questions(spec, values, diagnostic.profile))
    counts = progress(diagnostic, values, to_confirm_of(answers), visible)
    domains = [
        {
            "code": domain.code,
            "title": tr(domain.title, language),
            "url": urls[domain.code],
            "progress": counts[domain.code],
            "missing": [
                tr(q.text, language)
                for c in domain.competencies
                for q in c.questions
                if q.code in visible and not is_answered(values.get(q.code))
            ],
        }
        for domain in spec.domains
    ]
    return {
        "diagnostic": diagnostic,
        "domains": domains,
        "total": counts["total"],
        "copied_on": _copied_on(diagnostic) if counts["total"]["to_confirm"] else None,
    }


def _copied_on(diagnostic: Diagnostic) -> datetime | None:
    """When the diagnostic the answers were copied from was submitted (None: no copy)."""
    if diagnostic.copied_from_id is None:
        return None
    return (
        Diagnostic.objects.filter(pk=diagnostic.copied_from_id)
        .values_list("submitted_at", flat=True)
        .first()
    )


@dataclass
class DraftAnswers:
    """A draft's answers, read in one query: each respondent's set (None: the shared set
    of a collective diagnostic), the copied answers still to confirm, and who gave each
    confirmed answer (a copied answer is nobody's until confirmed)."""

    sets: dict[int | None, dict[str, AnswerValue]]
    to_confirm: dict[int | None, set[str]]
    given: list[tuple[int | None, str]]  # (the person who answered, the question's code)
    names: dict[int | None, str]  # of the people in `given`


def draft_answers(diagnostic: Diagnostic) -> DraftAnswers:
    codes = {pk: code for code, pk in question_ids(diagnostic.questionnaire_id).items()}
    found = DraftAnswers(sets={}, to_confirm={}, given=[], names={})
    rows = Answer.objects.filter(diagnostic=diagnostic).values_list(
        "respondent_id",
        "answered_by_id",
        "answered_by__full_name",
        "question_id",
        "value",
        "dont_know",
        "not_concerned",
        "to_confirm",
    )
    for respondent_id, by_id, by_name, question_id, value, dk, na, to_confirm in rows:
        code = codes[question_id]
        found.sets.setdefault(respondent_id, {})[code] = AnswerValue(value, dk, na)
        if to_confirm:
            found.to_confirm.setdefault(respondent_id, set()).add(code)
        else:
            found.given.append((by_id, code))
            found.names[by_id] = by_name or ""
    return found


def submission_context(diagnostic: Diagnostic, language: str) -> dict[str, Any]:
    """What an administrator reads before submitting: who has started answering, each with
    the questions they answered out of those shown, the questions no one has answered yet,
    and whether the scores would rest on enough known answers. Two queries: the answers
    with the names of who gave them, and the company's members."""
    spec = diagnostic.questionnaire.spec
    profile = diagnostic.profile
    found = draft_answers(diagnostic)
    sets, given, names = found.sets, found.given, found.names
    members = dict(
        Membership.objects.filter(company_id=diagnostic.company_id)
        .order_by("user__full_name", "user_id")
        .values_list("user_id", "user__full_name")
    )
    if not sets:
        sets = {None: {}}
    shown = {key: set(visible_questions(spec, values, profile)) for key, values in sets.items()}
    if diagnostic.is_individual:
        started = [key for key in sets if key is not None]
        respondents = [
            {
                "name": members.get(key) or names.get(key, ""),
                **progress(diagnostic, sets[key], visible=shown[key])["total"],
            }
            for key in started
        ]
        not_started = [name for pk, name in members.items() if pk not in sets]
        by_key = {str(key): sets[key] for key in started}
        results = consolidate(spec, by_key, profile).results if by_key else score(spec, {}, profile)
    else:
        shared, visible = sets[None], shown[None]
        counts: dict[int | None, int] = {}
        for by_id, code in given:
            if code in visible and is_answered(shared.get(code)):
                counts[by_id] = counts.get(by_id, 0) + 1
        respondents = [
            {"name": names[by_id], "answered": n, "visible": len(visible)}
            for by_id, n in counts.items()
        ]
        not_started = []
        results = score(spec, shared, profile)
    respondents.sort(key=lambda r: (r["name"] == "", r["name"]))
    # A question still unanswered: shown to someone and answered by none of those it is
    # shown to, as the consolidated results count it.
    missing = []
    for domain in spec.domains:
        texts = [
            tr(q.text, language)
            for c in domain.competencies
            for q in c.questions
            if any(q.code in shown[k] for k in sets)
            and not any(is_answered(sets[k].get(q.code)) for k in sets if q.code in shown[k])
        ]
        if texts:
            missing.append({"title": tr(domain.title, language), "questions": texts})
    return {
        "diagnostic": diagnostic,
        "respondents": respondents,
        "not_started": not_started,
        "missing": missing,
        "missing_count": sum(len(d["questions"]) for d in missing),
        "results": results,
    }


def submitted_notice(diagnostic: Diagnostic) -> str:
    """Why a page of a submitted diagnostic shows its results instead: who submitted it,
    and when. One query."""
    when, name = (
        Diagnostic.objects.filter(pk=diagnostic.pk)
        .values_list("submitted_at", "submitted_by__full_name")
        .get()
    )
    when = date_format(localtime(when), "SHORT_DATETIME_FORMAT")
    if name:
        return _(
            "This diagnostic was submitted by %(name)s on %(when)s: its answers can no "
            "longer change. Here are its results."
        ) % {"name": name, "when": when}
    return _(
        "This diagnostic was submitted on %(when)s: its answers can no longer change. Here "
        "are its results."
    ) % {"when": when}


def conflict_message(question: Question, theirs: Answer, language: str) -> str:
    who = theirs.answered_by.full_name if theirs.answered_by else _("someone")
    when = date_format(localtime(theirs.answered_at), "SHORT_DATETIME_FORMAT")
    return _(
        "%(who)s answered this question meanwhile (%(when)s): “%(value)s”. "
        "Your answer is shown below; save again to replace theirs, or reload to keep it."
    ) % {
        "who": who,
        "when": when,
        "value": display_answer(
            question, theirs.value, theirs.dont_know, language, theirs.not_concerned
        ),
    }


def domain_page_context(
    diagnostic: Diagnostic,
    domain: Domain,
    user: User,
    language: str,
    *,
    posted: dict[str, PostedAnswer] | None = None,
    errors: dict[str, str] | None = None,
    conflicts: dict[str, str] | None = None,
    unsaved: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The domain page: stored answers, overlaid by what was posted and refused (errors,
    conflicts) or kept unsaved from an expired page, so nothing typed is lost."""
    errors, conflicts = errors or {}, conflicts or {}
    answers = own_answers(diagnostic, user)
    spec = diagnostic.questionnaire.spec
    values = values_of(answers)
    visible = set(visible_questions(spec, values, diagnostic.profile))
    questions = question_views(domain, answers, language, visible)
    for qv in questions:
        code = qv.spec.code
        if unsaved and qv.field + "-v" in unsaved:
            version = int((unsaved[qv.field + "-v"] or ["0"])[0] or 0)
            qv.show_posted(
                unsaved.get(qv.field, []),
                unsaved.get(qv.field + "-dk") == ["1"],
                unsaved.get(qv.field + "-na") == ["1"],
                version,
            )
        if posted and (code in errors or code in conflicts):
            post = posted[code]
            qv.show_posted(post.values, post.dont_know, post.not_concerned)
            qv.error = errors.get(code, "")
            qv.conflict = conflicts.get(code, "")
    urls = domain_urls(diagnostic)
    domains = [(d.code, tr(d.title, language), urls[d.code]) for d in spec.domains]
    index = [d.code for d in spec.domains].index(domain.code)
    counts = progress(diagnostic, values, to_confirm_of(answers), visible)
    return {
        "diagnostic": diagnostic,
        "domain": domain,
        "domain_title": tr(domain.title, language),
        "questions": questions,
        "question_cards": question_cards(diagnostic, questions),
        "domains": domains,
        "previous": domains[index - 1][0] if index > 0 else None,
        "next": domains[index + 1][0] if index + 1 < len(domains) else None,
        "progress": counts,
        "to_confirm": counts[domain.code]["to_confirm"],
        "copied_on": _copied_on(diagnostic) if any(q.to_confirm for q in questions) else None,
        "errors": errors,
        "conflicts": conflicts,
    }


def posted_answers(domain: Domain, post: Any) -> dict[str, PostedAnswer]:
    """The answers a domain page posted, by question code. A question whose version field
    is absent was not on the page and is left alone."""
    posted = {}
    for competency in domain.competencies:
        for q in competency.questions:
            field = "q-" + q.code
            if field + "-v" not in post:
                continue
            try:
                base = parse_version(post.get(field + "-v"))
            except ValueError:
                base = 0  # as if unanswered: it can only insert, never overwrite an answer
            posted[q.code] = PostedAnswer(
                values=post.getlist(field),
                dont_know=post.get(field + "-dk") == "1",
                not_concerned=post.get(field + "-na") == "1",
                base_version=base,
            )
    return posted
