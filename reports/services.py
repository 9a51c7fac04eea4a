"""Workflows on training catalogues, action plans and reports."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts.models import Membership, User
from accounts.rows import bulk_insert
from audit.models import Action
from diagnostics import services as diagnostic_services
from diagnostics.models import Diagnostic
from diagnostics.scoring import Results, question_level
from diagnostics.services import answer_sets
from documents.services import latest_version, publish_version

from .catalogue import (
    catalogue_to_dict,
    parse_catalogue,
)
from .document import year1_figures
from .models import (
    FUNDING_REQUEST_FIELDS,
    PLAN_LINE_FIELDS,
    ActionPlan,
    Catalogue,
    FundingRules,
    PlanItem,
    Report,
    TrainingAction,
)
from .planning import plan_from_results, uncovered
from .recommendations import COUNTED_STATUSES
from .tasks import (
    enqueue_change_notice,
    enqueue_report,
    enqueue_submission_notice,
    enqueue_validation_notice,
)

if TYPE_CHECKING:
    from diagnostics.definition import QuestionnaireDef

logger = logging.getLogger(__name__)


class PlanError(Exception):
    """An expected refusal about plans and reports, with a message for the user."""


# --- Catalogue versions ------------------------------------------------------------------

DEFAULT_CATALOGUE_DIR = Path(__file__).parent / "catalogue"


def import_catalogue(
    *,
    text: str,
    questionnaire_spec: QuestionnaireDef | None = None,
    competency_codes: Collection[str] | None = None,
) -> tuple[Catalogue, bool]:
    """Publish the catalogue version of a YAML text; (version, created).

    The competencies the actions name are checked against those of `questionnaire_spec`
    and/or `competency_codes` when given (either may list a code). Loading the same
    content again changes nothing (comments and layout do not count); other content under
    a published key and version is refused: versions are immutable.
    """
    known = _known_competencies(questionnaire_spec, competency_codes)
    spec = parse_catalogue(text, competency_codes=known)

    def create_actions(catalogue: Catalogue) -> None:
        TrainingAction.objects.bulk_create(
            TrainingAction(
                catalogue=catalogue,
                code=action.code,
                title=action.title,
                description=action.description,
                competencies=list(action.competencies),
                level_from=action.level_from,
                level_to=action.level_to,
                duration_hours=Decimal(f"{action.duration_hours:.1f}"),
                modality=action.modality,
                cost_min=action.cost_min,
                cost_max=action.cost_max,
                funding=list(action.funding),
            )
            for action in spec.actions
        )

    return publish_version(
        model=Catalogue,
        text=text,
        definition=catalogue_to_dict(spec),
        create_rows=create_actions,
    )


def _known_competencies(
    questionnaire_spec: QuestionnaireDef | None, competency_codes: Collection[str] | None
) -> set[str] | None:
    if questionnaire_spec is None and competency_codes is None:
        return None
    known = set(competency_codes or ())
    if questionnaire_spec is not None:
        known.update(c.code for c in questionnaire_spec.competencies())
    return known


def latest_catalogue() -> Catalogue | None:
    """The catalogue to use for new plans: the most recently published version."""
    return latest_version(Catalogue)


# --- Action plans ---------------------------------------------------------------------------


def question_levels(diagnostic: Diagnostic) -> dict[str, float | None]:
    """The level behind each answer (mean over respondents for an individual diagnostic)."""
    spec = diagnostic.questionnaire.spec
    levels: dict[str, list[float]] = {}
    sets = getattr(diagnostic, "submitted_answer_sets", None) or answer_sets(diagnostic)
    for answers in sets.values():
        for code, answer in answers.items():
            question = spec.question(code)
            level = question_level(question, answer) if question else None
            if level is not None:
                levels.setdefault(code, []).append(level)
    return {code: sum(values) / len(values) for code, values in levels.items()}


@transaction.atomic
def submit(*, diagnostic: Diagnostic, user: User, notify_advisors: bool = True) -> bool:
    """Submit the diagnostic and make its action plan in the same transaction; a second
    call does nothing. Without a published catalogue the plan is made later, on request.
    After the commit, the advisors following the company are e-mailed, unless the
    submission is not news (`notify_advisors=False`: demo data dated in the past)."""
    submitted = diagnostic_services.submit_diagnostic(diagnostic=diagnostic, user=user)
    if submitted:
        catalogue_row = latest_catalogue()
        if catalogue_row is not None:  # the first submission: no plan exists yet
            _make_plan(diagnostic, catalogue_row)
        if notify_advisors:
            transaction.on_commit(partial(enqueue_submission_notice, diagnostic.pk))
    return submitted


def plan_for(diagnostic: Diagnostic) -> ActionPlan:
    """The diagnostic's action plan, made from the recommendations the first time.
    Called by the workflows that write (submission, a report request, "make the plan")."""
    existing = ActionPlan.objects.filter(diagnostic=diagnostic).first()
    if existing is not None:
        return existing
    if diagnostic.is_draft:
        raise PlanError(_("The action plan is made once the diagnostic is submitted."))
    catalogue_row = latest_catalogue()
    if catalogue_row is None:
        raise PlanError(_("No training catalogue is published yet."))
    try:
        with transaction.atomic():
            return _make_plan(diagnostic, catalogue_row)
    except IntegrityError:  # made at the same moment by another request
        return ActionPlan.objects.get(diagnostic=diagnostic)


def _make_plan(diagnostic: Diagnostic, catalogue_row: Catalogue) -> ActionPlan:
    """Make the plan of a submitted diagnostic that has none (the caller makes sure)."""
    catalogue = catalogue_row.spec
    spec = diagnostic.questionnaire.spec
    results = Results.from_dict(diagnostic.results["results"])
    lines, recommendations = plan_from_results(
        spec,
        results.competencies,
        question_levels(diagnostic),
        catalogue,
        headcount_band=diagnostic.headcount_band,
    )
    titles = {c.code: c.title for c in spec.competencies()}
    # The lines need the rows' keys; the figures below read the actions from the catalogue.
    actions = {
        a.code: a
        for a in TrainingAction.objects.filter(
            catalogue=catalogue_row, code__in={line.action.code for line in lines}
        ).only("id", "code")
    }
    plan = ActionPlan(
        company=diagnostic.company,  # the caller's, when it has it: the funding reads its IDCC
        diagnostic=diagnostic,
        catalogue=catalogue_row,
        funding_rules=FundingRules.latest(),
        open_gaps=[r.to_dict() for r in uncovered(recommendations, lines)],
    )
    items = [
        PlanItem(
            company_id=diagnostic.company_id,
            competency_code=line.competencies[0],
            competencies=list(line.competencies),
            action=actions[line.action.code],
            priority=line.priority,
            horizon=line.horizon,
            reasons=line.reasons(titles, catalogue.plan_policy),
            position=position,
        )
        for position, line in enumerate(lines)
    ]
    # The first-year figures go in with the plan: its lines are all here, with their actions.
    for field, value in year1_figures(plan, items).items():
        setattr(plan, field, value)
    plan.save(force_insert=True)
    for item in items:
        item.plan = plan
    bulk_insert(items)
    return plan


def refresh_year1_summary(plan: ActionPlan) -> None:
    """Store the first-year cost, estimated funding and remaining cost of the counted lines
    on the plan, for lists that show many plans (the advisor's portfolio). Called by every
    workflow that changes the lines (a new plan gets them when it is made)."""
    items = PlanItem.objects.filter(plan=plan).select_related("action")
    ActionPlan.objects.filter(pk=plan.pk).update(**year1_figures(plan, items))


# A line's fields that a PDF shows (the fingerprint reads them in this order). The funding
# request (FUNDING_REQUEST_FIELDS) is follow-up, kept out of the PDF and of its fingerprint.
PLAN_FIELDS = (*PLAN_LINE_FIELDS, "drop_reason")


@transaction.atomic
def update_plan_items(*, plan: ActionPlan, changes: dict[int, dict[str, Any]]) -> bool:
    """Apply the edited fields of the plan's items; a real change bumps the plan revision.

    A line marked done records when; a line that is no longer dropped loses its reason.
    """
    changed = content = False
    now = timezone.now()
    for item in PlanItem.objects.select_for_update().filter(plan=plan, pk__in=changes):
        fields = {
            k: v
            for k, v in changes[item.pk].items()
            if k in PLAN_FIELDS or k in FUNDING_REQUEST_FIELDS
        }
        status = fields.get("status", item.status)
        if status == PlanItem.Status.DONE and item.done_at is None:
            fields["done_at"] = now
        elif status != PlanItem.Status.DONE and item.done_at is not None:
            fields["done_at"] = None
        if status != PlanItem.Status.DROPPED and (fields.get("drop_reason") or item.drop_reason):
            fields["drop_reason"] = ""
        if any(getattr(item, k) != v for k, v in fields.items()):
            content = content or _changes_content(item, fields)
            for k, v in fields.items():
                setattr(item, k, v)
            item.save(update_fields=list(fields))
            changed = True
    if changed:
        _touch(plan, content=content)
        refresh_year1_summary(plan)
    return changed


# What a line commits the company to, as an advisor validates it: which lines count (a
# dropped or postponed line does not), when, in which order and for how many people.
# Accepting a line, marking it done, its owner, quarter, notes and funding request are its
# follow-up.
CONTENT_FIELDS = ("horizon", "priority", "people")


def _validated_state(plan: ActionPlan) -> dict[str, Any]:
    """What a validation covers, as `reports.document.changes_since_validation` reads it."""
    lines = PlanItem.objects.filter(plan=plan).values_list("pk", "status", *CONTENT_FIELDS)
    return {
        "lines": {
            str(pk): {
                "counted": status in COUNTED_STATUSES,
                **dict(zip(CONTENT_FIELDS, values, strict=True)),
            }
            for pk, status, *values in lines
        },
        "hourly_salary_cost": None
        if plan.hourly_salary_cost is None
        else str(plan.hourly_salary_cost),
        "funding_rules": plan.funding_rules_id,
    }


def _changes_content(item: PlanItem, fields: dict[str, Any]) -> bool:
    counted = fields.get("status", item.status) in COUNTED_STATUSES
    if counted != (item.status in COUNTED_STATUSES):
        return True
    return counted and any(k in fields and getattr(item, k) != fields[k] for k in CONTENT_FIELDS)


@transaction.atomic
def adjust_plan_lines(*, plan: ActionPlan, adjustments: dict[int, dict[str, Any]]) -> bool:
    """The advisor's adjustments of the plan's lines: for each line, the fields the advisor
    changed among `priority`, `horizon`, `drop` and `drop_reason`; the others stay as they
    are now, so that what the company changed meanwhile is kept. A line dropped keeps its
    reason; a line no longer dropped goes back to "proposed"; other statuses (accepted,
    done...) stay as the company set them. A real change bumps the plan revision."""
    statuses = dict(
        PlanItem.objects.select_for_update().filter(plan=plan).values_list("pk", "status")
    )
    changes = {}
    for pk, wanted in adjustments.items():
        if pk not in statuses:
            continue
        change = {name: wanted[name] for name in ("priority", "horizon") if name in wanted}
        status = statuses[pk]
        if "drop" in wanted:
            if wanted["drop"]:
                status = PlanItem.Status.DROPPED
            elif status == PlanItem.Status.DROPPED:
                status = PlanItem.Status.PROPOSED
            change["status"] = status
        if status == PlanItem.Status.DROPPED and "drop_reason" in wanted:
            change["drop_reason"] = wanted["drop_reason"]
        if change:
            changes[pk] = change
    return update_plan_items(plan=plan, changes=changes)


@transaction.atomic
def add_plan_line(
    *, plan: ActionPlan, action: TrainingAction, priority: int, horizon: str, user: User
) -> PlanItem:
    """The advisor adds an action of the plan's catalogue; an action is in a plan once."""
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if action.catalogue_id != locked.catalogue_id:
        raise PlanError(_("This action is not in the catalogue of the plan."))
    if PlanItem.objects.filter(plan=locked, action=action).exists():
        raise PlanError(_("This action is already in the plan."))
    position = PlanItem.objects.filter(plan=locked).aggregate(n=Max("position"))["n"]
    competencies = list(action.competencies)
    item = PlanItem.objects.create(
        company_id=locked.company_id,
        plan=locked,
        competency_code=competencies[0] if competencies else "",
        competencies=competencies,
        action=action,
        priority=priority,
        horizon=horizon,
        added_by=user,
        reasons={"added_by_advisor": True},
        position=(position or 0) + 1,
    )
    _touch(locked, content=True)
    refresh_year1_summary(locked)
    plan.refresh_from_db()
    return item


@transaction.atomic
def set_salary_cost(*, plan: ActionPlan, hourly_salary_cost: Decimal | None) -> bool:
    """Count (or stop counting) the salaries of training time; a change bumps the revision."""
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.hourly_salary_cost == hourly_salary_cost:
        return False
    locked.hourly_salary_cost = hourly_salary_cost
    locked.save(update_fields=["hourly_salary_cost"])
    _touch(locked, content=True)
    plan.refresh_from_db()
    return True


def newer_funding_rules(plan: ActionPlan) -> FundingRules | None:
    """The funding rules to estimate with, when they are not the plan's: a plan keeps the
    version it was made with until someone chooses to estimate it under newer ones."""
    latest = FundingRules.latest()
    if latest is None or latest.pk == plan.funding_rules_id:
        return None
    return latest


@transaction.atomic
def use_latest_funding_rules(*, plan: ActionPlan) -> FundingRules | None:
    """Estimate the plan under the most recently published funding rules, and return them.
    The change bumps the revision, refreshes the first-year figures and puts the PDF out
    of date. None when the plan already uses them (or none are published)."""
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    latest = newer_funding_rules(locked)
    if latest is None:
        return None
    locked.funding_rules = latest
    locked.save(update_fields=["funding_rules"])
    _touch(locked, content=True)
    refresh_year1_summary(locked)
    plan.refresh_from_db()
    return latest


def _touch(plan: ActionPlan, *, content: bool) -> None:
    """A new revision of the plan. `content`: what an advisor validates changed (see
    ActionPlan.changed_since_validation_at), so a validated plan records when it first did,
    in the same statement; that first change is written to the audit log, and its actor
    (the request's user) is kept on the plan."""
    now = timezone.now()
    fields: dict[str, Any] = {"revision": F("revision") + 1, "updated_at": now}
    if content:
        fields["changed_since_validation_at"] = Case(
            When(
                validated_at__isnull=False,
                changed_since_validation_at__isnull=True,
                then=Value(now),
            ),
            default=F("changed_since_validation_at"),
        )
    ActionPlan.objects.filter(pk=plan.pk).update(**fields)
    plan.refresh_from_db()
    if content and plan.changed_since_validation_at == now:  # the first change since
        entry = audit.record(Action.PLAN_CHANGED, company=plan.company_id, target=plan.public_id)
        if entry is not None and entry.actor_id is not None:
            ActionPlan.objects.filter(pk=plan.pk).update(changed_since_validation_by=entry.actor_id)
            plan.changed_since_validation_by_id = entry.actor_id
        transaction.on_commit(partial(enqueue_change_notice, plan.pk))


@transaction.atomic
def advisor_review(
    *,
    plan: ActionPlan,
    advisor: User,
    comment: str,
    validate: bool,
    domain_comments: dict[str, str] | None = None,
    adjustments: dict[int, dict[str, Any]] | None = None,
) -> Report | None:
    """The advisor comments (overall and, when given, per domain), may adjust the plan's
    lines (`adjust_plan_lines`) and may validate, all in one transaction: a validation
    covers the adjustments sent with it.

    Validating records who and when, requests a new PDF version (which carries the
    comments and the validation) in the company's language (`company_language`), and
    e-mails the company admins once it commits.
    """
    if adjustments:
        adjust_plan_lines(plan=plan, adjustments=adjustments)
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    locked.advisor_comment = comment
    fields = ["advisor_comment"]
    if domain_comments is not None:
        locked.domain_comments = {code: text for code, text in domain_comments.items() if text}
        fields.append("domain_comments")
    if validate:
        locked.validated_by = advisor
        locked.validated_at = timezone.now()
        locked.validation_notified_at = None
        locked.changed_since_validation_at = None
        locked.changed_since_validation_by = None
        locked.change_notified_at = None
        locked.validated_state = _validated_state(locked)
        fields += [
            "validated_by",
            "validated_at",
            "validation_notified_at",
            "changed_since_validation_at",
            "changed_since_validation_by",
            "change_notified_at",
            "validated_state",
        ]
    locked.save(update_fields=fields)
    _touch(locked, content=False)
    plan.refresh_from_db()
    if validate:
        audit.record(
            Action.PLAN_VALIDATED, actor=advisor, company=plan.company_id, target=plan.public_id
        )
        report = request_report(
            diagnostic=plan.diagnostic, user=advisor, language=company_language(plan.diagnostic)
        )
        transaction.on_commit(lambda: enqueue_validation_notice(plan.pk))
        return report
    return None


# --- Reports ------------------------------------------------------------------------------


def fingerprint(diagnostic: Diagnostic, language: str) -> str:
    """What a PDF shows: frozen results, the plan as it stands, comments, the language."""
    plan = ActionPlan.objects.filter(diagnostic=diagnostic).first()
    items = (
        list(PlanItem.objects.filter(plan=plan).order_by("pk").values_list("pk", *PLAN_FIELDS))
        if plan
        else []
    )
    facts: list[Any] | None = None
    if plan:
        facts = [
            plan.advisor_comment,
            str(plan.validated_at),
            str(plan.hourly_salary_cost),
            plan.domain_comments,
            plan.funding_rules_id,
        ]
        if plan.changed_since_validation:
            # Only then: the fingerprints of every other plan stay what they were.
            facts.append("changed since validation")
    state = {"results": diagnostic.results, "language": language, "plan": facts, "items": items}
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def company_language(diagnostic: Diagnostic) -> str:
    """The language of a PDF made for the company rather than at the request of one of its
    people (an advisor's validation): that of the person who submitted the diagnostic
    while they are still a member, else that of its longest-standing administrator, else
    the site's. Never the advisor's own."""
    members = (
        Membership.objects.filter(company_id=diagnostic.company_id, user__is_active=True)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    chosen = (
        members.filter(user_id=diagnostic.submitted_by_id).first()
        or members.filter(role=Membership.Role.ADMIN).first()
    )
    languages = dict(settings.LANGUAGES)
    if chosen is not None and chosen.user.preferred_language in languages:
        return chosen.user.preferred_language
    return settings.LANGUAGE_CODE


def request_report(*, diagnostic: Diagnostic, user: User, language: str) -> Report:
    """Save a report request and enqueue its rendering once the transaction commits.

    If the broker is down, the request stays pending and the sweeper enqueues it later.
    If the same PDF (the same results, plan and language) is already waiting or being
    made, that version is returned and no other is made: a second click, a colleague's
    request or a form sent again does not make a duplicate.
    """
    with transaction.atomic():
        locked = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
        if locked.is_draft:
            raise PlanError(_("A report is made once the diagnostic is submitted."))
        plan_for(locked)
        source = fingerprint(locked, language)
        in_progress = (
            Report.objects.filter(
                diagnostic=locked,
                language=language,
                source_fingerprint=source,
                status__in=(Report.Status.PENDING, Report.Status.RUNNING),
            )
            .order_by("-number")
            .first()
        )
        if in_progress is not None:
            return in_progress
        last = Report.objects.filter(diagnostic=locked).aggregate(n=Max("number"))["n"] or 0
        report = Report.objects.create(
            company_id=locked.company_id,
            diagnostic=locked,
            number=last + 1,
            language=language,
            requested_by=user,
            source_fingerprint=source,
        )
        audit.record(
            Action.REPORT_REQUESTED, actor=user, company=report.company_id, target=report.public_id
        )
        transaction.on_commit(lambda: enqueue_report(report.pk))
    return report


def is_outdated(report: Report) -> bool:
    return report.source_fingerprint != fingerprint(report.diagnostic, report.language)
