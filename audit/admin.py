from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Operator admins read the whole log; nobody changes it."""

    list_display = ["at", "action", "actor", "subject", "company", "target", "ip_address"]
    list_filter = ["action", "at"]
    list_select_related = ["actor", "subject", "company"]
    search_fields = ["target", "ip_address", "actor__email", "subject__email"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in Entry._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
