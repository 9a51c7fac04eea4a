"""Forms posted when they could not be saved (expired session, stale CSRF token).

A view decorated with `keeps_unsaved_post` marks its posted answer fields (`q-…`) as worth
keeping: they go into the session, and the page shows them again, unsaved, once the person
is back. The CSRF failure view uses the same mark, so it needs no knowledge of the view.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

UNSAVED_KEY = "unsaved:"
FIELD_PREFIX = "q-"


def keep_unsaved_post(request: HttpRequest) -> None:
    """Keep the posted answer fields in the session, keyed by the page's path."""
    data = {k: v for k, v in request.POST.lists() if k.startswith(FIELD_PREFIX)}
    if data:
        request.session[UNSAVED_KEY + request.path] = data


def pop_unsaved_post(request: HttpRequest) -> dict[str, list[str]] | None:
    """The fields kept for this page, once (they are removed from the session)."""
    return request.session.pop(UNSAVED_KEY + request.path, None)


def keeps_unsaved_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator: a POST that arrives logged out keeps its answer fields before the login
    redirect; `csrf_failure` keeps them too for views with this mark."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not request.user.is_authenticated:
            keep_unsaved_post(request)
        return view(request, *args, **kwargs)

    wrapper.keeps_unsaved_post = True  # type: ignore[attr-defined]
    return wrapper


def view_keeps_unsaved_post(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and getattr(match.func, "keeps_unsaved_post", False))
