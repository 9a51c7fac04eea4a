"""Retention: what is past its period (settings; README, "Privacy") is deleted. Run
daily by Celery beat (privacy.tasks.apply_retention) or `manage.py apply_retention`;
running it again deletes nothing more."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Company, Invitation, Session
from audit.models import Entry
from reports.models import Report

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

logger = logging.getLogger(__name__)


def _delete_files(names: Iterable[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete %s; it stays to be removed by hand", name)


def purge_closed_companies(now: datetime) -> int:
    """Companies closed longer ago than the grace period, with everything of theirs."""
    count = 0
    due = Company.objects.filter(closed_at__lt=now - settings.COMPANY_CLOSURE_GRACE)
    for company_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            files = list(
                Report.objects.filter(company_id=company_id)
                .exclude(file="")
                .values_list("file", flat=True)
            )
            Company.objects.filter(pk=company_id).delete()
            transaction.on_commit(lambda files=files: _delete_files(files))
        count += 1
    return count


def purge_superseded_report_files(now: datetime) -> int:
    """PDFs of report versions superseded (a newer version is ready) for longer than the
    retention period: the file goes, the row stays in the version list."""
    cutoff = now - settings.SUPERSEDED_REPORT_RETENTION
    newer = Report.objects.filter(
        diagnostic=OuterRef("diagnostic"),
        number__gt=OuterRef("number"),
        status=Report.Status.READY,
        finished_at__lt=cutoff,
    )
    old = Report.objects.filter(status=Report.Status.READY).exclude(file="").filter(Exists(newer))
    count = 0
    for report in old:
        name = report.file.name
        with transaction.atomic():
            Report.objects.filter(pk=report.pk).update(file="")
            transaction.on_commit(lambda name=name: _delete_files([name]))
        count += 1
    return count


def apply_retention(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its retention period (the periods are settings)."""
    now = now or timezone.now()
    done = {
        "closed_companies": purge_closed_companies(now),
        "invitations": Invitation.objects.filter(
            expires_at__lt=now - settings.INVITATION_RETENTION
        ).delete()[0],
        "superseded_report_files": purge_superseded_report_files(now),
        "audit_entries": Entry.purge_before(now - settings.AUDIT_RETENTION),
        "expired_sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
    }
    logger.info("retention applied: %s", done)
    return done
