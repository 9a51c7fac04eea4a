from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Action plans and reports")

    def ready(self) -> None:
        from celery.signals import worker_ready

        from .recovery import on_worker_ready

        # A worker that starts takes over the renders a dead worker of its host left.
        worker_ready.connect(on_worker_ready, weak=False, dispatch_uid="reports.recovery")
