"""The operator's read-only view of the published catalogues and funding rules: which
version new plans use, how many plans use each, and when the rules' facts were checked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from diagnostics.admin import ReadOnlyAdmin
from documents.services import LATEST_FIRST

from .models import ActionPlan, Catalogue, FundingRules


def _with_plans(queryset: QuerySet, field: str) -> QuerySet:
    """The versions, each with the number of plans made (or estimated) under it and the
    version new plans use (the first in documents.services.latest_version's order)."""
    plans = (
        ActionPlan.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest = queryset.model.objects.order_by(*LATEST_FIRST).values("pk")[:1]
    return queryset.defer("definition").annotate(
        plans=Coalesce(Subquery(plans, output_field=IntegerField()), 0),
        latest_pk=Subquery(latest),
    )


class VersionAdmin(ReadOnlyAdmin):
    exclude = ["definition"]
    ordering = ["key", "-version"]
    plan_field = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _with_plans(super().get_queryset(request), self.plan_field)

    @admin.display(description=_("plans"), ordering="plans")
    def plan_count(self, obj: Any) -> int:
        return obj.plans

    @admin.display(description=_("for new plans"), boolean=True)
    def current(self, obj: Any) -> bool:
        return obj.pk == obj.latest_pk


@admin.register(Catalogue)
class CatalogueAdmin(VersionAdmin):
    list_display = ["__str__", "version", "published_at", "current", "plan_count"]
    plan_field = "catalogue"


@admin.register(FundingRules)
class FundingRulesAdmin(VersionAdmin):
    list_display = [
        "__str__",
        "version",
        "facts_checked",
        "published_at",
        "current",
        "plan_count",
    ]
    plan_field = "funding_rules"

    @admin.display(description=_("facts checked on"))
    def facts_checked(self, obj: FundingRules) -> str:
        day = date_format(obj.checked_on, "SHORT_DATE_FORMAT")
        if obj.rules.out_of_date(timezone.localdate()):
            return gettext("%(date)s — to check again: every amount is to be confirmed") % {
                "date": day
            }
        return day
