"""Workflows on questionnaires and diagnostics."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .forms import AnswerError
from .loader import QuestionnaireError, definition_to_dict, parse_questionnaire
from .models import Answer, Diagnostic, Question, Questionnaire, Score
from .scoring import AnswerValue, Results, consolidate, score

if TYPE_CHECKING:
    from accounts.models import Membership

__all__ = ["AnswerError", "QuestionnaireError"]

# --- Questionnaire versions ------------------------------------------------------------

DEFAULT_QUESTIONNAIRES_DIR = Path(__file__).parent / "questionnaires"


def definition_checksum(data: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a definition dict: the same content, the same sum."""
    canonical = json.dumps(data, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def import_questionnaire(*, text: str) -> tuple[Questionnaire, bool]:
    """Publish the questionnaire version of a YAML text; (version, created).

    Loading the same content again changes nothing (comments and layout do not count);
    other content under a published key and version is refused: versions are immutable.
    """
    spec = parse_questionnaire(text)
    definition = definition_to_dict(spec)
    checksum = definition_checksum(definition)
    key, version = definition["key"], definition["version"]
    with transaction.atomic():
        existing = Questionnaire.objects.filter(key=key, version=version).first()
        if existing is not None:
            return _unchanged(existing, checksum), False
        try:
            with transaction.atomic():  # a savepoint: another process may publish it first
                questionnaire = Questionnaire.objects.create(
                    key=key,
                    version=version,
                    title=definition["title"],
                    definition=definition,
                    source=text,
                    checksum=checksum,
                )
        except IntegrityError:
            existing = Questionnaire.objects.get(key=key, version=version)
            return _unchanged(existing, checksum), False
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
    return questionnaire, True


def unchanged_version(existing: Any, checksum: str, error: type[Exception]) -> Any:
    """The published version (a Questionnaire or Catalogue row) if the content is the same;
    otherwise `error`, telling which version number to publish the changes as."""
    if existing.checksum == checksum:
        return existing
    latest = type(existing).objects.filter(key=existing.key).aggregate(Max("version"))
    next_version = (latest["version__max"] or existing.version) + 1
    raise error(
        [
            f"version: {existing.key} v{existing.version} is already published and cannot be "
            f"changed; publish the changes as version {next_version}"
        ]
    )


def _unchanged(existing: Questionnaire, checksum: str) -> Questionnaire:
    return unchanged_version(existing, checksum, QuestionnaireError)


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
    if current.value == answer.value and current.dont_know == answer.dont_know:
        return SaveOutcome(current, conflict=False)  # same answer: nothing to resolve
    return SaveOutcome(current, conflict=True)


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
        "respondent_id", "question__code", "value", "dont_know"
    )
    for respondent_id, code, value, dont_know in rows:
        key = "shared" if respondent_id is None else str(respondent_id)
        sets.setdefault(key, {})[code] = AnswerValue(value, dont_know)
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
