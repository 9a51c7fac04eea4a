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

from accounts.models import Company, Membership, User
from accounts.rows import bulk_insert
from documents.services import publish_version

from .definition import definition_to_dict
from .forms import AnswerError, PostedAnswer, parse_answer
from .loader import QuestionnaireError, parse_questionnaire
from .models import Answer, Diagnostic, Question, Questionnaire, Score, question_ids
from .scoring import AnswerValue, Results, consolidate, is_answered, score, visible_questions

if TYPE_CHECKING:
    import uuid
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
    """A saved answer, or the other person's current answer when theirs came first.

    `answers`: when the save's statement also read them (PostgreSQL), all of the
    respondent's answers once this one is saved, by question id, each with whether it is
    still to confirm (for the page's progress, without reading them again)."""

    answer: Answer
    conflict: bool
    answers: dict[int, tuple[AnswerValue, bool]] | None = None


def start_diagnostic(
    *,
    membership: Membership,
    questionnaire: Questionnaire,
    mode: str,
    copy_from: Diagnostic | None = None,
) -> Diagnostic:
    """Start a diagnostic. A re-assessment may start from the answers of `copy_from` (a
    submitted diagnostic of the same company, answered the same way), each copied answer
    to be confirmed.

    One diagnostic at a time is in progress per questionnaire version and way of
    answering: if the company has one (a second click on the start button, a form sent
    again, two admins at once), DiagnosticInProgressError names it and nothing is started.
    The company's row is locked before that check (which then sees what another start
    committed meanwhile) until the INSERT commits."""
    company = membership.company
    if copy_from is not None and (
        copy_from.company_id != company.pk or copy_from.is_draft or copy_from.mode != mode
    ):
        raise ValueError("Answers are copied from a submitted diagnostic answered alike.")
    with transaction.atomic():
        # Apart from the check: a statement waiting for the lock reads as of its start. "No
        # key": the rows that refer to the company (answers being saved) are not held up.
        Company.objects.select_for_update(no_key=True).filter(pk=company.pk).values_list("pk").get()
        found = (
            Diagnostic.objects.filter(
                company=company,
                questionnaire=questionnaire,
                mode=mode,
                status=Diagnostic.Status.DRAFT,
            )
            .order_by("-created_at", "-pk")
            .values_list("public_id", flat=True)
            .first()
        )
        if found is not None:
            raise DiagnosticInProgressError(found)
        diagnostic = Diagnostic.objects.create(
            company=company,
            questionnaire=questionnaire,
            mode=mode,
            sector=company.sector,
            headcount_band=company.headcount_band,
            started_by=membership.user,
            copied_from=copy_from,
        )
        if copy_from is not None:
            _copy_answers(copy_from, diagnostic)
    return diagnostic


