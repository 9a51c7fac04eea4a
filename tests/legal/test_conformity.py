"""The accessibility statement's status: what the RGAA rules give for an audit."""

from __future__ import annotations

from datetime import date

import pytest

from legal.accessibility import Audit, Conformity, conformity

TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("audit", "expected"),
    [
        (Audit(day=None, rate=None), Conformity.NONE),  # no audit at all
        (Audit(day=date(2026, 3, 1), rate=100), Conformity.FULL),
        (Audit(day=date(2026, 3, 1), rate=99), Conformity.PARTIAL),
        (Audit(day=date(2026, 3, 1), rate=50), Conformity.PARTIAL),
        (Audit(day=date(2026, 3, 1), rate=49), Conformity.NONE),
        (Audit(day=date(2026, 3, 1), rate=0), Conformity.NONE),
        (Audit(day=date(2023, 12, 6), rate=100), Conformity.FULL),  # three years less a day
        (Audit(day=date(2023, 12, 5), rate=100), Conformity.NONE),  # three years: expired
        (Audit(day=date(2026, 12, 6), rate=100), Conformity.NONE),  # not done yet
        (Audit(day=date(2026, 3, 1), rate=None), Conformity.NONE),  # a day without a rate
        (Audit(day=date(2026, 3, 1), rate=101), Conformity.NONE),  # an impossible rate
    ],
)
def test_conformity_follows_the_last_valid_audit(audit, expected):
    assert conformity(audit, TODAY) is expected


def test_an_audit_of_29_february_lasts_until_28_february_three_years_on():
    audit = Audit(day=date(2024, 2, 29), rate=80)
    assert audit.valid_until() == date(2027, 2, 28)
    assert conformity(audit, date(2027, 2, 27)) is Conformity.PARTIAL
    assert conformity(audit, date(2027, 2, 28)) is Conformity.NONE
