"""Operator actions on the report pipeline."""

from __future__ import annotations

import logging

from django.db import transaction

from reports.models import Report
from reports.tasks import enqueue_report

logger = logging.getLogger(__name__)


def retry_report(*, report: Report) -> bool:
    """Give a failed report a new set of attempts; False if it is not failed (any more)."""
    with transaction.atomic():
        retried = Report.objects.filter(pk=report.pk, status=Report.Status.FAILED).update(
            status=Report.Status.PENDING,
            attempts=0,
            message="",
            claimed_by="",
            started_at=None,
            finished_at=None,
            enqueued_at=None,
        )
        if retried:
            logger.info("Report %s: retried by an operator.", report.pk)
            transaction.on_commit(lambda: enqueue_report(report.pk))
    return bool(retried)
