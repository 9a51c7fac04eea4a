"""Database outages answer 503 "try again" (a page, or JSON for the autosave), not 500.

The page is rendered without the request context (which would query the database again)
and shows the request id. The outage is logged as an error at most once a minute per
process, so that the admins are told without being flooded.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from config.logs import request_id

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest

logger = logging.getLogger("autodiag.outage")
DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
_ALERT_INTERVAL = 60.0
_last_alert = -_ALERT_INTERVAL


def wants_json(request: HttpRequest) -> bool:
    """The autosave endpoint, and requests that ask for JSON rather than a page."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == "diagnostics:autosave":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    global _last_alert
    now = time.monotonic()
    level = logging.ERROR if now - _last_alert >= _ALERT_INTERVAL else logging.WARNING
    if level == logging.ERROR:
        _last_alert = now
    logger.log(
        level,
        "Database unavailable: %s %s answered 503 (%s)",
        request.method,
        request.path,
        exc.__class__.__name__,
        exc_info=level == logging.ERROR,
    )
    rid = getattr(request, "request_id", request_id.get())
    message = _("The service is briefly unavailable. Please try again in a moment.")
    if wants_json(request):
        response: HttpResponse = JsonResponse(
            {"status": "unavailable", "error": message, "request_id": rid}, status=503
        )
    else:
        response = HttpResponse(
            render_to_string("503.html", {"message": message, "request_id": rid}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # logged above, throttled: not once more as an error
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database connection error raised by a view into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, DATABASE_ERRORS):
            return unavailable_response(request, exc)
        return None
