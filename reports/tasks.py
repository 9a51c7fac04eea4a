"""Report rendering by Celery workers. State lives on the Report row; no result backend.

- The task takes an id and claims its row with a conditional UPDATE: a second delivery,
  or a second worker, finds nothing to claim and does nothing.
- A row left RUNNING by a renderer that died (SIGKILL, lost machine) is taken over by the
  redelivered task when the renderer's process is gone, or by the sweeper once the hard
  time limit has passed.
- Unexpected errors are retried a bounded number of times, then the row says FAILED.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import PlanItem, Report, SweeperRun
from .quarters import over_by, quarter_of

logger = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{{pid}}"


def _me() -> str:
    return WORKER.format(pid=os.getpid())


def _lease() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)


def _renderer_is_gone(claimed_by: str) -> bool:
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim(report_id: int) -> bool:
    """Take the row for this process, or say it is someone else's (or done)."""
    now = timezone.now()
    fields = {
        "status": Report.Status.RUNNING,
        "started_at": now,
        "attempts": F("attempts") + 1,
        "claimed_by": _me(),
    }
    free = Q(status=Report.Status.PENDING) | Q(
        status=Report.Status.RUNNING, started_at__lt=now - _lease()
    )
    if Report.objects.filter(free, pk=report_id).update(**fields):
        return True
    row = (
        Report.objects.filter(pk=report_id, status=Report.Status.RUNNING)
        .values("claimed_by")
        .first()
    )
    if row and row["claimed_by"] and _renderer_is_gone(row["claimed_by"]):
        # Compare-and-set on the dead renderer's mark: only one taker wins.
        return bool(
            Report.objects.filter(
                pk=report_id, status=Report.Status.RUNNING, claimed_by=row["claimed_by"]
            ).update(**fields)
        )
    return False


def _fail(report_id: int, message: str) -> None:
    Report.objects.filter(pk=report_id).update(
        status=Report.Status.FAILED, message=message, finished_at=timezone.now()
    )


@shared_task(bind=True, max_retries=2, acks_late=True, reject_on_worker_lost=True)
def render_report(self, report_id: int) -> str:
    if not claim(report_id):
        logger.info("Report %s is taken or finished: nothing to do.", report_id)
        return "skipped"
    report = Report.objects.select_related("diagnostic__questionnaire", "company").get(pk=report_id)
    with translation.override(report.language):  # messages in the requester's language
        return _render(self, report)


def _render(task, report: Report) -> str:
    report_id = report.pk
    if report.diagnostic.company_id != report.company_id or report.diagnostic.is_draft:
        logger.warning("Report %s does not match its diagnostic: refused.", report_id)
        _fail(report_id, _("This report does not match its diagnostic and was not made."))
        return "refused"
    if report.attempts > settings.REPORT_MAX_ATTEMPTS:
        _fail(report_id, _("The report could not be made after several attempts."))
        return "failed"
    from .document import make_pdf

    try:
        if settings.REPORT_RENDER_PAUSE:  # simulates a slow render in pipeline tests
            time.sleep(settings.REPORT_RENDER_PAUSE)
        rendered = make_pdf(report)
    except SoftTimeLimitExceeded:
        logger.warning("Report %s took too long and was stopped.", report_id)
        _fail(report_id, _("Making the report took too long. Try again later."))
        return "timeout"
    except Exception as exc:
        logger.exception("Report %s failed (attempt %s)", report_id, report.attempts)
        if (
            task.request.retries < task.max_retries
            and report.attempts < settings.REPORT_MAX_ATTEMPTS
        ):
            Report.objects.filter(pk=report_id).update(status=Report.Status.PENDING)
            raise task.retry(exc=exc, countdown=2**task.request.retries) from exc
        _fail(report_id, _("The report could not be made. The team has been told."))
        return "failed"
    digest = hashlib.sha256(rendered.content).hexdigest()
    name = f"autodiag-{report.company.public_id}-{report.number}.pdf"
    report.file.save(name, ContentFile(rendered.content), save=False)
    done = Report.objects.filter(
        pk=report_id, status=Report.Status.RUNNING, claimed_by=_me()
    ).update(
        status=Report.Status.READY,
        file=report.file.name,
        content_hash=digest,
        pages=rendered.pages,
        message="",
        finished_at=timezone.now(),
    )
    if not done:  # taken over meanwhile (we were presumed dead): keep theirs
        report.file.storage.delete(report.file.name)
        return "superseded"
    notify_ready(report_id)
    return "ready"


