from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
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


class VersionFilter(admin.RelatedFieldListFilter):
    """The questionnaire versions to filter by, read without their source and definition."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        versions = Questionnaire.objects.defer("source", "definition").order_by("key", "-version")
        return [(version.pk, str(version)) for version in versions]


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["key", "version", "__str__", "published_at"]
    list_filter = ["key"]
    exclude = ["definition"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The list shows key, version and title: a version's YAML source and definition
        # (hundreds of KB each) are read only when one version's page shows its source.
        return super().get_queryset(request).defer("source", "definition")


@admin.register(Diagnostic)
class DiagnosticAdmin(ReadOnlyAdmin):
    list_display = ["company", "questionnaire", "mode", "status", "created_at", "submitted_at"]
    list_filter = ["status", "mode", ("questionnaire", VersionFilter)]
    search_fields = ["company__name", "company__siret"]
    exclude = ["results"]
    list_select_related = ["company", "questionnaire"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row names its questionnaire by title: without these, every row would carry
        # its version's YAML source and definition, and its own frozen results.
        return (
            super()
            .get_queryset(request)
            .defer("results", "questionnaire__source", "questionnaire__definition")
        )
