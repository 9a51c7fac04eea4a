"""The language of the request, and numbers written the way its readers expect."""

from __future__ import annotations

from django.utils.translation import get_language


def current_language() -> str:
    """The two-letter code of the active language ("fr" when none is active)."""
    return (get_language() or "fr")[:2]
