"""Fixtures shared by the tests of plans and their funding."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.models import ActionPlan, FundingRules
from tests.factories import add_plan_line

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def large(funding_rules, submitted):
    """The submitted diagnostic of a company of 250 to 499 employees, whose plan has a
    third line: two lines (A-ONE-01, A-ONE-02) are funded first by the plan's funds, which
    such a company does not get; the third (B-TWO-01) only by the CPF, for certifying
    training, which it is not."""
    type(submitted).objects.filter(pk=submitted.pk).update(headcount_band="250_499")
    add_plan_line(ActionPlan.objects.get(diagnostic=submitted), "A-ONE-02", "A.ONE", people=2)
    submitted.refresh_from_db()
    return submitted


@pytest.fixture
def large_v3(large):
    """The same company under the funding rules version 3, whose skills development plan
    rule says what a company of 50 employees or more may use instead of the pooled funds."""
    rules, _ = FundingRules.publish(
        text=(ROOT / "reports/funding/funding-2026-v3.yaml").read_text()
    )
    ActionPlan.objects.filter(diagnostic=large).update(funding_rules=rules)
    return large
