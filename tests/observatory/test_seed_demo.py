"""The demo companies: invented, idempotent, with real plans and figures."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import Company, User
from diagnostics.models import Diagnostic
from observatory.models import PlanLineFact
from reports.document import YEAR1_FIELDS, year1_figures
from reports.models import ActionPlan, PlanItem


@pytest.fixture
def demo_base(db):
    # The shipped content, as make run loads it.
    call_command("load_questionnaire", stdout=io.StringIO())
    call_command("load_catalogue", stdout=io.StringIO())
    call_command("load_funding", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.quality("G5")
def test_demo_companies_are_invented_and_seeded_once(demo_base):
    call_command("seed_demo_companies", "--count", "4", stdout=io.StringIO())
    companies = Company.objects.filter(siret__startswith="9020")
    assert companies.count() == 4
    assert all(u.endswith("@demo.example") for u in User.objects.values_list("email", flat=True))
    assert Diagnostic.objects.filter(status="submitted", company__in=companies).count() == 4
    assert PlanItem.objects.filter(company__in=companies).exists()
    assert PlanLineFact.objects.exists()  # the observatory was refreshed
    advisor = User.objects.get(email="sophie.bernard@demo.example")
    assert advisor.portfolio.filter(siret__startswith="9020").exists()
    call_command("seed_demo_companies", "--count", "4", stdout=io.StringIO())
    assert Company.objects.filter(siret__startswith="9020").count() == 4
    assert Diagnostic.objects.filter(company__in=companies).count() == 4


def test_the_demo_plans_keep_the_figures_of_their_lines(demo_base):
    """Some lines are accepted, postponed or dropped after the plan is made: the figures
    the portfolio and the home page read are those of the lines as they end up."""
    call_command("seed_demo_companies", "--count", "4", stdout=io.StringIO())
    plans = ActionPlan.objects.filter(company__siret__startswith="9020")
    assert PlanItem.objects.filter(plan__in=plans).exclude(status="proposed").exists()
    for plan in plans.select_related("catalogue", "funding_rules", "diagnostic", "company"):
        items = PlanItem.objects.filter(plan=plan).select_related("action")
        kept = {field: getattr(plan, field) for field in YEAR1_FIELDS}
        assert kept == year1_figures(plan, items)


def test_seeding_the_demo_tells_no_advisor(
    demo_base, django_capture_on_commit_callbacks, monkeypatch
):
    """The demo's submissions are dated in the past: not news for its advisor's inbox."""
    sent = []
    monkeypatch.setattr(
        "reports.tasks.notify_advisors_of_submission.delay", lambda pk: sent.append(pk)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo_diagnostics", stdout=io.StringIO())
        call_command("seed_demo_companies", "--count", "3", stdout=io.StringIO())
    assert Diagnostic.objects.filter(status="submitted").count() >= 4
    assert sent == []
