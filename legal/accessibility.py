"""The accessibility statement's conformity status (RGAA), from the last audit.

The rules (article 47 of loi n° 2005-102 and décret n° 2019-768; summed up by the
Fédération des aveugles de France's observatory,
https://observatoire-access-num.aveuglesdefrance.org/quest-ce-declaration-accessibilite):
- "totalement conforme" when every RGAA criterion is met;
- "partiellement conforme" when at least 50 % are;
- "non conforme" when fewer are, or when no audit result is still valid. A statement is
  renewed three years after it was published, so an older audit no longer counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

VALIDITY_YEARS = 3
PARTIAL_FROM = 50  # % of the RGAA criteria met


class Conformity(models.TextChoices):
    FULL = "full", _("fully compliant")
    PARTIAL = "partial", _("partially compliant")
    NONE = "none", _("not compliant")


@dataclass(frozen=True)
class Audit:
    day: date | None
    rate: int | None  # % of the criteria met
    auditor: str = ""

    def valid_until(self) -> date | None:
        if self.day is None:
            return None
        try:
            return self.day.replace(year=self.day.year + VALIDITY_YEARS)
        except ValueError:  # 29 February
            return self.day.replace(year=self.day.year + VALIDITY_YEARS, day=28)

    def is_valid(self, today: date) -> bool:
        """An audit with its rate, done by today, and less than three years old."""
        until = self.valid_until()
        return (
            until is not None
            and self.rate is not None
            and 0 <= self.rate <= 100
            and self.day <= today < until
        )


def conformity(audit: Audit, today: date) -> Conformity:
    if not audit.is_valid(today):
        return Conformity.NONE
    if audit.rate == 100:
        return Conformity.FULL
    if audit.rate >= PARTIAL_FROM:
        return Conformity.PARTIAL
    return Conformity.NONE
