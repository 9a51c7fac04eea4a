"""Re-assessment reminders: once a year after a company's last diagnostic, its
administrators are e-mailed (beat runs `send_reassessment_reminders` daily)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.reminders import reminder_recipients, send_reminder

from .models import Diagnostic, ReassessmentReminder

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# Reminders enqueued per daily run at most; any more go out the next day.
REMINDERS_PER_RUN = 1000


def _due_before() -> datetime:
    return timezone.now() - timedelta(days=settings.REASSESSMENT_AFTER_DAYS)


@shared_task
def send_reassessment_reminders() -> int:
    """Enqueue one reminder per company whose re-assessment is due; returns how many."""
    ids = list(
        Diagnostic.objects.reassessment_due(_due_before()).values_list("pk", flat=True)[
            :REMINDERS_PER_RUN
        ]
    )
    for diagnostic_id in ids:
        remind_reassessment.delay(diagnostic_id)
    if ids:
        logger.info("Re-assessment reminders enqueued: %s", len(ids))
    return len(ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def remind_reassessment(diagnostic_id: int) -> int:
    """E-mail the company's administrators that a re-assessment is due, once per submitted
    diagnostic. Checked again here: the company is open, nothing was started since, and no
    reminder went out (the reminder row is the claim: a second delivery finds it taken).
    A failed send rolls the claim back, so the retry sends again. Returns the e-mails sent."""
    with transaction.atomic():
        diagnostic = (
            Diagnostic.objects.reassessment_due(_due_before())
            .filter(pk=diagnostic_id)
            .select_related("company")
            .defer("results")
            .first()
        )
        if diagnostic is None:
            logger.info("Re-assessment reminder %s: no longer due or already sent.", diagnostic_id)
            return 0
        try:
            with transaction.atomic():
                reminder = ReassessmentReminder.objects.create(
                    company_id=diagnostic.company_id, diagnostic=diagnostic
                )
        except IntegrityError:
            logger.info("Re-assessment reminder %s: sent by another delivery.", diagnostic_id)
            return 0
        admins = reminder_recipients(diagnostic.company_id)
        start_url = settings.SITE_URL + reverse("diagnostics:list")
        for user in admins:
            _send(user, diagnostic, start_url)
        reminder.recipients = len(admins)
        reminder.save(update_fields=["recipients"])
    return len(admins)


def _send(user: User, diagnostic: Diagnostic, start_url: str) -> None:
    with translation.override(user.preferred_language):
        send_reminder(
            user,
            "diagnostics/email/reassessment",
            {
                "company": diagnostic.company.name,
                "submitted_at": diagnostic.submitted_at,
                "url": start_url,
            },
        )