class DiagnosticInProgressError(Exception):
    """The company already has a diagnostic in progress on that questionnaire version, answered
    that way: `public_id` is its own."""

    def __init__(self, public_id: uuid.UUID) -> None:
        super().__init__(str(public_id))
        self.public_id = public_id


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
    unique constraint), so two concurrent saves cannot both win. A save of the same
    answer is still written (it records who confirmed it, and when).
    """
    question_id = question_ids(diagnostic.questionnaire_id).get(question_code)
    if question_id is None:
        raise AnswerError(_("This question is not part of this diagnostic."))
    if postgresql_writes():
        return _save_one_at_once(diagnostic, question_id, answer, user, base_version)
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
        if not Diagnostic.objects.filter(
            pk=diagnostic.pk, company_id=diagnostic.company_id, status=Diagnostic.Status.DRAFT
        ).exists():
            raise _not_a_draft(diagnostic)
        if base_version == 0:
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


def _not_a_draft(diagnostic: Diagnostic) -> AnswerError:
    """Why a save found no draft: the diagnostic is submitted (the error to raise), or it
    is gone from its company (raises `Diagnostic.DoesNotExist`)."""
    _is_draft(diagnostic)
    return AnswerError(_("This diagnostic is submitted: its answers can no longer change."))


def _save_one_at_once(
    diagnostic: Diagnostic, question_id: int, answer: AnswerValue, user: User, base: int
) -> SaveOutcome:
    """`save_answer` on PostgreSQL: the statement of `_write_answers`, for one answer."""
    now = timezone.now()
    written = _write_answers(
        diagnostic, user, [(question_id, answer, base)], now, always=True, read_all=True
    )
    if not written.draft:
        raise _not_a_draft(diagnostic)
    respondent = user if diagnostic.is_individual else None
    version = written.updated.get(question_id) or (1 if question_id in written.inserted else 0)
    if version:
        answers = {**(written.all_answers or {}), question_id: (answer, False)}
        saved = Answer(
            diagnostic=diagnostic,
            question_id=question_id,
            respondent=respondent,
            value=answer.value,
            dont_know=answer.dont_know,
            not_concerned=answer.not_concerned,
            version=version,
            answered_by=user,
            answered_at=now,
        )
        return SaveOutcome(saved, conflict=False, answers=answers)
    current = (
        Answer.objects.filter(diagnostic=diagnostic, question_id=question_id, respondent=respondent)
        .select_related("answered_by")
        .first()
    )
    if current is None:  # the base version named a row that does not exist
        raise AnswerError(_("This answer changed in the meantime: reload the page."))
    return SaveOutcome(current, conflict=current.value_of() != answer)


@dataclass(frozen=True)
class PageOutcome:
    """What a domain page's save refused: messages by question code, and the other
    person's current answer where theirs came first; `submitted` when the save found the
    diagnostic submitted (nothing was stored)."""

    errors: dict[str, str]
    conflicts: dict[str, Answer]
    submitted: bool = False

    @property
    def saved(self) -> bool:
        return not self.errors and not self.conflicts


def save_page(
    *,
    diagnostic: Diagnostic,
    domain: Domain,
    posted: dict[str, PostedAnswer],
    user: User,
) -> PageOutcome:
    """Save the answers a domain page posted, by question code.

    Invalid answers are refused with their message and the valid ones are saved all the
    same. Unchanged answers are skipped; each changed one is checked against the version
    the page was loaded with, as by `save_answer`, so a concurrent change is reported as a
    conflict, never overwritten. On PostgreSQL the page is saved by one statement whatever
    the number of questions (`_write_answers`), outside any transaction of the caller's.

    The statement itself checks that the diagnostic is still a draft of its company, so
    `diagnostic` may carry only the facts that never change
    (`access.get_company_diagnostic_to_save`). A diagnostic gone from its company raises
    `Diagnostic.DoesNotExist`.
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
    if not given:  # nothing to write: only whether it is still a draft
        return PageOutcome(errors, {}, submitted=not _is_draft(diagnostic))
    if postgresql_writes():
        return _save_at_once(diagnostic=diagnostic, given=given, user=user, errors=errors)
    submitted = not _is_draft(diagnostic)
    conflicts = _save_one_by_one(diagnostic=diagnostic, given=given, user=user, errors=errors)
    return PageOutcome(errors, conflicts, submitted)


def _is_draft(diagnostic: Diagnostic) -> bool:
    """Whether the diagnostic is still a draft; `Diagnostic.DoesNotExist` when it is gone
    from its company."""
    status = (
        Diagnostic.objects.filter(pk=diagnostic.pk, company_id=diagnostic.company_id)
        .values_list("status", flat=True)
        .first()
    )
    if status is None:
        raise Diagnostic.DoesNotExist("This diagnostic no longer exists.")
    return status == Diagnostic.Status.DRAFT


