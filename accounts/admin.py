from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

from .models import Company, Invitation, Membership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_advisor", "is_staff", "is_active"]
    list_filter = ["is_advisor", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "preferred_language")}),
        (
            _("Roles"),
            {"fields": ("is_active", "is_advisor", "is_staff", "is_superuser", "groups")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]  # facts, not settings
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )


class LabelledSplitDateTime(AdminSplitDateTime):
    """Django's date and time boxes, each with a <label> of its own: Django's writes "Date:"
    and "Time:" as plain text, leaving both boxes without an accessible name."""

    template_name = "accounts/widgets/labelled_split_datetime.html"


class MembershipInline(admin.StackedInline):
    """Stacked, not a table: each field has its label (a table's cells have none)."""

    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class FollowedByFilter(admin.SimpleListFilter):
    """The companies an advisor follows, or those no advisor follows yet."""

    title = _("followed by")
    parameter_name = "advisor"
    NOBODY = "none"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (self.NOBODY, _("No advisor")),
            *((str(a.pk), a.full_name or a.email) for a in User.objects.active_advisors()),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Company]) -> QuerySet[Company]:
        if self.value() == self.NOBODY:
            return queryset.filter(advisors__isnull=True)
        if self.value():
            return queryset.filter(advisors__pk=self.value())
        return queryset


class AdvisorChoiceForm(forms.Form):
    advisor = forms.ModelChoiceField(
        label=_("Advisor"),
        queryset=User.objects.active_advisors(),
    )


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "siret",
        "naf_code",
        "headcount_band",
        "region",
        "followed_by",
        "created_at",
        "closed_at",
    ]
    list_filter = [
        FollowedByFilter,
        "headcount_band",
        "region",
        ("closed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "siret", "naf_code"]
    filter_horizontal = ["advisors"]
    inlines = [MembershipInline]
    readonly_fields = ["public_id", "created_at", "closed_at"]
    actions = ["assign_advisor", "unassign_advisor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Company]:
        return super().get_queryset(request).prefetch_related("advisors")

    @admin.display(description=_("followed by"))
    def followed_by(self, company: Company) -> str:
        names = sorted(a.full_name or a.email for a in company.advisors.all())
        return ", ".join(names) or "—"

    @admin.action(description=_("Have the selected companies followed by an advisor"))
    def assign_advisor(self, request: HttpRequest, queryset: QuerySet[Company]) -> Any:
        return self._with_advisor(request, queryset, "assign_advisor", follow=True)

    @admin.action(description=_("Stop an advisor following the selected companies"))
    def unassign_advisor(self, request: HttpRequest, queryset: QuerySet[Company]) -> Any:
        return self._with_advisor(request, queryset, "unassign_advisor", follow=False)

    def _with_advisor(
        self, request: HttpRequest, queryset: QuerySet[Company], action: str, *, follow: bool
    ) -> Any:
        """Ask which advisor (a page between the list and the change), then add the
        companies to their portfolio or take them out of it."""
        form = AdvisorChoiceForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            advisor = form.cleaned_data["advisor"]
            through = Company.advisors.through
            companies = list(queryset.values_list("pk", flat=True))
            if follow:
                through.objects.bulk_create(
                    [through(company_id=pk, user_id=advisor.pk) for pk in companies],
                    ignore_conflicts=True,
                )
                message = ngettext(
                    "%(count)s company is followed by %(name)s.",
                    "%(count)s companies are followed by %(name)s.",
                    len(companies),
                )
            else:
                through.objects.filter(company_id__in=companies, user_id=advisor.pk).delete()
                message = ngettext(
                    "%(name)s no longer follows %(count)s company.",
                    "%(name)s no longer follows %(count)s companies.",
                    len(companies),
                )
            name = advisor.full_name or advisor.email
            self.message_user(request, message % {"count": len(companies), "name": name})
            return None
        return TemplateResponse(
            request,
            "admin/accounts/company/choose_advisor.html",
            {
                **self.admin_site.each_context(request),
                "title": getattr(self, action).short_description,
                "opts": self.model._meta,
                "form": form,
                "action": action,
                "companies": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "company", "role", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email", "company__name"]
    exclude = ["token_hash"]
    readonly_fields = ["public_id", "accepted_at", "accepted_by", "created_at"]
    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}
