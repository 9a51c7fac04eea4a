"""Workflows on questionnaires and diagnostics."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, User
from documents.services import publish_version

from .definition import definition_to_dict
from .forms import AnswerError, PostedAnswer, parse_answer
from .loader import QuestionnaireError, parse_questionnaire
from .models import Answer, Diagnostic, Question, Questionnaire, Score, question_ids
from .scoring import AnswerValue, Results, consolidate, is_answered, score, visible_questions

if TYPE_CHECKING:
    from datetime import datetime

    from .definition import Domain
    from .definition import Question as QuestionDef

__all__ = ["AnswerError", "QuestionnaireError"]

# --- Questionnaire versions ------------------------------------------------------------

DEFAULT_QUESTIONNAIRES_DIR = Path(__file__).parent / "questionnaires"


def import_questionnaire(*, text: str) -> tuple[Questionnaire, bool]:
    """Publish the questionnaire version of a YAML text; (version, created)."""
    spec = parse_questionnaire(text)

    def create_questions(questionnaire: Questionnaire) -> None:
        Question.objects.bulk_create(
            Question(
                questionnaire=questionnaire,
                code=question.code,
                domain_code=question.domain,
                competency_code=question.competency,
                kind=question.kind,
                position=position,
            )
            for position, question in enumerate(spec.questions())
        )

    return publish_version(
        model=Questionnaire,
        text=text,
        definition=definition_to_dict(spec),
        create_rows=create_questions,
    )


# --- Diagnostics: starting, answering, submitting ---------------------------------------


@dataclass(frozen=True)
class SaveOutcome:
    """A saved answer, or the other person's current answer when theirs came first."""

    answer: Answer
    conflict: bool


def start_diagnostic(
    *,
    membership: Membership,
    questionnaire: Questionnaire,
    mode: str,
    copy_from: Diagnostic | None = None,
) -> Diagnostic:
    """Start a diagnostic: one INSERT, atomic by itself. A re-assessment may start from the
    answers of `copy_from` (a submitted diagnostic of the same company, answered the same
    way), each copied answer to be confirmed: then the copy shares the INSERT's
    transaction."""
    company = membership.company
    fields = {
        "company": company,
        "questionnaire": questionnaire,
        "mode": mode,
        "sector": company.sector,
        "headcount_band": company.headcount_band,
        "started_by": membership.user,
    }
    if copy_from is None:
        return Diagnostic.objects.create(**fields)
    if copy_from.company_id != company.pk or copy_from.is_draft or copy_from.mode != mode:
        raise ValueError("Answers are copied from a submitted diagnostic answered alike.")
    with transaction.atomic():
        diagnostic = Diagnostic.objects.create(copied_from=copy_from, **fields)
        _copy_answers(copy_from, diagnostic)
    return diagnostic


def _copy_answers(source: Diagnostic, target: Diagnostic) -> int:
    """Copy the answers of `source` that still fit the questions of `target`'s version,
    marked to confirm; answers of people who are no longer members stay behind. Returns
    the number of answers copied."""
    spec = Questionnaire.published(target.questionnaire_id).spec
    ids = question_ids(target.questionnaire_id)
    rows = Answer.objects.filter(diagnostic=source).values_list(
        "question__code",
        "respondent_id",
        "value",
        "dont_know",
        "not_concerned",
        "answered_by_id",
        "answered_at",
    )
    if target.is_individual:
        members = set(
            Membership.objects.filter(company_id=target.company_id).values_list(
                "user_id", flat=True
            )
        )
    copies = []
    for code, respondent_id, value, dont_know, not_concerned, by_id, at in rows:
        question = spec.question(code)
        if question is None or code not in ids:
            continue
        if target.is_individual and respondent_id not in members:
            continue
        answer = carried_over(question, AnswerValue(value, dont_know, not_concerned))
        if answer is None:
            continue
        copies.append(
            Answer(
                company_id=target.company_id,
                diagnostic=target,
                question_id=ids[code],
                respondent_id=respondent_id,
                value=answer.value,
                dont_know=answer.dont_know,
                not_concerned=answer.not_concerned,
                to_confirm=True,
                answered_by_id=by_id,
                answered_at=at,
            )
        )
    Answer.objects.bulk_create(copies)
    return len(copies)


