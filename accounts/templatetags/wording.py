"""Wording the translations alone cannot give.

French elision of a name put after "de": `{{ sentence|elided }}`, `elide(text)`.

French writes "de" as "d’" before a word that starts with a vowel sound: "Résultats
d’Atelier Martin", "Rôle d’Isabelle Roux". A translation has "de %(company)s" and cannot
know the name; the sentences that put a company's or a person's name after "de" go through
`elide` once formatted (in a template, `{% blocktranslate … asvar x %}` then `{{ x|elided }}`).
Their translations already elide their own words, so what is left to elide is the name.

Before H and Y the rule depends on the word ("de Hutchinson" but "d’Hélène", "de Yoplait"
but "d’Yves"): those stay as they are, which is right for most company names. Nothing
changes in another language.
"""

from __future__ import annotations

import re
from datetime import datetime

from django import template
from django.utils.timesince import timesince
from django.utils.translation import get_language, npgettext_lazy

register = template.Library()

_DE_BEFORE_VOWEL = re.compile(r"\b([Dd])e (?=[AEIOUaeiouÀÂÆÉÈÊËÎÏÔŒÙÛÜàâæéèêëîïôœùûü])")


def elide(text: str, language: str | None = None) -> str:
    """`text` with "de " written "d’" before a vowel, when `language` (by default the
    current one) is French."""
    if not (language or get_language() or "").startswith("fr"):
        return text
    return _DE_BEFORE_VOWEL.sub("\\1’", text)


@register.filter(is_safe=True)
def elided(text: str) -> str:
    return elide(text)


# Durations as `timesince` writes them, worded in our own catalogue: Django's French says
# "1 année" but "2 ans"; ours says "1 an, 7 mois".
SINCE_STRINGS = {
    "year": npgettext_lazy("time elapsed", "%(num)d year", "%(num)d years", "num"),
    "month": npgettext_lazy("time elapsed", "%(num)d month", "%(num)d months", "num"),
    "week": npgettext_lazy("time elapsed", "%(num)d week", "%(num)d weeks", "num"),
    "day": npgettext_lazy("time elapsed", "%(num)d day", "%(num)d days", "num"),
    "hour": npgettext_lazy("time elapsed", "%(num)d hour", "%(num)d hours", "num"),
    "minute": npgettext_lazy("time elapsed", "%(num)d minute", "%(num)d minutes", "num"),
}


@register.filter(is_safe=False)
def since(value: datetime | None, now: datetime | None = None) -> str:
    """`{{ when|since }}` or `{{ when|since:now }}`: the time elapsed, as Django's
    `timesince` filter gives it ("1 year, 7 months"), in our wording; "" for no date."""
    if not value:
        return ""
    try:
        return timesince(value, now, time_strings=SINCE_STRINGS)
    except (ValueError, TypeError):
        return ""
