"""The demo company's plan, as `make run` loads it: a follow-up under way to look at."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.utils import timezone

from reports.models import ActionPlan, PlanItem
from reports.tasks import due_quarters


def test_the_demo_plan_has_accepted_lines_and_a_request_filed(db):
    for command in ("load_questionnaire", "load_catalogue", "load_funding", "seed_demo"):
        call_command(command, stdout=io.StringIO(), verbosity=0)
    call_command("seed_demo_diagnostics", stdout=io.StringIO())
    plan = ActionPlan.objects.get(diagnostic__status="submitted")
    accepted = list(PlanItem.objects.filter(plan=plan, status="accepted"))
    assert len(accepted) == 3
    assert {item.target_quarter for item in accepted} <= set(due_quarters(timezone.localdate()))
    assert [i.funding_reference for i in accepted if i.funding_requested_on] == ["DEMO-2026-0001"]
    assert plan.year1_requests_to_file is not None
    assert plan.year1_requests_to_file <= 2
    call_command("seed_demo_diagnostics", stdout=io.StringIO())  # again: nothing changes
    assert PlanItem.objects.filter(plan=plan, status="accepted").count() == 3
