"""`{% diagnostic_rows diagnostics answer_links=True %}`: the rows of a diagnostics table,
built in Python (see `diagnostics.tables`)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from diagnostics.tables import diagnostic_rows as _diagnostic_rows

register = template.Library()


@register.simple_tag
def diagnostic_rows(diagnostics: Iterable, answer_links: bool = False) -> SafeString:
    return _diagnostic_rows(diagnostics, answer_links=bool(answer_links))
