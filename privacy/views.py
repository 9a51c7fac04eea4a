from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import SESSION_COMPANY_KEY, company_member_required
from accounts.services import AccountError

from . import services
from .forms import CloseCompanyForm, DeleteAccountForm

if TYPE_CHECKING:
    from django.http import HttpRequest


@login_required
@require_safe
def my_data(request: HttpRequest) -> HttpResponse:
    """The person's personal data, as a JSON file."""
    data = services.export_personal_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"autodiag-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.delete_account(user=request.user)
            except AccountError as exc:
                form.add_error(None, str(exc))
            else:
                logout(request)
                messages.success(request, _("Your account is deleted."))
                return redirect("home")
        status = 400
    return render(request, "privacy/delete_account.html", {"form": form}, status=status)


@company_member_required(admin=True)
@require_http_methods(["GET", "HEAD", "POST"])
def close_company(request: HttpRequest) -> HttpResponse:
    company = request.membership.company
    form = CloseCompanyForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        services.close_company(membership=request.membership)
        request.session.pop(SESSION_COMPANY_KEY, None)
        messages.success(
            request,
            _("%(company)s is closed. Its data will be deleted in %(days)s days.")
            % {"company": company.name, "days": settings.COMPANY_CLOSURE_GRACE.days},
        )
        return redirect("home")
    return render(
        request,
        "privacy/close_company.html",
        {"form": form, "company": company, "grace_days": settings.COMPANY_CLOSURE_GRACE.days},
        status=400 if form.is_bound else 200,
    )