def carried_over(question: QuestionDef, answer: AnswerValue) -> AnswerValue | None:
    """The answer as the question of another version accepts it, or None when it no
    longer fits (a choice removed, a number out of the new range, an option withdrawn)."""
    if not is_answered(answer):
        return None
    value = answer.value
    values = (
        []
        if value is None
        else [str(v) for v in value]
        if isinstance(value, list)
        else [str(value)]
    )
    try:
        carried = parse_answer(question, values, answer.dont_know, answer.not_concerned)
    except AnswerError:
        return None
    return carried if is_answered(carried) else None


def save_answer(
    *,
    diagnostic: Diagnostic,
    question_code: str,
    answer: AnswerValue,
    user: User,
    base_version: int,
) -> SaveOutcome:
    """Store one answer unless someone changed it since `base_version` (0: no answer yet).

    The check and the write are one conditional UPDATE (or an INSERT guarded by the
    unique constraint), so two concurrent saves cannot both win.
    """
    question_id = question_ids(diagnostic.questionnaire_id).get(question_code)
    if question_id is None:
        raise AnswerError(_("This question is not part of this diagnostic."))
    respondent = user if diagnostic.is_individual else None
    rows = Answer.objects.filter(
        diagnostic=diagnostic, question_id=question_id, respondent=respondent
    )
    now = timezone.now()
    fields = {
        "value": answer.value,
        "dont_know": answer.dont_know,
        "not_concerned": answer.not_concerned,
        "to_confirm": False,
        "answered_by": user,
        "answered_at": now,
    }
    with transaction.atomic():
        if not _lock_draft(diagnostic):
            raise AnswerError(_("This diagnostic is submitted: its answers can no longer change."))
        if base_version == 0 and postgresql_writes():  # INSERT … ON CONFLICT DO NOTHING
            answer_row = Answer(
                company_id=diagnostic.company_id,
                diagnostic=diagnostic,
                question_id=question_id,
                respondent=respondent,
                version=1,
                **fields,
            )
            if not _insert_rows(diagnostic, respondent, [(question_id, answer)], user, now):
                return SaveOutcome(answer_row, conflict=False)
        elif base_version == 0:
            try:
                with transaction.atomic():
                    created = Answer.objects.create(
                        company_id=diagnostic.company_id,
                        diagnostic=diagnostic,
                        question_id=question_id,
                        respondent=respondent,
                        version=1,
                        **fields,
                    )
                return SaveOutcome(created, conflict=False)
            except IntegrityError:
                pass
        elif rows.filter(version=base_version).update(version=F("version") + 1, **fields):
            saved = Answer(
                pk=None,
                diagnostic=diagnostic,
                question_id=question_id,
                respondent=respondent,
                version=base_version + 1,
                **fields,
            )
            return SaveOutcome(saved, conflict=False)
    current = rows.select_related("answered_by").first()
    if current is None:  # the base version named a row that does not exist
        raise AnswerError(_("This answer changed in the meantime: reload the page."))
    if current.value_of() == answer:
        return SaveOutcome(current, conflict=False)  # same answer: nothing to resolve
    return SaveOutcome(current, conflict=True)


@dataclass(frozen=True)
class PageOutcome:
    """What a domain page's save refused: messages by question code, and the other
    person's current answer where theirs came first."""

    errors: dict[str, str]
    conflicts: dict[str, Answer]

    @property
    def saved(self) -> bool:
        return not self.errors and not self.conflicts


def save_page(
    *,
    diagnostic: Diagnostic,
    domain: Domain,
    posted: dict[str, PostedAnswer],
    user: User,
    draft_locked: bool = False,
) -> PageOutcome:
    """Save the answers a domain page posted, by question code.

    Invalid answers are refused with their message and the valid ones are saved all the
    same. Unchanged answers are skipped; each changed one is checked against the version
    the page was loaded with, as by `save_answer`, so a concurrent change is reported as a
    conflict, never overwritten. On PostgreSQL the page is saved in one transaction with
    the same statements whatever the number of questions. `draft_locked`: the caller's
    transaction read the diagnostic with a share lock (`get_company_diagnostic(…,
    share_lock=True)`), so its status is current and needs no second read.
    """
    errors: dict[str, str] = {}
    given: dict[str, tuple[AnswerValue, int]] = {}
    for competency in domain.competencies:
        for question in competency.questions:
            if question.code not in posted:
                continue
            post = posted[question.code]
            try:
                answer = parse_answer(question, post.values, post.dont_know, post.not_concerned)
            except AnswerError as exc:
                errors[question.code] = str(exc)
                continue
            given[question.code] = (answer, post.base_version)
    if not given:
        return PageOutcome(errors, {})
    if postgresql_writes():
        conflicts = _save_at_once(
            diagnostic=diagnostic, given=given, user=user, errors=errors, draft_locked=draft_locked
        )
    else:
        conflicts = _save_one_by_one(diagnostic=diagnostic, given=given, user=user, errors=errors)
    return PageOutcome(errors, conflicts)


