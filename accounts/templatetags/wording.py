"""French elision of a name put after "de": `{{ sentence|elided }}`, `elide(text)`.

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

from django import template
from django.utils.translation import get_language

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
