"""The legal notice, the privacy notice and the accessibility statement: public pages,
linked from every page's footer, filled from the settings (`identity`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .identity import identity

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


@require_safe
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "legal/legal_notice.html", {"site": identity()})


@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    context = {
        "site": identity(),
        "retention": {
            "closure_days": settings.COMPANY_CLOSURE_GRACE.days,
            "invitation_days": settings.INVITATION_RETENTION.days,
            "audit_days": settings.AUDIT_RETENTION.days,
            "report_days": settings.SUPERSEDED_REPORT_RETENTION.days,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "csrf_days": (settings.CSRF_COOKIE_AGE or 0) // 86400,
            "language_days": (settings.LANGUAGE_COOKIE_AGE or 0) // 86400,
        },
        "cookies": {
            "session": settings.SESSION_COOKIE_NAME,
            "csrf": settings.CSRF_COOKIE_NAME,
            "language": settings.LANGUAGE_COOKIE_NAME,
        },
        "threshold": settings.BENCHMARK_MIN_COMPANIES,
    }
    return render(request, "legal/privacy_notice.html", context)


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    site = identity()
    today = timezone.localdate()
    until = site.audit.valid_until()
    return render(
        request,
        "legal/accessibility.html",
        {
            "site": site,
            "status": site.conformity(today),
            "audit_valid": site.audit.is_valid(today),
            "audit_expired": until is not None and today >= until,
        },
    )
