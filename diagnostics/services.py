"""Workflows on questionnaires and diagnostics."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from documents.services import publish_version

from .definition import definition_to_dict
from .forms import AnswerError, PostedAnswer, parse_answer
from .loader import QuestionnaireError, parse_questionnaire
from .models import Answer, Diagnostic, Question, Questionnaire, Score
from .scoring import AnswerValue, Results, consolidate, is_answered, score

if TYPE_CHECKING:
    from accounts.models import Membership

    from .definition import Domain

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


@transaction.atomic
def start_diagnostic(
    *, membership: Membership, questionnaire: Questionnaire, mode: str
) -> Diagnostic:
    company = membership.company
    return Diagnostic.objects.create(
        company=company,
        questionnaire=questionnaire,
        mode=mode,
        sector=company.sector,
        headcount_band=company.headcount_band,
        started_by=membership.user,
    )


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
    fields = {
        "value": answer.value,
        "dont_know": answer.dont_know,
        "not_concerned": answer.not_concerned,
        "answered_by": user,
        "answered_at": timezone.now(),
    }
    with transaction.atomic():
        if not _lock_draft(diagnostic):
            raise AnswerError(_("This diagnostic is submitted: its answers can no longer change."))
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
) -> PageOutcome:
    """Save the answers a domain page posted, by question code.

    Unchanged answers are skipped; each changed one is checked and saved as by
    `save_answer`, so a concurrent change is reported as a conflict, never overwritten.
    """
    current = diagnostic.answers_of(user).by_code()
    errors: dict[str, str] = {}
    conflicts: dict[str, Answer] = {}
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
            stored = current.get(question.code)
            if stored == answer or (stored is None and not is_answered(answer)):
                continue
            try:
                outcome = save_answer(
                    diagnostic=diagnostic,
                    question_code=question.code,
                    answer=answer,
                    user=user,
                    base_version=post.base_version,
                )
            except AnswerError as exc:
                errors[question.code] = str(exc)
                continue
            if outcome.conflict:
                conflicts[question.code] = outcome.answer
    return PageOutcome(errors, conflicts)


_QUESTION_IDS: dict[int, dict[str, int]] = {}


def question_ids(questionnaire_id: int) -> dict[str, int]:
    """Question codes to row ids of a published version (never changes: cached per process)."""
    if questionnaire_id not in _QUESTION_IDS:
        _QUESTION_IDS[questionnaire_id] = dict(
            Question.objects.filter(questionnaire_id=questionnaire_id).values_list("code", "pk")
        )
    return _QUESTION_IDS[questionnaire_id]


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
    with transaction.atomic():
        locked = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
        if not locked.is_draft:
            return False
        frozen = compute_results(locked)
        locked.results = frozen
        locked.status = Diagnostic.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked.save(update_fields=["results", "status", "submitted_at", "submitted_by"])
        Score.objects.bulk_create(_score_rows(locked, Results.from_dict(frozen["results"])))
    diagnostic.refresh_from_db()
    return True


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