def postgresql_writes() -> bool:
    """Whether saves use PostgreSQL's SQL (a data-modifying WITH, INSERT … ON CONFLICT,
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
) -> PageOutcome:
    """PostgreSQL: the page's answers written by one statement (`_write_answers`); the
    stored rows it returns tell which answers were unchanged, refused or in conflict. Only
    when another save came first, or the draft was not found, is there a second statement:
    the winners, or whether the diagnostic is submitted or gone."""
    ids = question_ids(diagnostic.questionnaire_id)
    for code in [code for code in given if code not in ids]:
        errors[code] = _("This question is not part of this diagnostic.")
        del given[code]
    written = _write_answers(
        diagnostic,
        user,
        [(ids[code], answer, base) for code, (answer, base) in given.items()],
        timezone.now(),
    )
    # No draft found: submitted, or gone from its company (Diagnostic.DoesNotExist).
    submitted = not written.draft and not _is_draft(diagnostic)
    contested: set[int] = set()
    for code, (answer, base) in given.items():
        row = written.stored.get(ids[code])
        if row is not None and row.answer == answer and not row.to_confirm:
            continue  # unchanged, or the same as the other person's
        if row is None and not is_answered(answer):
            continue
        if submitted:
            errors[code] = _("This diagnostic is submitted: its answers can no longer change.")
        elif row is None and base != 0:  # the base version named a row that does not exist
            errors[code] = _("This answer changed in the meantime: reload the page.")
        elif ids[code] not in written.updated and ids[code] not in written.inserted:
            contested.add(ids[code])  # someone else's version, or their insert came first
    if not contested:
        return PageOutcome(errors, {}, submitted=submitted)
    codes = {qid: code for code, qid in ids.items()}
    conflicts: dict[str, Answer] = {}
    for row in (
        diagnostic.answers_of(user).filter(question_id__in=contested).select_related("answered_by")
    ):
        code = codes[row.question_id]
        if row.value_of() != given[code][0] or row.to_confirm:
            conflicts[code] = row
    return PageOutcome(errors, conflicts)


@dataclass(frozen=True)
class _Stored:
    answer: AnswerValue
    version: int
    to_confirm: bool


@dataclass(frozen=True)
class _Written:
    """What `_write_answers` did: whether the diagnostic was a draft, the stored rows it
    found (by question id, before the write), the new versions of the rows it updated and
    the question ids it inserted."""

    draft: bool
    stored: dict[int, _Stored]
    updated: dict[int, int]
    inserted: set[int]
    all_answers: dict[int, tuple[AnswerValue, bool]] | None = None


def _write_answers(
    diagnostic: Diagnostic,
    user: User,
    answers: list[tuple[int, AnswerValue, int]],
    now: datetime,
    *,
    always: bool = False,
    read_all: bool = False,
) -> _Written:
    """Write (question id, answer, base version) triples in one statement, in autocommit:
    PostgreSQL runs a statement as a whole or not at all, so no BEGIN and COMMIT are
    needed, and the statement is the same whatever the number of answers.

    Its parts:
    - `draft` share-locks the diagnostic while it is a draft of its company: a submission
      waits for the statement, and a statement that waited for a submission (or was given
      a diagnostic that is gone, or of another company) finds no draft and writes nothing;
    - `stored` locks the respondent's rows for these questions in question order (two
      pages saved at once wait for each other instead of deadlocking) and returns them
      as they are once locked; the question ids come again as an array, so that the
      unique index finds the rows (a semi-join with `posted` read all the diagnostic's
      answers: about a quarter of the statement's time);
    - `changed` updates the rows still at their base version, where the answer differs
      (or is still to confirm; with `always`, whatever it is: autosave records each save);
    - `added` inserts the answers to questions without a row when the base version is 0,
      skipping any another save inserted meanwhile (ON CONFLICT DO NOTHING);
    - with `read_all`, all of the respondent's answers as they were before the statement
      (by question id, with whether each is still to confirm).
    """
    respondent_id = user.pk if diagnostic.is_individual else None
    answers = sorted(answers, key=lambda item: item[0])
    values = ", ".join(
        ["(%s::bigint, %s::integer, %s::jsonb, %s::boolean, %s::boolean, %s::boolean)"]
        * len(answers)
    )
    params: list[Any] = []
    for question_id, answer, base in answers:
        params += [
            question_id,
            base,
            _json(answer),
            answer.dont_know,
            answer.not_concerned,
            always or is_answered(answer),
        ]
    table = Answer._meta.db_table
    respondent = "a.respondent_id IS NULL" if respondent_id is None else "a.respondent_id = %s"
    changed = (
        "TRUE"
        if always
        else (
            "(s.to_confirm OR s.value IS DISTINCT FROM p.value OR s.dont_know <> p.dont_know "
            "OR s.not_concerned <> p.not_concerned)"
        )
    )
    sql = (
        f"WITH posted (question_id, base, value, dont_know, not_concerned, answered) AS "  # noqa: S608
        f"(VALUES {values}), "
        f"draft AS (SELECT id, company_id FROM {Diagnostic._meta.db_table} "
        "WHERE id = %s AND company_id = %s AND status = 'draft' FOR SHARE), "
        f"stored AS (SELECT a.id, a.question_id, a.version, a.value, a.dont_know, "
        f"a.not_concerned, a.to_confirm FROM {table} a WHERE a.diagnostic_id = %s "
        f"AND {respondent} AND a.question_id = ANY(%s::bigint[]) "
        "ORDER BY a.question_id FOR NO KEY UPDATE), "
        f"changed AS (UPDATE {table} a SET value = p.value, dont_know = p.dont_know, "
        "not_concerned = p.not_concerned, to_confirm = false, version = a.version + 1, "
        "answered_by_id = %s, answered_at = %s "
        "FROM stored s JOIN posted p ON p.question_id = s.question_id, draft "
        f"WHERE a.id = s.id AND s.version = p.base AND {changed} "
        "RETURNING a.question_id, a.version), "
        f"added AS (INSERT INTO {table} (company_id, diagnostic_id, question_id, "
        "respondent_id, value, dont_know, not_concerned, to_confirm, version, "
        "answered_by_id, answered_at) "
        "SELECT draft.company_id, draft.id, p.question_id, %s, p.value, p.dont_know, "
        "p.not_concerned, false, 1, %s, %s FROM posted p, draft "
        "WHERE p.base = 0 AND p.answered "
        "AND NOT EXISTS (SELECT 1 FROM stored s WHERE s.question_id = p.question_id) "
        "ORDER BY p.question_id ON CONFLICT DO NOTHING RETURNING question_id) "
        "SELECT EXISTS (SELECT 1 FROM draft), "
        "(SELECT json_agg(json_build_array(question_id, version, value, dont_know, "
        "not_concerned, to_confirm)) FROM stored), "
        "(SELECT json_agg(json_build_array(question_id, version)) FROM changed), "
        "ARRAY(SELECT question_id FROM added)"
    )
    params += [diagnostic.pk, diagnostic.company_id, diagnostic.pk]
    if respondent_id is not None:
        params.append(respondent_id)
    params.append([question_id for question_id, _answer, _base in answers])
    params += [user.pk, now, respondent_id, user.pk, now]
    if read_all:
        sql += (
            ", (SELECT json_agg(json_build_array(a.question_id, a.value, a.dont_know, "  # noqa: S608
            f"a.not_concerned, a.to_confirm)) FROM {table} a WHERE a.diagnostic_id = %s "
            f"AND {respondent})"
        )
        params += [diagnostic.pk] if respondent_id is None else [diagnostic.pk, respondent_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        draft, stored, updated, inserted, *everything = cursor.fetchone()
    all_answers = None
    if read_all:
        all_answers = {
            qid: (AnswerValue(value, dk, na), confirm)
            for qid, value, dk, na, confirm in everything[0] or []
        }
    return _Written(
        draft=draft,
        stored={
            qid: _Stored(AnswerValue(value, dk, na), version, confirm)
            for qid, version, value, dk, na, confirm in stored or []
        },
        updated=dict(updated or []),
        inserted=set(inserted),
        all_answers=all_answers,
    )


def _json(answer: AnswerValue) -> str | None:
    return None if answer.value is None else json.dumps(answer.value)


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


def compute_results(
    diagnostic: Diagnostic, sets: dict[str, dict[str, AnswerValue]] | None = None
) -> dict[str, Any]:
    """Scores of the diagnostic as it stands, in the JSON form frozen at submission
    (`sets`: its `answer_sets`, when the caller has read them)."""
    spec = diagnostic.questionnaire.spec
    sets = answer_sets(diagnostic) if sets is None else sets
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
        sets = answer_sets(locked)
        frozen = compute_results(locked, sets)
        locked.results = frozen
        locked.status = Diagnostic.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked.save(update_fields=["results", "status", "submitted_at", "submitted_by"])
        bulk_insert(_score_rows(locked, Results.from_dict(frozen["results"])))
    for field in ("results", "status", "submitted_at", "submitted_by"):
        setattr(diagnostic, field, getattr(locked, field))
    # The answers as they were scored: they can no longer change, and making the action
    # plan in the same transaction needs them again (reports.services.question_levels).
    diagnostic.submitted_answer_sets = sets
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
    message = unconfirmed_message(diagnostic)
    if message:
        raise SubmissionError(message)


def unconfirmed_message(diagnostic: Diagnostic) -> str:
    """Why a re-assessment cannot be submitted yet: its copied answers still to confirm
    (and whose, when each answers for themselves); "" when nothing holds it back."""
    if diagnostic.copied_from_id is None:
        return ""
    counts = unconfirmed_answers(diagnostic)
    if not counts:
        return ""
    total = sum(counts.values())
    if not diagnostic.is_individual:
        return ngettext(
            "%(count)s answer copied from the previous diagnostic is still to confirm: "
            "confirm or change it before submitting.",
            "%(count)s answers copied from the previous diagnostic are still to confirm: "
            "confirm or change them before submitting.",
            total,
        ) % {"count": total}
    names = sorted(
        User.objects.filter(pk__in=[pk for pk in counts if pk is not None]).values_list(
            "full_name", flat=True
        )
    )
    return ngettext(
        "%(count)s answer copied from the previous diagnostic is still to confirm "
        "(%(names)s): each respondent confirms or changes their answers before the "
        "diagnostic is submitted.",
        "%(count)s answers copied from the previous diagnostic are still to confirm "
        "(%(names)s): each respondent confirms or changes their answers before the "
        "diagnostic is submitted.",
        total,
    ) % {"count": total, "names": ", ".join(names)}


def _score_rows(diagnostic: Diagnostic, results: Results) -> list[Score]:
    common = {"diagnostic": diagnostic, "company_id": diagnostic.company_id}
    rows = [
        Score(
            level=Score.Level.OVERALL,
            code="overall",
            score=results.overall_score,
            reliable=results.reliable,
            **common,
        )
    ]
    rows += [
        Score(
            level=Score.Level.DOMAIN,
            code=d.code,
            score=d.score,
            target=d.target,
            gap=d.gap,
            reliable=d.reliable,
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
