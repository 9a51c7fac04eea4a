from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import current_membership

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


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


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "csrf_failure.html", status=403)
