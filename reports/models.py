from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from diagnostics.definition import tr
from documents.models import PublishedVersion
from documents.services import latest_version, publish_version

from .catalogue import CatalogueDef, CatalogueError, catalogue_from_dict
from .funding import (
    FundingRulesDef,
    FundingRulesError,
    funding_rules_from_dict,
    funding_rules_to_dict,
    parse_funding_rules,
)


class Catalogue(PublishedVersion):
    """A published version of the training catalogue and its recommendation rules."""

    document_error = CatalogueError

    class Meta(PublishedVersion.Meta):
        verbose_name = _("training catalogue version")
        verbose_name_plural = _("training catalogue versions")

    @cached_property
    def spec(self) -> CatalogueDef:
        """The parsed catalogue (a published version never changes: parsed once per process)."""
        return self.parsed(catalogue_from_dict)


class FundingRules(PublishedVersion):
    """A published version of the funding rules: who is funded, how much, from which source."""

    document_error = FundingRulesError

    class Meta(PublishedVersion.Meta):
        verbose_name = _("funding rules version")
        verbose_name_plural = _("funding rules versions")

    @classmethod
    def publish(cls, *, text: str) -> tuple[FundingRules, bool]:
        """Publish the funding rules of a YAML text; (version, created). FundingRulesError
        lists every problem of the file, or refuses other content under a published version."""
        spec = parse_funding_rules(text)
        return publish_version(model=cls, text=text, definition=funding_rules_to_dict(spec))

    @classmethod
    def latest(cls) -> FundingRules | None:
        """The rules to estimate with: the most recently published version."""
        return latest_version(cls)

    @cached_property
    def rules(self) -> FundingRulesDef:
        """The parsed rules (a published version never changes: parsed once per process)."""
        return self.parsed(funding_rules_from_dict)

    @property
    def checked_on(self) -> date:
        """The day the rules' facts were checked against their sources (not the day this
        installation published them)."""
        return self.rules.checked_on


class Modality(models.TextChoices):
    INTRA = "intra", _("In-company")
    INTER = "inter", _("Inter-company")
    ELEARNING = "elearning", _("E-learning")
    AFEST = "afest", _("On-the-job training (AFEST)")
    ALTERNANCE = "alternance", _("Work-study")
    CERTIFICATION = "certification", _("Certification")


