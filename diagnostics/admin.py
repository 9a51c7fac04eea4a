from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Diagnostic, Questionnaire


class ReadOnlyAdmin(admin.ModelAdmin):
    """Published versions and submitted diagnostics are records: shown, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["key", "version", "__str__", "published_at"]
    list_filter = ["key"]
    exclude = ["definition"]


@admin.register(Diagnostic)
class DiagnosticAdmin(ReadOnlyAdmin):
    list_display = ["company", "questionnaire", "mode", "status", "created_at", "submitted_at"]
    list_filter = ["status", "mode", "questionnaire"]
    search_fields = ["company__name", "company__siret"]
    exclude = ["results"]