def notify_ready(report_id: int) -> None:
    report = Report.objects.select_related("requested_by", "company").get(pk=report_id)
    user = report.requested_by
    if user is None or not user.is_active:
        return
    with translation.override(user.preferred_language):
        context = {
            "report": report,
            "url": settings.SITE_URL + reverse("reports:report", args=[report.public_id]),
        }
        subject = render_to_string("reports/email/ready_subject.txt", context).strip()
        body = render_to_string("reports/email/ready.txt", context)
    send_mail(subject, body, None, [user.email])


def enqueue_report(report_id: int) -> bool:
    """Send the render task; False (and the row stays pending) when the broker is away."""
    try:
        render_report.delay(report_id)
    except Exception:  # the broker is unreachable: the sweeper will try again
        logger.warning("Broker unavailable: report %s stays pending", report_id, exc_info=True)
        return False
    Report.objects.filter(pk=report_id).update(enqueued_at=timezone.now())
    return True


@shared_task
def sweep_reports() -> int:
    """Enqueue requests the broker never got, and give stalled renders another go."""
    now = timezone.now()
    stale_running = Report.objects.filter(
        status=Report.Status.RUNNING, started_at__lt=now - _lease()
    )
    for report in stale_running:
        if report.attempts >= settings.REPORT_MAX_ATTEMPTS:
            _fail(report.pk, _("The report could not be made after several attempts."))
        else:
            Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING).update(
                status=Report.Status.PENDING, enqueued_at=None
            )
    waiting = Report.objects.filter(status=Report.Status.PENDING).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - _lease())
    )
    count = 0
    for report_id in waiting.values_list("pk", flat=True):
        count += enqueue_report(report_id)
    SweeperRun.record("sweep_reports", enqueued=count)  # shown on the operator's page
    return count


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notify_plan_validated(plan_id: int) -> int:
    """E-mail the company admins that an advisor validated their plan; once per validation
    (the task claims the plan's notice with a conditional UPDATE). Returns the e-mails sent."""
    from accounts.models import Membership

    from .models import ActionPlan

    if not _claim_notice(plan_id, "validation_notified_at"):
        return 0
    plan = ActionPlan.objects.select_related("company", "diagnostic", "validated_by").get(
        pk=plan_id
    )
    admins = [
        m.user
        for m in Membership.objects.admins()
        .filter(company_id=plan.company_id, user__is_active=True, user__erased_at__isnull=True)
        .select_related("user")
    ]
    url = settings.SITE_URL + reverse("reports:plan", args=[plan.diagnostic.public_id])
    for user in admins:
        with translation.override(user.preferred_language):
            context = {
                "plan": plan,
                "company": plan.company.name,
                "advisor": plan.validated_by.full_name if plan.validated_by else "",
                "url": url,
            }
            subject = render_to_string("reports/email/validated_subject.txt", context).strip()
            body = render_to_string("reports/email/validated.txt", context)
        send_mail(subject, body, None, [user.email])
    return len(admins)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notify_plan_changed(plan_id: int) -> int:
    """E-mail the advisor who validated a plan that it changed since; once per validation
    (claimed with a conditional UPDATE), and only while that advisor still follows the
    company. Returns the e-mails sent (0 or 1)."""
    from accounts.models import Company

    from .models import ActionPlan

    if not _claim_notice(plan_id, "change_notified_at", changed_since_validation_at__isnull=False):
        return 0
    plan = ActionPlan.objects.select_related(
        "company", "diagnostic", "validated_by", "changed_since_validation_by"
    ).get(pk=plan_id)
    advisor = plan.validated_by
    if (
        advisor is None
        or not advisor.is_active
        or advisor.erased_at is not None
        or not Company.objects.for_advisor(advisor).filter(pk=plan.company_id).exists()
    ):
        return 0
    by = plan.changed_since_validation_by
    with translation.override(advisor.preferred_language):
        context = {
            "company": plan.company.name,
            "validated": plan.validated_at,
            "changed": plan.changed_since_validation_at,
            "by": (by.full_name or by.email) if by else "",
            "url": settings.SITE_URL + reverse("advisors:review", args=[plan.diagnostic.public_id]),
        }
        subject = render_to_string("reports/email/changed_subject.txt", context).strip()
        body = render_to_string("reports/email/changed.txt", context)
    send_mail(subject, body, None, [advisor.email])
    return 1


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notify_advisors_of_submission(diagnostic_id: int) -> int:
    """E-mail the advisors who follow the company that it submitted a diagnostic, with the
    link to review it; once per diagnostic (claimed with a conditional UPDATE), never for a
    closed company. Returns the e-mails sent."""
    from diagnostics.models import Diagnostic, Questionnaire

    claimed = Diagnostic.objects.filter(
        pk=diagnostic_id,
        status=Diagnostic.Status.SUBMITTED,
        advisors_notified_at__isnull=True,
        company__closed_at__isnull=True,
    ).update(advisors_notified_at=timezone.now())
    if not claimed:
        logger.info(
            "Submission of diagnostic %s: advisors already told or nothing to tell.", diagnostic_id
        )
        return 0
    diagnostic = (
        Diagnostic.objects.select_related("company", "submitted_by")
        .defer("results")
        .get(pk=diagnostic_id)
    )
    questionnaire = Questionnaire.published(diagnostic.questionnaire_id)
    advisors = list(diagnostic.company.following_advisors())
    by = diagnostic.submitted_by
    url = settings.SITE_URL + reverse("advisors:review", args=[diagnostic.public_id])
    for advisor in advisors:
        with translation.override(advisor.preferred_language):
            context = {
                "company": diagnostic.company.name,
                "submitted": diagnostic.submitted_at,
                "by": (by.full_name or by.email) if by and by.erased_at is None else "",
                "questionnaire": str(questionnaire),
                "url": url,
            }
            subject = render_to_string("reports/email/submitted_subject.txt", context).strip()
            body = render_to_string("reports/email/submitted.txt", context)
        send_mail(subject, body, None, [advisor.email])
    return len(advisors)