def postgresql_writes() -> bool:
    """Whether saves use PostgreSQL's SQL (INSERT … ON CONFLICT, UPDATE … FROM VALUES,
    RETURNING); other databases (SQLite for `make run`) take the portable path."""
    return connection.vendor == "postgresql"


def _save_one_by_one(
    *,
    diagnostic: Diagnostic,
    given: dict[str, tuple[AnswerValue, int]],
    user: User,
    errors: dict[str, str],
) -> dict[str, Answer]:
    """The portable path (SQLite in development): each changed answer by `save_answer`."""
    current: dict[str, AnswerValue] = {}
    to_confirm: set[str] = set()
    for code, value, dont_know, not_concerned, confirm in diagnostic.answers_of(user).values_list(
        "question__code", "value", "dont_know", "not_concerned", "to_confirm"
    ):
        current[code] = AnswerValue(value, dont_know, not_concerned)
        if confirm:
            to_confirm.add(code)
    conflicts: dict[str, Answer] = {}
    for code, (answer, base) in given.items():
        stored = current.get(code)
        if (stored == answer and code not in to_confirm) or (
            stored is None and not is_answered(answer)
        ):
            continue
        try:
            outcome = save_answer(
                diagnostic=diagnostic,
                question_code=code,
                answer=answer,
                user=user,
                base_version=base,
            )
        except AnswerError as exc:
            errors[code] = str(exc)
            continue
        if outcome.conflict:
            conflicts[code] = outcome.answer
    return conflicts


def _save_at_once(
    *,
    diagnostic: Diagnostic,
    given: dict[str, tuple[AnswerValue, int]],
    user: User,
    errors: dict[str, str],
    draft_locked: bool,
) -> dict[str, Answer]:
    """PostgreSQL: one transaction, with the same statements for 2 or 40 questions: the
    share lock on the draft, one read (and row lock) of the stored answers, one conditional
    UPDATE of the changed ones (WHERE version = base), one INSERT … ON CONFLICT DO NOTHING
    of the new ones and, only if one of them lost a race, one read of the winners.

    Rows are locked, and new rows inserted, in question order, so two pages saved at once
    wait for each other instead of deadlocking.
    """
    ids = question_ids(diagnostic.questionnaire_id)
    for code in [code for code in given if code not in ids]:
        errors[code] = _("This question is not part of this diagnostic.")
        del given[code]
    respondent = user if diagnostic.is_individual else None
    conflicts: dict[str, Answer] = {}
    with transaction.atomic(savepoint=False):  # within the view's transaction: no savepoint
        draft = diagnostic.is_draft if draft_locked else _lock_draft(diagnostic)
        stored = {
            row.question_id: row
            for row in Answer.objects.filter(
                diagnostic=diagnostic,
                respondent=respondent,
                question_id__in=[ids[code] for code in given],
            )
            .select_related("answered_by")
            .select_for_update(no_key=True, of=("self",))
            .order_by("question_id")
        }
        updates: list[tuple[Answer, AnswerValue, int]] = []
        inserts: list[tuple[int, AnswerValue]] = []
        for code, (answer, base) in given.items():
            row = stored.get(ids[code])
            if row is not None and row.value_of() == answer and not row.to_confirm:
                continue  # unchanged, or the same as the other person's
            if row is None and not is_answered(answer):
                continue
            if not draft:
                errors[code] = _("This diagnostic is submitted: its answers can no longer change.")
            elif row is None and base == 0:
                inserts.append((ids[code], answer))
            elif row is None:  # the base version named a row that does not exist
                errors[code] = _("This answer changed in the meantime: reload the page.")
            elif row.version == base:
                updates.append((row, answer, base))
            else:
                conflicts[code] = row
        now = timezone.now()
        lost = _update_rows(updates, user, now) | _insert_rows(
            diagnostic, respondent, inserts, user, now
        )
        if lost:  # another save came first (only for new rows: stored rows are locked)
            codes = {qid: code for code, qid in ids.items()}
            winners = Answer.objects.filter(
                diagnostic=diagnostic, respondent=respondent, question_id__in=lost
            ).select_related("answered_by")
            for row in winners:
                code = codes[row.question_id]
                if row.value_of() != given[code][0]:
                    conflicts[code] = row
    return conflicts


