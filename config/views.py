from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.access import current_membership
from accounts.i18n import current_language
from accounts.unsaved import keep_unsaved_post, view_keeps_unsaved_post

from .health import readiness
from .home import home_context

if TYPE_CHECKING:
    from django.http import HttpRequest


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    membership = current_membership(request)
    if membership is None:
        if request.user.is_advisor:
            return redirect("advisors:portfolio")
        if request.user.is_staff:  # the operator's staff: questionnaires, catalogue, advisors
            return redirect("admin:index")
        return render(request, "home_no_company.html")
    return render(request, "home.html", home_context(membership, request.user, current_language()))


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe, and the minimal view that benchmarks compare against."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness probe: 200 when PostgreSQL, the broker and the media storage answer, else
    503 naming the one that failed. Touches neither the session nor the user."""
    checks = readiness()
    ready = all(result == "ok" for result in checks.values())
    response = JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
    response._has_been_logged = True  # each failing check is logged once, as a warning
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale form. On the answering page the typed answers are kept and shown again."""
    if request.user.is_authenticated and view_keeps_unsaved_post(request):
        keep_unsaved_post(request)
        return redirect(request.path)
    return render(request, "csrf_failure.html", status=403)
