from __future__ import annotations

import uuid
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.models import PublishedVersion, PublishedVersionError

from .definition import KINDS, Profile, definition_from_dict
from .loader import QuestionnaireError
from .scoring import AnswerValue

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User

    from .definition import QuestionnaireDef


__all__ = ["PublishedVersionError"]

_PUBLISHED: dict[int, Questionnaire] = {}


class Questionnaire(PublishedVersion):
    """A published questionnaire version, loaded from a YAML file. Never edited."""

    document_error = QuestionnaireError

    class Meta(PublishedVersion.Meta):
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")

    @cached_property
    def spec(self) -> QuestionnaireDef:
        """The parsed definition; a version never changes, so it is parsed once per process."""
        return self.parsed(definition_from_dict)

    @classmethod
    def published(cls, pk: int) -> Questionnaire:
        """The version with this id, read once per process (a published version never
        changes) without its YAML source, so a page reads a diagnostic without joining
        its questionnaire."""
        if pk not in _PUBLISHED:
            questionnaire = cls.objects.defer("source").get(pk=pk)
            questionnaire.spec  # noqa: B018 (parsed once, kept with the row)
            _PUBLISHED[pk] = questionnaire
        return _PUBLISHED[pk]


class Question(models.Model):
    """One row per question of a version, so answers can point at it."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="question_rows"
    )
    code = models.CharField(max_length=80)
    domain_code = models.CharField(max_length=40)
    competency_code = models.CharField(max_length=60)
    kind = models.CharField(max_length=10, choices=[(k, k) for k in KINDS])
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique")
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PublishedVersionError("Questions of a published version are never changed.")
        super().save(*args, **kwargs)


_QUESTION_IDS: dict[int, dict[str, int]] = {}


def question_ids(questionnaire_id: int) -> dict[str, int]:
    """Question codes to row ids of a published version (never changes: cached per process)."""
    if questionnaire_id not in _QUESTION_IDS:
        _QUESTION_IDS[questionnaire_id] = dict(
            Question.objects.filter(questionnaire_id=questionnaire_id).values_list("code", "pk")
        )
    return _QUESTION_IDS[questionnaire_id]


class DiagnosticQuerySet(models.QuerySet["Diagnostic"]):
    def for_company(self, company_id: int) -> DiagnosticQuerySet:
        return self.filter(company_id=company_id)

    def reliable(self) -> DiagnosticQuerySet:
        """Submitted diagnostics whose scores rest on enough known answers."""
        return self.filter(scores_reliable=True)

    def listed_for_company(self, company_id: int) -> DiagnosticQuerySet:
        """The company's diagnostics for a list, newest first, without the heavy columns
        (questionnaire source and definition, frozen results) that a list never shows."""
        return (
            self.for_company(company_id)
            .select_related("questionnaire")
            .defer("questionnaire__definition", "questionnaire__source", "results")
            .order_by("-created_at")
        )

    def latest_submitted(self, company_id: int, *, key: str | None = None) -> Diagnostic | None:
        """The company's last submitted diagnostic (on questionnaire `key` when given),
        without its frozen results."""
        rows = self.for_company(company_id).filter(status=Diagnostic.Status.SUBMITTED)
        if key is not None:
            rows = rows.filter(questionnaire__key=key)
        return rows.defer("results").order_by("-submitted_at", "-pk").first()

    def reassessment_due(self, submitted_before: datetime) -> DiagnosticQuerySet:
        """Each open company's last submitted diagnostic when it was submitted before
        `submitted_before`, nothing was started or submitted since, and its re-assessment
        reminder has not gone out yet."""
        later = (
            Diagnostic.objects.filter(company_id=models.OuterRef("company_id"))
            .exclude(pk=models.OuterRef("pk"))
            .filter(
                models.Q(created_at__gt=models.OuterRef("submitted_at"))
                | models.Q(submitted_at__gt=models.OuterRef("submitted_at"))
            )
        )
        return self.filter(
            status=Diagnostic.Status.SUBMITTED,
            submitted_at__lte=submitted_before,
            company__closed_at__isnull=True,
            reassessment_reminder__isnull=True,
        ).exclude(models.Exists(later))

    def visible_to(self, user: User) -> DiagnosticQuerySet:
        """Diagnostics of the user's companies and, for advisors, of their portfolio;
        never those of a closed company."""
        member = models.Q(company__memberships__user=user)
        if user.is_advisor:
            member |= models.Q(company__advisors=user)
        return self.filter(member, company__closed_at__isnull=True).distinct()


class Diagnostic(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    class Mode(models.TextChoices):
        COLLECTIVE = "collective", _("One shared set of answers")
        INDIVIDUAL = "individual", _("Each respondent answers; results are consolidated")

    public_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier")
    )
    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.CASCADE,
        related_name="diagnostics",
        verbose_name=_("company"),
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="diagnostics",
        verbose_name=_("questionnaire"),
    )
    mode = models.CharField(
        _("how to answer"), max_length=12, choices=Mode.choices, default=Mode.COLLECTIVE
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    # The company profile when the diagnostic started: conditions and targets use it,
    # so a later change of the company's profile does not move a diagnostic under way.
    sector = models.CharField(max_length=2, verbose_name=_("sector (NAF division)"))
    headcount_band = models.CharField(max_length=10, verbose_name=_("headcount band"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("started"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    results = models.JSONField(
        null=True, blank=True, editable=False, verbose_name=_("frozen results")
    )
    # Whether the frozen scores rest on enough known answers (scoring.Results.reliable):
    # the results page shows no overall index and no chart of the domains without it, and
    # no other page shows them either. Kept by the database from `results` (None for a
    # draft), so that a list filters and shows it without reading each row's JSON.
    scores_reliable = models.GeneratedField(
        expression=models.ExpressionWrapper(
            models.Q(results__results__reliable=True), output_field=models.BooleanField()
        ),
        output_field=models.BooleanField(null=True),
        db_persist=True,
        verbose_name=_("reliable scores"),
    )
    # A re-assessment started from the answers of an earlier diagnostic: those answers
    # were copied, each to be confirmed or changed (Answer.to_confirm).
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    # When the advisors following the company were told of the submission (claimed once by
    # reports.tasks.notify_advisors_of_submission).
    advisors_notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("advisors told")
    )

    objects = DiagnosticQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft", submitted_at__isnull=True)
                | models.Q(status="submitted", submitted_at__isnull=False, results__isnull=False),
                name="diagnostic_submitted_has_results",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.questionnaire} ({self.created_at:%Y-%m-%d})"

    @property
    def profile(self) -> Profile:
        return Profile(sector=self.sector, headcount_band=self.headcount_band)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_individual(self) -> bool:
        return self.mode == self.Mode.INDIVIDUAL

    def answers_of(self, user: User) -> models.QuerySet[Answer]:
        """The answers the user sees as theirs: the shared set, or their own (individual)."""
        respondent = user if self.is_individual else None
        return Answer.objects.filter(diagnostic=self, respondent=respondent)


class Answer(models.Model):
    """The current answer to one question: shared (respondent empty) or one respondent's.

    `version` grows by one at each change; a save names the version it was based on, so
    a concurrent change is detected instead of overwritten.
    """

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    value = models.JSONField(null=True, blank=True)
    dont_know = models.BooleanField(default=False)
    not_concerned = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    # Copied from the previous diagnostic when a re-assessment started from it: shown
    # "to confirm" until someone saves it again, and the diagnostic cannot be submitted
    # while a visible one is left.
    to_confirm = models.BooleanField(default=False, db_default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "question"],
                condition=models.Q(respondent__isnull=True),
                name="answer_shared_unique",
            ),
            models.UniqueConstraint(
                fields=["diagnostic", "question", "respondent"],
                condition=models.Q(respondent__isnull=False),
                name="answer_respondent_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(dont_know=False) | models.Q(value__isnull=True),
                name="answer_dont_know_has_no_value",
            ),
            models.CheckConstraint(
                condition=models.Q(not_concerned=False)
                | models.Q(value__isnull=True, dont_know=False),
                name="answer_not_concerned_has_no_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}={self.value!r}"

    def value_of(self) -> AnswerValue:
        return AnswerValue(self.value, self.dont_know, self.not_concerned)


class ReassessmentReminder(models.Model):
    """The e-mail telling a company's admins that a re-assessment is due, sent at most once
    per submitted diagnostic (the one it follows): the unique row is the claim, so the
    daily job and a redelivered task never send it twice."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    diagnostic = models.OneToOneField(
        Diagnostic, on_delete=models.CASCADE, related_name="reassessment_reminder"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Reminder after {self.diagnostic_id} ({self.sent_at:%Y-%m-%d})"