def enqueue_submission_notice(diagnostic_id: int) -> bool:
    """The diagnostic is in the advisors' review queue either way: a broker away only
    costs the e-mail."""
    return _enqueue_notice(notify_advisors_of_submission, diagnostic_id)


def _claim_notice(plan_id: int, field: str, **conditions: Any) -> bool:
    """Claim a validated plan's notice once: a conditional UPDATE sets `field` where it is
    still empty (and the company open); False when another run took it or nothing is due."""
    from .models import ActionPlan

    claimed = ActionPlan.objects.filter(
        pk=plan_id,
        validated_at__isnull=False,
        company__closed_at__isnull=True,
        **{f"{field}__isnull": True},
        **conditions,
    ).update(**{field: timezone.now()})
    if not claimed:
        logger.info("Notice %s of plan %s: already sent or nothing to send.", field, plan_id)
    return bool(claimed)


def _enqueue_notice(task: Any, object_id: int) -> bool:
    """Send a notice task (a plan's or a diagnostic's); the broker being away only costs
    the e-mail."""
    try:
        task.delay(object_id)
    except Exception:
        logger.warning("Broker unavailable: %s of %s not sent", task.name, object_id, exc_info=True)
        return False
    return True


def enqueue_change_notice(plan_id: int) -> bool:
    return _enqueue_notice(notify_plan_changed, plan_id)


def enqueue_validation_notice(plan_id: int) -> bool:
    return _enqueue_notice(notify_plan_validated, plan_id)


# --- Funding request reminders ------------------------------------------------------------

# A line's request is due this many days before its target quarter starts: the OPCO must
# agree before the training does, and a month is the margin secondary sources advise
# (docs/funding.md, "Funding requests"); the exact deadline is the OPCO's.
REQUEST_NOTICE_DAYS = 30
# Reminders enqueued per daily run at most; any more go out the next day.
REQUEST_REMINDERS_PER_RUN = 1000


def due_quarters(today: date) -> list[str]:
    """The target quarters whose lines have their request due on `today`: the current one
    (started, not over), and the next one once it starts within REQUEST_NOTICE_DAYS."""
    return sorted({quarter_of(today), quarter_of(today + timedelta(days=REQUEST_NOTICE_DAYS))})


def _lines_awaiting_request(today: date) -> Any:
    """The accepted first-year lines planned for a quarter whose request is due, with no
    request filed and no reminder sent, of open companies."""
    return PlanItem.objects.filter(
        status=PlanItem.Status.ACCEPTED,
        horizon=PlanItem.Horizon.YEAR1,
        target_quarter__in=due_quarters(today),
        funding_requested_on__isnull=True,
        request_reminded_at__isnull=True,
        company__closed_at__isnull=True,
    )


@shared_task
def send_funding_request_reminders() -> int:
    """Enqueue one reminder per plan that has accepted first-year lines whose request is
    due and not filed, and that were not reminded yet; returns how many."""
    return _enqueue_per_plan(
        _lines_awaiting_request(timezone.localdate()),
        remind_funding_requests,
        REQUEST_REMINDERS_PER_RUN,
        "Funding request reminders",
    )


