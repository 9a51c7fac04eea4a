"""What the company's home page shows (read model): where the company stands, what to do
next, and its progress over the submitted diagnostics. Nothing here writes.

The number of queries does not grow with the number of past diagnostics: the history is
read in two queries (advisors.history.score_history), the last two diagnostics in one."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.i18n import display_quarter
from accounts.models import Membership
from advisors.history import history_chart, score_history
from diagnostics.answering import draft_answers, progress
from diagnostics.definition import tr
from diagnostics.models import Diagnostic, Questionnaire
from diagnostics.results import change_as_shown
from diagnostics.scoring import Results
from reports.document import rules_out_of_date
from reports.models import ActionPlan, PlanItem, Report
from reports.quarters import is_past, over_by
from reports.services import is_outdated

from . import next_steps as steps

if TYPE_CHECKING:
    from accounts.models import Company, User

GAPS_SHOWN = 3


def home_context(membership: Membership, user: User, language: str) -> dict[str, Any]:
    company = membership.company
    today = timezone.localdate()
    people = dict(
        Membership.objects.filter(company=company)
        .order_by("user__full_name", "user_id")
        .values_list("user_id", "user__full_name")
    )
    draft = _draft(company.pk, user, people)
    history = score_history(company, language)
    submitted = history["submitted"]
    latest = _latest(submitted, language)
    plan = _plan(latest["diagnostic"], today) if latest else None
    pdf = _pdf(latest["diagnostic"]) if latest and plan else None
    earlier = _earlier_lines(company.pk, latest["diagnostic"], language, today) if latest else []
    members = len(people)
    situation = steps.Situation(
        is_admin=membership.is_admin,
        today=today,
        reassess_after_days=settings.REASSESSMENT_AFTER_DAYS,
        members=members,
        draft=draft is not None,
        answered=draft["answered"] if draft else 0,
        visible=draft["visible"] if draft else 0,
        to_confirm=draft["to_confirm"] if draft else 0,
        last_submitted_on=timezone.localdate(submitted[-1].submitted_at) if submitted else None,
        has_plan=plan is not None,
        proposed_lines=plan["proposed"] if plan else 0,
        accepted_lines=plan["accepted"] if plan else 0,
        overdue_lines=plan["overdue"] if plan else 0,
        requests_to_file=plan["requests_to_file"] if plan else 0,
        pdf=pdf["state"] if pdf else "none",
    )
    return {
        "membership": membership,
        "company": company,
        "show_advisors": True,
        "company_advisors": _advisors(company),
        "draft": draft,
        "latest": latest,
        "plan": plan,
        "earlier_lines": earlier,
        "pdf": pdf,
        "steps": [
            _step(code, draft=draft, latest=latest, plan=plan)
            for code in steps.next_steps(situation)
        ],
        "history": history,
        "domain_rows": [
            {**row, "done": latest["done_between"].get(row["code"], []) if latest else []}
            for row in history["domains"]
        ],
        "chart": history_chart(
            history,
            title=_("Overall index and score per domain over the diagnostics"),
            overall_label=_("Overall index"),
        ),
        "competencies": latest["competencies"] if latest else [],
    }


def _advisors(company: Company) -> list[dict[str, str]]:
    """The skills operator's advisors who follow the company, to write to. One query."""
    return list(company.following_advisors().values("full_name", "email"))


def _draft(company_id: int, user: User, people: dict[int, str]) -> dict[str, Any] | None:
    """The diagnostic in progress (the latest started): the user's progress in it, the
    copied answers still to confirm, and who has answered what (each respondent's progress
    when each answers for themselves, the answers each person gave to the shared set)."""
    diagnostic = (
        Diagnostic.objects.filter(company_id=company_id, status=Diagnostic.Status.DRAFT)
        .defer("results")
        .order_by("-created_at", "-pk")
        .first()
    )
    if diagnostic is None:
        return None
    diagnostic.questionnaire = Questionnaire.published(diagnostic.questionnaire_id)
    found = draft_answers(diagnostic)
    sets, unconfirmed = found.sets, found.to_confirm
    given: dict[int | None, int] = {}
    for by_id, _code in found.given:
        if by_id is not None:
            given[by_id] = given.get(by_id, 0) + 1
    own = user.pk if diagnostic.is_individual else None
    total = progress(diagnostic, sets.get(own, {}), unconfirmed.get(own, set()))["total"]
    if diagnostic.is_individual:
        respondents = [
            {"name": name, **progress(diagnostic, sets.get(pk, {}))["total"]}
            for pk, name in people.items()
        ]
    else:
        respondents = [
            {"name": name, "given": given[pk]} for pk, name in people.items() if pk in given
        ]
    return {"diagnostic": diagnostic, **total, "respondents": respondents}