class Score(models.Model):
    """Frozen scores of a submitted diagnostic, one row per domain/competency and overall,
    for benchmarks and the observatory."""

    class Level(models.TextChoices):
        OVERALL = "overall", _("Overall")
        DOMAIN = "domain", _("Domain")
        COMPETENCY = "competency", _("Competency")

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="scores")
    level = models.CharField(max_length=10, choices=Level.choices)
    code = models.CharField(max_length=60)
    score = models.FloatField(null=True)
    target = models.FloatField(null=True)
    gap = models.FloatField(null=True)
    # False when the score rests on too few known answers: the diagnostic's for the overall
    # row (as `Diagnostic.scores_reliable`), the domain's own questions for a domain row
    # (`scoring.DomainResult.reliable`). Competency rows are not judged. Such a score is
    # kept but shown nowhere and counted in no benchmark.
    reliable = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "level", "code"], name="score_unique")
        ]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.code}: {self.score}"


class Benchmark(models.Model):
    """The mean score of the companies of one group (NAF section, and optionally headcount
    band and region) on one questionnaire version, from their latest submitted diagnostic
    with reliable scores. Rebuilt by a periodic task
    (`diagnostics.benchmarks.refresh_benchmarks`), never per request; a blank band or region
    is the group of every band or region."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    section = models.CharField(max_length=1)
    headcount_band = models.CharField(max_length=10, blank=True)
    region = models.CharField(max_length=2, blank=True)
    level = models.CharField(max_length=10, choices=Score.Level.choices)
    code = models.CharField(max_length=60)
    companies = models.PositiveIntegerField()
    mean = models.FloatField()
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "section", "headcount_band", "region", "level", "code"],
                name="benchmark_unique_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.section}/{self.headcount_band}/{self.region} {self.code}: {self.mean}"
