"""Makes the request being served known to audit.record, and records access denials on
URLs that name an object (a 404 or 403 there may be someone probing another company)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Action
from .services import current_request, record

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if not isinstance(exception, Http404 | PermissionDenied):
            return
        match = request.resolver_match
        if match is None or "public_id" not in match.kwargs or not request.user.is_authenticated:
            return
        record(
            Action.ACCESS_DENIED,
            request=request,
            target=match.view_name,
            detail={
                "status": 404 if isinstance(exception, Http404) else 403,
                "object": str(match.kwargs["public_id"]),
                "method": request.method,
            },
        )