def _latest(submitted: list[Diagnostic], language: str) -> dict[str, Any] | None:
    """The last submitted diagnostic; when its scores rest on enough known answers, its
    overall index and largest gaps, and each competency's level in it and in the last such
    diagnostic before it (one with too few known answers is left out, as in the chart)."""
    if not submitted:
        return None
    earlier = (
        [d for d in submitted[:-1] if d.scores_reliable] if submitted[-1].scores_reliable else []
    )
    ids = [d.pk for d in earlier[-1:]] + [submitted[-1].pk]
    full = {d.pk: d for d in Diagnostic.objects.filter(pk__in=ids)}
    last = full[ids[-1]]
    last.questionnaire = Questionnaire.published(last.questionnaire_id)
    spec = last.questionnaire.spec
    titles = {c.code: tr(c.title, language) for c in spec.competencies()}
    now = Results.from_dict(last.results["results"])
    before = Results.from_dict(full[ids[0]].results["results"]) if len(ids) == 2 else None
    competencies = []
    if before is not None:
        for code, title in titles.items():
            then_result, now_result = before.competency(code), now.competency(code)
            then_level = then_result.level if then_result else None
            now_level = now_result.level if now_result else None
            competencies.append(
                {
                    "title": title,
                    "then": then_level,
                    "now": now_level,
                    "delta": change_as_shown(then_level, now_level, places=1),
                }
            )
    return {
        "diagnostic": last,
        "done_between": _done_between(full[ids[0]], last, language) if before else {},
        # As on the results page: no index and no gaps without enough known answers.
        "reliable": now.reliable,
        "overall": now.overall_score if now.reliable else None,
        "gaps": [titles.get(c.code, c.code) for c in now.ranked_gaps()[:GAPS_SHOWN]]
        if now.reliable
        else [],
        "previous": full[ids[0]] if before is not None else None,
        "competencies": competencies,
    }


def _done_between(before: Diagnostic, last: Diagnostic, language: str) -> dict[str, list[str]]:
    """The plan lines marked done between two diagnostics, by code of each domain they
    served (a line serving two domains is listed beside both)."""
    spec = last.questionnaire.spec
    domain_of = {c.code: c.domain for c in spec.competencies()}
    done: dict[str, list[str]] = {}
    for item in (
        PlanItem.objects.filter(
            company_id=last.company_id,
            status=PlanItem.Status.DONE,
            done_at__gt=before.submitted_at,
            done_at__lte=last.submitted_at,
        )
        .select_related("action")
        .only("competencies", "competency_code", "action__title")
        .order_by("done_at", "pk")
    ):
        title = tr(item.action.title, language)
        domains = {
            domain_of[c] for c in item.competencies or [item.competency_code] if c in domain_of
        }
        for code in sorted(domains):
            done.setdefault(code, []).append(title)
    return done


def _plan(diagnostic: Diagnostic, today: date) -> dict[str, Any] | None:
    """The plan's lines by status (and the accepted ones whose target quarter is over by
    `today`), its first-year figures, the advisor's validation and the funding requests
    still to file."""
    plan = (
        ActionPlan.objects.filter(diagnostic=diagnostic)
        .select_related("validated_by", "funding_rules")
        .defer("funding_rules__definition", "funding_rules__source")  # parsed once per process
        .first()
    )
    if plan is None:
        return None
    by_status = list(
        PlanItem.objects.filter(plan=plan)
        .values_list("status")
        .annotate(n=Count("pk"), over=Count("pk", filter=over_by(today)))
        .order_by()
        .values_list("status", "n", "over")
    )
    counts = {status: n for status, n, _over in by_status}
    overdue = sum(over for status, _n, over in by_status if status == PlanItem.Status.ACCEPTED)
    return {
        "plan": plan,
        # Kept on the plan with its first-year figures (refresh_plan_figures --missing, run
        # at start-up, fills it for plans made before).
        "requests_to_file": plan.year1_requests_to_file or 0,
        "proposed": counts.get(PlanItem.Status.PROPOSED, 0),
        "accepted": counts.get(PlanItem.Status.ACCEPTED, 0),
        "overdue": overdue,
        "done": counts.get(PlanItem.Status.DONE, 0),
        "dropped": counts.get(PlanItem.Status.DROPPED, 0),
        "postponed": counts.get(PlanItem.Status.POSTPONED, 0),
        "validated": plan.is_validated,
        "changed_since_validation": plan.changed_since_validation,
        "advisor": plan.validated_by,
        "rules_out_of_date": rules_out_of_date(plan),  # the figures are to be confirmed
    }


