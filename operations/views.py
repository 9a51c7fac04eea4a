from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reports.models import Report

from .pipeline import pipeline_state
from .services import retry_report

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Operator admins only; anyone else gets 404, as if the page did not exist."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@staff_only
@require_safe
def pipeline(request: HttpRequest) -> HttpResponse:
    return render(request, "operations/pipeline.html", {"pipeline": pipeline_state()})


@staff_only
@require_POST
def retry(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    report = get_object_or_404(Report, public_id=public_id)
    if retry_report(report=report):
        messages.success(request, _("The report is queued again."))
    else:
        messages.info(request, _("This report has not failed: nothing to retry."))
    return redirect("operations:pipeline")
