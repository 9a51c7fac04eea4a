from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.functional import SimpleLazyObject

from .access import current_membership

if TYPE_CHECKING:
    from django.http import HttpRequest


def current_company(request: HttpRequest) -> dict[str, Any]:
    """The current membership and the user's other companies, evaluated only if used."""

    def memberships() -> list[Any]:
        current_membership(request)
        return getattr(request, "_memberships", [])

    return {
        "current_membership": SimpleLazyObject(lambda: current_membership(request)),
        "user_memberships": SimpleLazyObject(memberships),
    }