def _json(answer: AnswerValue) -> str | None:
    return None if answer.value is None else json.dumps(answer.value)


def _update_rows(
    updates: list[tuple[Answer, AnswerValue, int]], user: User, now: datetime
) -> set[int]:
    """One conditional UPDATE; the question ids of the rows it did not change."""
    if not updates:
        return set()
    rows = ", ".join(
        ["(%s::bigint, %s::integer, %s::jsonb, %s::boolean, %s::boolean)"] * len(updates)
    )
    params: list[Any] = []
    for row, answer, base in updates:
        params += [row.pk, base, _json(answer), answer.dont_know, answer.not_concerned]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Answer._meta.db_table} AS a SET value = v.value, "  # noqa: S608
            "dont_know = v.dont_know, not_concerned = v.not_concerned, to_confirm = false, "
            "version = a.version + 1, answered_by_id = %s, answered_at = %s "
            f"FROM (VALUES {rows}) AS v(id, base, value, dont_know, not_concerned) "
            "WHERE a.id = v.id AND a.version = v.base RETURNING a.id",
            [user.pk, now, *params],
        )
        changed = {pk for (pk,) in cursor.fetchall()}
    return {row.question_id for row, _answer, _base in updates if row.pk not in changed}


def _insert_rows(
    diagnostic: Diagnostic,
    respondent: User | None,
    inserts: list[tuple[int, AnswerValue]],
    user: User,
    now: datetime,
) -> set[int]:
    """One INSERT of the new answers that skips those someone else inserted first; the
    question ids it skipped."""
    if not inserts:
        return set()
    inserts = sorted(inserts, key=lambda item: item[0])
    rows = ", ".join(["(%s, %s, %s, %s, %s::jsonb, %s, %s, 1, %s, %s)"] * len(inserts))
    params: list[Any] = []
    respondent_id = respondent.pk if respondent else None
    for question_id, answer in inserts:
        params += [
            diagnostic.company_id,
            diagnostic.pk,
            question_id,
            respondent_id,
            _json(answer),
            answer.dont_know,
            answer.not_concerned,
            user.pk,
            now,
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Answer._meta.db_table} (company_id, diagnostic_id, "  # noqa: S608
            "question_id, respondent_id, value, dont_know, not_concerned, version, "
            f"answered_by_id, answered_at) VALUES {rows} ON CONFLICT DO NOTHING "
            "RETURNING question_id",
            params,
        )
        inserted = {question_id for (question_id,) in cursor.fetchall()}
    return {question_id for question_id, _answer in inserts} - inserted


