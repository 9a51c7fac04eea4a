"""Our own error pages, in the user's language, without a stack trace.

Django's default 400 and 500 views render their template without the request, so the
pages would lose the layout and the language; these render them like any other page.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.http import JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The exception text is Django's (English, technical): never shown.
    return bad_request_response(request)


def bad_request_response(request: HttpRequest, message: str = "") -> HttpResponse:
    """A 400 with a message for the user: JSON for script requests, a page otherwise."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {"status": "invalid", "error": message or _("The request could not be read.")},
            status=400,
        )
    return render(request, "400.html", {"message": message}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"exception": exception or ""}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without context processors: the database may be what failed."""
    from django.http import HttpResponseServerError

    return HttpResponseServerError(loader.get_template("500.html").render())
