from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.access import company_member_required

from .forms import LogFilterForm
from .models import Entry

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

PAGE_SIZE = 50


@company_member_required(admin=True)
@require_http_methods(["GET"])
def company_log(request: HttpRequest) -> HttpResponse:
    """The company's audit log, for its administrators: newest first, filtered, paginated."""
    form = LogFilterForm(request.GET or None)
    entries = Entry.objects.for_company(request.membership.company_id).select_related(
        "actor", "subject"
    )
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            if data["action"]:
                entries = entries.filter(action=data["action"])
            if data["since"]:
                entries = entries.filter(at__date__gte=data["since"])
            if data["until"]:
                entries = entries.filter(at__date__lte=data["until"])
        else:
            entries, status = entries.none(), 400
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=status,
    )