def _lock_draft(diagnostic: Diagnostic) -> bool:
    """Share-lock the diagnostic row while it is a draft, so submission waits for saves
    under way and no save lands after it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM diagnostics_diagnostic WHERE id = %s AND status = 'draft' FOR SHARE",
                [diagnostic.pk],
            )
            return cursor.fetchone() is not None
    return Diagnostic.objects.filter(pk=diagnostic.pk, status=Diagnostic.Status.DRAFT).exists()


def answer_sets(diagnostic: Diagnostic) -> dict[str, dict[str, AnswerValue]]:
    """Answers by respondent ("shared" for a collective diagnostic), keyed by question code."""
    sets: dict[str, dict[str, AnswerValue]] = {}
    rows = Answer.objects.filter(diagnostic=diagnostic).values_list(
        "respondent_id", "question__code", "value", "dont_know", "not_concerned"
    )
    for respondent_id, code, value, dont_know, not_concerned in rows:
        key = "shared" if respondent_id is None else str(respondent_id)
        sets.setdefault(key, {})[code] = AnswerValue(value, dont_know, not_concerned)
    return sets


def compute_results(diagnostic: Diagnostic) -> dict[str, Any]:
    """Scores of the diagnostic as it stands, in the JSON form frozen at submission."""
    spec = diagnostic.questionnaire.spec
    sets = answer_sets(diagnostic)
    if not diagnostic.is_individual:
        results = score(spec, sets.get("shared", {}), diagnostic.profile)
        return {"results": results.to_dict(), "respondents": {}, "divergence": []}
    consolidated = consolidate(spec, sets, diagnostic.profile)
    names = dict(User.objects.filter(pk__in=[int(k) for k in sets]).values_list("pk", "full_name"))
    return {
        "results": consolidated.results.to_dict(),
        "respondents": {key: names.get(int(key), "?") for key in sets},
        "by_respondent": {k: r.to_dict() for k, r in consolidated.by_respondent.items()},
        "divergence": [asdict(d) for d in consolidated.divergence],
    }


def submit_diagnostic(*, diagnostic: Diagnostic, user: User) -> bool:
    """Freeze the scores and mark the diagnostic submitted; a second call does nothing.

    Returns True for the call that submitted it.
    """
    with transaction.atomic(savepoint=False):  # within a caller's transaction: no savepoint
        locked = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
        if not locked.is_draft:
            diagnostic.refresh_from_db()
            return False
        locked.questionnaire = diagnostic.questionnaire  # a published version never changes
        if locked.copied_from_id is not None:
            _refuse_unconfirmed(locked)
        frozen = compute_results(locked)
        locked.results = frozen
        locked.status = Diagnostic.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked.save(update_fields=["results", "status", "submitted_at", "submitted_by"])
        Score.objects.bulk_create(_score_rows(locked, Results.from_dict(frozen["results"])))
    for field in ("results", "status", "submitted_at", "submitted_by"):
        setattr(diagnostic, field, getattr(locked, field))
    return True


class SubmissionError(Exception):
    """A diagnostic that cannot be submitted yet, with a message for the user."""


def unconfirmed_answers(diagnostic: Diagnostic) -> dict[int | None, int]:
    """Copied answers still to confirm on questions shown to their respondent, counted by
    respondent id (None: the shared answers)."""
    pending = list(
        Answer.objects.filter(diagnostic=diagnostic, to_confirm=True).values_list(
            "respondent_id", "question__code"
        )
    )
    if not pending:
        return {}
    sets = answer_sets(diagnostic)
    spec = diagnostic.questionnaire.spec
    counts: dict[int | None, int] = {}
    visible: dict[int | None, set[str]] = {}
    for respondent_id, code in pending:
        if respondent_id not in visible:
            key = "shared" if respondent_id is None else str(respondent_id)
            visible[respondent_id] = set(
                visible_questions(spec, sets.get(key, {}), diagnostic.profile)
            )
        if code in visible[respondent_id]:
            counts[respondent_id] = counts.get(respondent_id, 0) + 1
    return counts


def _refuse_unconfirmed(diagnostic: Diagnostic) -> None:
    counts = unconfirmed_answers(diagnostic)
    if not counts:
        return
    total = sum(counts.values())
    if not diagnostic.is_individual:
        raise SubmissionError(
            ngettext(
                "%(count)s answer copied from the previous diagnostic is still to confirm: "
                "confirm or change it before submitting.",
                "%(count)s answers copied from the previous diagnostic are still to confirm: "
                "confirm or change them before submitting.",
                total,
            )
            % {"count": total}
        )
    names = sorted(
        User.objects.filter(pk__in=[pk for pk in counts if pk is not None]).values_list(
            "full_name", flat=True
        )
    )
    raise SubmissionError(
        ngettext(
            "%(count)s answer copied from the previous diagnostic is still to confirm "
            "(%(names)s): each respondent confirms or changes their answers before the "
            "diagnostic is submitted.",
            "%(count)s answers copied from the previous diagnostic are still to confirm "
            "(%(names)s): each respondent confirms or changes their answers before the "
            "diagnostic is submitted.",
            total,
        )
        % {"count": total, "names": ", ".join(names)}
    )


def _score_rows(diagnostic: Diagnostic, results: Results) -> list[Score]:
    common = {"diagnostic": diagnostic, "company_id": diagnostic.company_id}
    rows = [Score(level=Score.Level.OVERALL, code="overall", score=results.overall_score, **common)]
    rows += [
        Score(
            level=Score.Level.DOMAIN,
            code=d.code,
            score=d.score,
            target=d.target,
            gap=d.gap,
            **common,
        )
        for d in results.domains
    ]
    rows += [
        Score(
            level=Score.Level.COMPETENCY,
            code=c.code,
            score=c.score,
            target=c.target,
            gap=c.gap,
            **common,
        )
        for c in results.competencies
    ]
    return rows
