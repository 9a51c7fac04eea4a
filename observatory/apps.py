from __future__ import annotations

from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "observatory"
    verbose_name = "Observatory"
