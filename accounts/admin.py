from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

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
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "siret",
        "naf_code",
        "headcount_band",
        "region",
        "created_at",
        "closed_at",
    ]
    list_filter = ["headcount_band", "region", ("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "siret", "naf_code"]
    filter_horizontal = ["advisors"]
    inlines = [MembershipInline]
    readonly_fields = ["public_id", "created_at", "closed_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "company", "role", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email", "company__name"]
    exclude = ["token_hash"]
    readonly_fields = ["public_id", "accepted_at", "accepted_by", "created_at"]
