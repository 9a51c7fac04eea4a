"""The observatory's pages: training needs and funding forecast. Operator admins see the
whole sector, advisors their portfolio; figures come from the precomputed tables
(observatory.tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.i18n import current_language

from . import tables
from .forms import FilterForm

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


def _bad(form: Any) -> HttpResponse:
    problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
    return HttpResponseBadRequest(_("Invalid filter: %(problems)s") % {"problems": problems})


def _context(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    tables.check_access(request.user)
    form = FilterForm(request.GET)
    if not form.is_valid():
        return _bad(form)
    chosen = tables.selection(
        request.user, form.cleaned_data["questionnaire"], form.cleaned_data["period"]
    )
    return tables.observatory_context(request.user, chosen, current_language())


@login_required
@require_GET
def needs(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if not isinstance(context, dict):
        return context
    return render(request, "observatory/needs.html", context)


@login_required
@require_GET
def funding(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if not isinstance(context, dict):
        return context
    return render(request, "observatory/funding.html", context)
