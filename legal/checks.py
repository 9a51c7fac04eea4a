"""System checks of the legal pages' settings: in production, a missing name or address
is reported by every `manage.py` command (the pages say "to be completed" meanwhile); an
impossible audit is an error anywhere."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.utils import timezone

from .identity import missing_settings


@checks.register()
def legal_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    if getattr(settings, "PRODUCTION", False) and (missing := missing_settings()):
        messages.append(
            checks.Warning(
                "The legal notice and the privacy notice lack: " + ", ".join(missing) + ".",
                hint="Set them in the environment (README, 'Legal pages').",
                id="legal.W001",
            )
        )
    rate = settings.ACCESSIBILITY_AUDIT_RATE
    day = settings.ACCESSIBILITY_AUDIT_DATE
    if rate is not None and not 0 <= rate <= 100:
        messages.append(
            checks.Error("ACCESSIBILITY_AUDIT_RATE must be between 0 and 100.", id="legal.E001")
        )
    if (rate is None) != (day is None):
        messages.append(
            checks.Error(
                "ACCESSIBILITY_AUDIT_DATE and ACCESSIBILITY_AUDIT_RATE go together.",
                id="legal.E002",
            )
        )
    if day is not None and day > timezone.localdate():
        messages.append(checks.Error("ACCESSIBILITY_AUDIT_DATE is in the future.", id="legal.E003"))
    plan_url = settings.ACCESSIBILITY_PLAN_URL
    if plan_url and not plan_url.startswith(("https://", "http://")):
        messages.append(
            checks.Error("ACCESSIBILITY_PLAN_URL must be an http(s) address.", id="legal.E004")
        )
    return messages
