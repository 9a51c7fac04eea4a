from __future__ import annotations

from celery import shared_task

from . import retention


@shared_task(acks_late=True)
def apply_retention() -> dict[str, int]:
    """Run daily by Celery beat; running it twice does nothing more."""
    return retention.apply_retention()
