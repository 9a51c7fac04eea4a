"""Demo diagnostics for `make run`: last year's submitted diagnostic of the demo company and
one in progress, with invented answers. Running it again changes nothing."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Company, Membership
from diagnostics import services
from diagnostics.forms import latest_questionnaires
from diagnostics.models import Diagnostic
from diagnostics.scoring import AnswerValue
from reports import services as report_services
from reports.models import ActionPlan, PlanItem
from reports.quarters import quarter_of

DEMO_SIRET = "90187654300017"


def _random_answer(question: Any, rng: random.Random, shift: int) -> AnswerValue:
    if question.dont_know and rng.random() < 0.06:
        return AnswerValue(None, dont_know=True)
    kind = question.kind
    if kind == "maturity":
        return AnswerValue(max(0, min(4, rng.choice([1, 1, 2, 2, 2, 3, 3, 4]) + shift)))
    if kind == "single":
        return AnswerValue(rng.choice(question.choices).code)
    if kind == "multiple":
        codes = [c.code for c in question.choices if (c.level or 0) > 0]
        return AnswerValue(rng.sample(codes, k=min(len(codes), rng.randint(1, 3))))
    if kind == "yesno":
        return AnswerValue(rng.choice(["yes", "no"]))
    if kind == "number":
        return AnswerValue(round(rng.uniform(question.min, question.max)))
    return AnswerValue("Former les nouveaux arrivants aux bases du métier.")


def _follow_up(diagnostic: Diagnostic) -> None:
    """The company has accepted the first three lines of its first 12 months for the coming
    quarter and filed the funding request of one of them (what the plan page, the home
    page, the portfolio and the reminder show)."""
    plan = ActionPlan.objects.get(diagnostic=diagnostic)
    lines = list(
        PlanItem.objects.filter(plan=plan, horizon=PlanItem.Horizon.YEAR1).order_by("position")[:3]
    )
    today = timezone.localdate()
    quarter = quarter_of(today + timedelta(days=20))
    changes = {
        item.pk: {"status": PlanItem.Status.ACCEPTED, "target_quarter": quarter} for item in lines
    }
    if lines:
        changes[lines[0].pk].update(
            funding_requested_on=today - timedelta(days=10), funding_reference="DEMO-2026-0001"
        )
    report_services.update_plan_items(plan=plan, changes=changes)


class Command(BaseCommand):
    help = "Create the demo company's diagnostics (needs seed_demo and load_questionnaire)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is not loaded in production.")
        company = Company.objects.filter(siret=DEMO_SIRET).first()
        questionnaire = latest_questionnaires().filter(key="competences-industrie").first()
        if company is None or questionnaire is None:
            raise CommandError("Run seed_demo and load_questionnaire first.")
        if Diagnostic.objects.filter(company=company).exists():
            return
        admin = Membership.objects.get(company=company, role=Membership.Role.ADMIN)
        rng = random.Random(2026)  # noqa: S311 - demo data, not security
        last_year = services.start_diagnostic(
            membership=admin, questionnaire=questionnaire, mode=Diagnostic.Mode.COLLECTIVE
        )
        for question in questionnaire.spec.questions():
            services.save_answer(
                diagnostic=last_year,
                question_code=question.code,
                answer=_random_answer(question, rng, shift=-1),
                user=admin.user,
                base_version=0,
            )
        report_services.submit(diagnostic=last_year, user=admin.user, notify_advisors=False)
        _follow_up(last_year)
        year_ago = timezone.now() - timedelta(days=365)
        Diagnostic.objects.filter(pk=last_year.pk).update(
            created_at=year_ago, submitted_at=year_ago
        )
        current = services.start_diagnostic(
            membership=admin, questionnaire=questionnaire, mode=Diagnostic.Mode.INDIVIDUAL
        )
        members = list(Membership.objects.filter(company=company).select_related("user"))
        for index, membership in enumerate(members):
            for question in list(questionnaire.spec.questions())[:30]:
                services.save_answer(
                    diagnostic=current,
                    question_code=question.code,
                    answer=_random_answer(question, rng, shift=index),
                    user=membership.user,
                    base_version=0,
                )
        self.stdout.write("Demo diagnostics: one submitted a year ago, one in progress.")