def _enqueue_per_plan(lines: Any, task: Any, limit: int, what: str) -> int:
    """Enqueue `task` once for each plan of `lines` (a PlanItem queryset), `limit` plans
    at most (any more go out on the next run); returns how many."""
    plans = list(lines.order_by("plan_id").values_list("plan_id", flat=True).distinct()[:limit])
    for plan_id in plans:
        task.delay(plan_id)
    if plans:
        logger.info("%s enqueued: %s", what, len(plans))
    return len(plans)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def remind_funding_requests(plan_id: int) -> int:
    """E-mail the company's administrators the plan's accepted lines whose funding request
    is due, once a line. Lines that no route funds are marked without being listed.
    Returns the e-mails sent."""
    today = timezone.localdate()
    return _remind_lines(
        plan_id,
        _lines_awaiting_request(today),
        mark={"request_reminded_at": timezone.now()},
        template="reports/email/requests",
        listed=lambda row: bool(row["best_route"] and row["best_route"]["eligible"]),
        anchor="",
        what="Funding request reminder",
    )


def _remind_lines(
    plan_id: int,
    lines: Any,
    *,
    mark: dict[str, Any],
    template: str,
    listed: Callable[[dict[str, Any]], bool],
    anchor: str,
    what: str,
) -> int:
    """E-mail the company's administrators, each in their language, the plan's `lines` (a
    PlanItem queryset) that `listed` keeps, with a link to the plan page (at `anchor`).
    The lines are locked and marked (`mark`) in the transaction that sends: a second
    delivery finds them taken, and a failed send rolls the mark back, so the retry sends
    again. Returns the e-mails sent."""
    from accounts.reminders import reminder_recipients, send_reminder
    from diagnostics.models import Questionnaire

    from .document import plan_rows
    from .models import ActionPlan

    with transaction.atomic():
        due = list(lines.select_for_update(of=("self",)).filter(plan_id=plan_id))
        if not due:
            logger.info("%s of plan %s: nothing due.", what, plan_id)
            return 0
        PlanItem.objects.filter(pk__in=[item.pk for item in due]).update(**mark)
        plan = (
            ActionPlan.objects.select_related("company", "diagnostic", "catalogue", "funding_rules")
            .defer("diagnostic__results", "catalogue__source", "funding_rules__source")
            .get(pk=plan_id)
        )
        plan.diagnostic.questionnaire = Questionnaire.published(plan.diagnostic.questionnaire_id)
        due_pks = {item.pk for item in due}
        lines_in: dict[str, list[dict[str, Any]]] = {}  # the lines to list, by language
        sent = 0
        for user in reminder_recipients(plan.company_id):
            language = user.preferred_language
            with translation.override(language):
                if language not in lines_in:
                    lines_in[language] = [
                        r
                        for r in plan_rows(plan, language, to_confirm=False)[0]
                        if r["pk"] in due_pks and listed(r)
                    ]
                if not lines_in[language]:
                    continue
                send_reminder(
                    user,
                    template,
                    {
                        "company": plan.company.name,
                        "lines": lines_in[language],
                        "url": settings.SITE_URL
                        + reverse("reports:plan", args=[plan.diagnostic.public_id])
                        + anchor,
                    },
                )
                sent += 1
    return sent


# --- Reminders of accepted lines whose quarter is over --------------------------------------

# A line still accepted this many days after its target quarter ended is reminded: time to
# mark done a training held in the quarter's last days.
OVERDUE_GRACE_DAYS = 14
OVERDUE_REMINDERS_PER_RUN = 1000


def _lines_past_quarter(today: date) -> Any:
    """The accepted lines of open companies whose target quarter ended OVERDUE_GRACE_DAYS
    or more before `today`, not yet reminded for that quarter."""
    return PlanItem.objects.filter(
        over_by(today - timedelta(days=OVERDUE_GRACE_DAYS)),
        status=PlanItem.Status.ACCEPTED,
        company__closed_at__isnull=True,
    ).exclude(overdue_reminded_for=F("target_quarter"))


@shared_task
def send_overdue_line_reminders() -> int:
    """Enqueue one reminder per plan that has accepted lines whose quarter is over and that
    were not reminded for it; returns how many."""
    return _enqueue_per_plan(
        _lines_past_quarter(timezone.localdate()),
        remind_overdue_lines,
        OVERDUE_REMINDERS_PER_RUN,
        "Reminders of lines past their quarter",
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def remind_overdue_lines(plan_id: int) -> int:
    """E-mail the company's administrators the plan's accepted lines whose target quarter
    is over: to mark each done, or give it a new quarter. Once a line and quarter.
    Returns the e-mails sent."""
    return _remind_lines(
        plan_id,
        _lines_past_quarter(timezone.localdate()),
        mark={"overdue_reminded_for": F("target_quarter")},
        template="reports/email/overdue",
        listed=lambda row: True,
        anchor="#overdue-lines",
        what="Reminder of lines past their quarter",
    )
