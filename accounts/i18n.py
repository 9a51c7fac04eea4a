"""The language of the request, and numbers written the way its readers expect."""

from __future__ import annotations

import re

from django.utils.translation import get_language

# A plan line's target quarter as stored and typed in the plan's form: "2027-T1".
STORED_QUARTER = re.compile(r"(\d{4})-T([1-4])")


def current_language() -> str:
    """The two-letter code of the active language ("fr" when none is active)."""
    return (get_language() or "fr")[:2]


def display_quarter(value: str, language: str) -> str:
    """A stored target quarter as readers of `language` write it: "2027-T1" (trimestre)
    in French, "2027-Q1" in English; anything else (empty, a horizon) as it is."""
    match = STORED_QUARTER.fullmatch(value or "")
    if match is None or language == "fr":
        return value
    return f"{match[1]}-Q{match[2]}"
