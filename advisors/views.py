"""The advisor's side: the portfolio of followed companies and each company's page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.access import advisor_required, get_portfolio_company
from diagnostics.models import Diagnostic

if TYPE_CHECKING:
    import uuid

    from django.http import HttpRequest, HttpResponse


@advisor_required
@require_http_methods(["GET"])
def portfolio(request: HttpRequest) -> HttpResponse:
    companies = request.user.portfolio.filter(closed_at__isnull=True).order_by("name")
    return render(request, "advisors/portfolio.html", {"companies": companies})


@advisor_required
@require_http_methods(["GET"])
def company(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    followed = get_portfolio_company(request.user, public_id)
    members = followed.memberships.select_related("user").order_by("user__full_name")
    return render(
        request,
        "advisors/company.html",
        {
            "company": followed,
            "members": members,
            "diagnostics": Diagnostic.objects.listed_for_company(followed.pk),
        },
    )