def _earlier_lines(
    company_id: int, latest: Diagnostic, language: str, today: date
) -> list[dict[str, Any]]:
    """The trainings accepted in the plans of earlier diagnostics and not done yet: the
    company committed to them, and may have filed their funding request, but the latest
    plan, made from the new answers, does not show them. One query."""
    rows = (
        PlanItem.objects.filter(company_id=company_id, status=PlanItem.Status.ACCEPTED)
        .exclude(plan__diagnostic_id=latest.pk)
        .order_by("target_quarter", "plan__diagnostic__submitted_at", "position")
        .values(
            "action__title",
            "target_quarter",
            "funding_requested_on",
            "funding_reference",
            "plan__diagnostic__public_id",
            "plan__diagnostic__submitted_at",
        )
    )
    return [
        {
            "title": tr(row["action__title"], language),
            "quarter": display_quarter(row["target_quarter"], language),
            "overdue": is_past(row["target_quarter"], today),
            "requested_on": row["funding_requested_on"],
            "reference": row["funding_reference"],
            "diagnostic": row["plan__diagnostic__public_id"],
            "submitted_at": row["plan__diagnostic__submitted_at"],
        }
        for row in rows
    ]


def _pdf(diagnostic: Diagnostic) -> dict[str, Any]:
    """The latest ready PDF of the diagnostic, whether it is out of date, and whether a
    newer one is being made."""
    reports = list(
        Report.objects.filter(diagnostic=diagnostic)
        .defer("message", "claimed_by")
        .order_by("-number")[:20]
    )
    ready = next((r for r in reports if r.is_ready), None)
    pending = next((r for r in reports if r.in_progress), None)
    if ready is not None:
        ready.diagnostic = diagnostic
    outdated = ready is not None and is_outdated(ready)
    if pending is not None and (ready is None or pending.number > ready.number):
        state = "pending"
    elif ready is None:
        state = "none"
    else:
        state = "outdated" if outdated else "current"
    return {"ready": ready, "pending": pending, "outdated": outdated, "state": state}


def _step(
    code: str,
    *,
    draft: dict[str, Any] | None,
    latest: dict[str, Any] | None,
    plan: dict[str, Any] | None,
) -> dict[str, Any]:
    """A next step as the page shows it: a label, and where to go (or what to post)."""
    method = "get"
    if code == steps.CONTINUE:
        label = _("Continue the diagnostic (%(answered)s of %(visible)s questions answered)") % {
            "answered": draft["answered"],
            "visible": draft["visible"],
        }
        url = reverse("diagnostics:overview", args=[draft["diagnostic"].public_id])
    elif code == steps.CONFIRM:
        label = ngettext(
            "Confirm or change the %(count)s answer copied from the previous diagnostic",
            "Confirm or change the %(count)s answers copied from the previous diagnostic",
            draft["to_confirm"],
        ) % {"count": draft["to_confirm"]}
        url = reverse("diagnostics:overview", args=[draft["diagnostic"].public_id])
    elif code == steps.SUBMIT:
        label = _("Submit the diagnostic")
        url = reverse("diagnostics:confirm_submit", args=[draft["diagnostic"].public_id])
    elif code == steps.START:
        label = _("Start your first diagnostic")
        url = reverse("diagnostics:list")
    elif code == steps.INVITE:
        label = _("Invite your colleagues to answer with you")
        url = reverse("accounts:members")
    elif code == steps.REVIEW_LINES:
        label = ngettext(
            "Accept or drop the %(count)s proposed line of the action plan",
            "Accept or drop the %(count)s proposed lines of the action plan",
            plan["proposed"],
        ) % {"count": plan["proposed"]}
        url = reverse("reports:plan", args=[latest["diagnostic"].public_id])
    elif code == steps.FILE_REQUESTS:
        label = ngettext(
            "File the funding request of the accepted line with your OPCO, before the "
            "training starts",
            "File the funding requests of the %(count)s accepted lines with your OPCO, "
            "before each training starts",
            plan["requests_to_file"],
        ) % {"count": plan["requests_to_file"]}
        url = reverse("reports:plan", args=[latest["diagnostic"].public_id])
    elif code == steps.OVERDUE:
        label = ngettext(
            "Mark done, or plan again, the accepted line whose quarter is over",
            "Mark done, or plan again, the %(count)s accepted lines whose quarter is over",
            plan["overdue"],
        ) % {"count": plan["overdue"]}
        url = reverse("reports:plan", args=[latest["diagnostic"].public_id]) + "#overdue-lines"
    elif code == steps.MARK_DONE:
        upcoming = plan["accepted"] - plan["overdue"]
        label = ngettext(
            "Mark the accepted line done once the training is over",
            "Mark the %(count)s accepted lines done once the trainings are over",
            upcoming,
        ) % {"count": upcoming}
        url = reverse("reports:plan", args=[latest["diagnostic"].public_id])
    elif code == steps.REQUEST_PDF:
        label = _("Request the PDF report")
        url = reverse("reports:request", args=[latest["diagnostic"].public_id])
        method = "post"
    else:  # steps.REASSESS
        label = _("Start a re-assessment, a year after the last diagnostic")
        url = reverse("diagnostics:list")
    return {"code": code, "label": label, "url": url, "method": method}
