from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import current_membership

if TYPE_CHECKING:
    from django.http import HttpRequest


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    membership = current_membership(request)
    if membership is None:
        if request.user.is_advisor:
            return redirect("accounts:portfolio")
        return render(request, "home_no_company.html")
    return render(request, "home.html", {"membership": membership, "company": membership.company})


@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe, and the minimal view that benchmarks compare against."""
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale form. On the answering page the typed answers are kept and shown again."""
    match = getattr(request, "resolver_match", None)
    if match and match.view_name == "diagnostics:domain" and request.user.is_authenticated:
        from diagnostics.views import keep_unsaved_answers

        keep_unsaved_answers(request)
        return redirect(request.path)
    return render(request, "csrf_failure.html", status=403)