class TrainingAction(models.Model):
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="actions")
    code = models.CharField(max_length=40)
    title = models.JSONField()
    description = models.JSONField()
    competencies = models.JSONField()
    level_from = models.PositiveSmallIntegerField()
    level_to = models.PositiveSmallIntegerField()
    duration_hours = models.DecimalField(max_digits=7, decimal_places=1)
    modality = models.CharField(max_length=15, choices=Modality.choices)
    cost_min = models.PositiveIntegerField()
    cost_max = models.PositiveIntegerField()
    funding = models.JSONField()

    class Meta:
        ordering = ["catalogue", "code"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="action_code_unique"),
            models.CheckConstraint(
                condition=models.Q(cost_min__lte=models.F("cost_max")), name="action_cost_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {tr(self.title, 'fr')}"


class ActionPlan(models.Model):
    """The training plan of a submitted diagnostic. `revision` grows at every change, so a
    PDF knows whether it shows the current plan."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    diagnostic = models.OneToOneField(
        "diagnostics.Diagnostic", on_delete=models.CASCADE, related_name="plan"
    )
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="+")
    # The funding rules the estimates follow (the latest when the plan was made).
    funding_rules = models.ForeignKey(
        FundingRules, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hourly_salary_cost = models.DecimalField(
        _("hourly salary cost"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Loaded hourly cost of a trainee, to show the salaries of training time on top "
            "of the remaining cost."
        ),
    )
    revision = models.PositiveIntegerField(default=1)
    advisor_comment = models.TextField(_("advisor's comment"), blank=True, max_length=5000)
    # Gaps no catalogue action serves: shown as "discuss with your advisor" lines.
    open_gaps = models.JSONField(default=list, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    # When what the advisor validated first changed after the validation (lines added,
    # dropped or postponed, their priority, horizon or people, the salary cost, the funding
    # rules); cleared by the next validation. Follow-up (accepted, done, owner, quarter,
    # notes) and comments do not count.
    changed_since_validation_at = models.DateTimeField(null=True, blank=True)
    changed_since_validation_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set by the task that e-mails the validating advisor of that change (claimed once).
    change_notified_at = models.DateTimeField(null=True, blank=True)
    # What the advisor validated, to show what changed since: each line's priority, horizon,
    # people and whether it counted (by line pk), the salary cost and the funding rules.
    validated_state = models.JSONField(default=dict, blank=True)
    # The advisor's comment on each domain, by domain code.
    domain_comments = models.JSONField(default=dict, blank=True)
    # Set by the task that e-mails the company admins of a validation (claimed once).
    validation_notified_at = models.DateTimeField(null=True, blank=True)
    # First-year figures of the counted lines, kept with every change of the lines so that
    # the advisor's portfolio lists them without estimating each plan (euros).
    year1_cost_min = models.PositiveIntegerField(null=True, blank=True)
    year1_cost_max = models.PositiveIntegerField(null=True, blank=True)
    year1_funding = models.PositiveIntegerField(null=True, blank=True)
    # The funding at the low end of the cost range (a range can be funded less there).
    year1_funding_min = models.PositiveIntegerField(null=True, blank=True)
    year1_remaining_min = models.PositiveIntegerField(null=True, blank=True)
    year1_remaining_max = models.PositiveIntegerField(null=True, blank=True)
    # Accepted first-year lines a route may fund with no funding request filed yet.
    year1_requests_to_file = models.PositiveIntegerField(null=True, blank=True)
    # Counted first-year lines whose route is eligible but gives no amount (CPF, POE, ...):
    # the funding above leaves them out.
    year1_uncosted_lines = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Plan {self.diagnostic_id} r{self.revision}"

    @property
    def is_validated(self) -> bool:
        return self.validated_at is not None

    @property
    def changed_since_validation(self) -> bool:
        return self.validated_at is not None and self.changed_since_validation_at is not None


# What the plan page's form edits on a line, and the line's funding request (follow-up).
PLAN_LINE_FIELDS = ("status", "horizon", "priority", "target_quarter", "owner", "people", "notes")
FUNDING_REQUEST_FIELDS = ("funding_requested_on", "funding_reference", "funding_granted")


class PlanItem(models.Model):
    class Horizon(models.TextChoices):
        YEAR1 = "year1", _("First 12 months")
        LATER = "later", _("Later")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        POSTPONED = "postponed", _("Postponed")
        DROPPED = "dropped", _("Dropped")
        DONE = "done", _("Done")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    competency_code = models.CharField(max_length=60)  # the main one, of `competencies`
    competencies = models.JSONField(default=list)  # every competency the line serves
    action = models.ForeignKey(TrainingAction, on_delete=models.PROTECT, related_name="+")
    horizon = models.CharField(
        _("horizon"), max_length=5, choices=Horizon.choices, default=Horizon.YEAR1
    )
    priority = models.PositiveSmallIntegerField(_("priority"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    target_quarter = models.CharField(_("target quarter"), max_length=7, blank=True)
    owner = models.CharField(_("person in charge"), max_length=150, blank=True)
    people = models.PositiveIntegerField(_("people to train"), default=1)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    drop_reason = models.CharField(_("reason for dropping"), max_length=500, blank=True)
    done_at = models.DateTimeField(_("done on"), null=True, blank=True)
    # The funding request filed with the OPCO for this line (follow-up: the company's record
    # of what it asked for and what the OPCO agreed to fund, not an estimate).
    funding_requested_on = models.DateField(_("funding request filed on"), null=True, blank=True)
    funding_reference = models.CharField(
        _("OPCO file number"), max_length=60, blank=True, default="", db_default=""
    )
    funding_granted = models.PositiveIntegerField(
        _("funding granted by the OPCO (€)"), null=True, blank=True
    )
    # When the company's administrators were reminded to file the request (once a line).
    request_reminded_at = models.DateTimeField(null=True, blank=True)
    # The target quarter the administrators were last reminded is over with the line still
    # accepted (once a line and quarter: a line given a new quarter is reminded again).
    overdue_reminded_for = models.CharField(max_length=7, blank=True, default="", db_default="")
    # Added by the advisor at the review, not by the recommendation rules.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reasons = models.JSONField(default=dict)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "action"], name="plan_item_action_once"),
            models.CheckConstraint(
                condition=models.Q(priority__in=[1, 2, 3]), name="plan_item_priority"
            ),
            models.CheckConstraint(condition=models.Q(people__gte=1), name="plan_item_people"),
            # An agreement or a file number follows a request.
            models.CheckConstraint(
                condition=models.Q(funding_requested_on__isnull=False)
                | (models.Q(funding_granted__isnull=True) & models.Q(funding_reference="")),
                name="plan_item_funding_request_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action.code} ({self.status})"


class Report(models.Model):
    """One PDF request. The worker claims the row, renders, stores the file and marks it ready."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    diagnostic = models.ForeignKey(
        "diagnostics.Diagnostic", on_delete=models.CASCADE, related_name="reports"
    )
    number = models.PositiveIntegerField(_("version"))
    language = models.CharField(max_length=8, default="fr")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    # What the PDF was made from: results, plan revision, comments, language.
    source_fingerprint = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=120, blank=True)  # "host:pid" of the renderer
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "number"], name="report_number_unique"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Report {self.number} of {self.diagnostic_id} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class SweeperRun(models.Model):
    """When a periodic job last ran (one row per job), for the operator's pipeline page."""

    name = models.SlugField(max_length=60, unique=True)
    ran_at = models.DateTimeField()
    enqueued = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} at {self.ran_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def record(cls, name: str, *, enqueued: int) -> None:
        cls.objects.update_or_create(
            name=name, defaults={"ran_at": timezone.now(), "enqueued": enqueued}
        )
