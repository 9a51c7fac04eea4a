"""A plan line's target quarter, as plans store it ("2027-T1"), against the calendar."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from accounts.i18n import STORED_QUARTER


def quarter_of(day: date) -> str:
    """The target quarter a day falls in, written as the plan page writes it: "2027-T1"."""
    return f"{day.year}-T{(day.month - 1) // 3 + 1}"


def is_past(quarter: str, today: date) -> bool:
    """Whether a stored target quarter ended before `today`: "2026-T4" from 1 January 2027
    on. False for anything that is not a quarter (empty, a horizon)."""
    return STORED_QUARTER.fullmatch(quarter or "") is not None and quarter < quarter_of(today)


def over_by(today: date, field: str = "target_quarter") -> Q:
    """A plan line whose target quarter ended before `today`, as a filter: a stored quarter
    ("2026-T4", the only form the plan's form accepts) sorts as its text; an
    empty one is no quarter."""
    return Q(**{f"{field}__gt": "", f"{field}__lt": quarter_of(today)})
