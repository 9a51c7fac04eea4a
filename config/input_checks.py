"""Refuses, for every form and endpoint, input the app cannot store or does not expect.

- A NUL character or a lone surrogate, anywhere in the path, the query string, the form
  fields or a JSON body: PostgreSQL cannot store either in a text or JSON
  column, so it would fail deep in a view with a server error.
- A file sent to a view that takes none: the view would see an empty field and store
  an empty answer.

Both answer 400 with a message in the user's language (JSON for script requests).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from config.errors import bad_request_response

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def accepts_files(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view that takes uploaded files; every other view refuses them."""
    view.accepts_files = True  # type: ignore[attr-defined]
    return view


def _has_unstorable(value: Any) -> bool:
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_unstorable(k) or _has_unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_unstorable(v) for v in value)
    return False


def _querydict_unstorable(data: Any) -> bool:
    return any(_has_unstorable(key) or _has_unstorable(data.getlist(key)) for key in data)


def _json_body(request: HttpRequest) -> Any:
    if request.content_type != "application/json" or not request.body:
        return None
    try:
        return json.loads(request.body)
    except ValueError:
        return None  # not ours to judge: the view answers a malformed body


class InputChecksMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Reading request.POST may raise RequestDataTooBig or TooManyFieldsSent: Django
        # turns them into our 400 page (config.errors.bad_request).
        if (
            _has_unstorable(request.path_info)
            or _querydict_unstorable(request.GET)
            or (request.method == "POST" and _querydict_unstorable(request.POST))
            or _has_unstorable(_json_body(request))
        ):
            return bad_request_response(
                request,
                _(
                    "What you sent contains a character that cannot be stored (a null "
                    "character or an invalid code point). Remove it and try again."
                ),
            )
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if (
            request.method == "POST"
            and request.FILES
            and not getattr(view_func, "accepts_files", False)
        ):
            return bad_request_response(
                request, _("This page does not accept files: send the answer as text.")
            )
        return None
