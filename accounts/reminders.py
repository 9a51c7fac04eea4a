"""The reminders Autodiag e-mails to a company's administrators (re-assessment, funding
requests): who gets them, and how they are sent, each with its one-click unsubscribe link
(RFC 8058) that turns every reminder off for that person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Membership

if TYPE_CHECKING:
    from .models import User


def reminder_recipients(company_id: int) -> list[User]:
    """The company's active administrators who keep the reminders on, in a stable order."""
    return [
        m.user
        for m in Membership.objects.admins()
        .filter(
            company_id=company_id,
            user__is_active=True,
            user__erased_at__isnull=True,
            user__reassessment_reminders=True,
        )
        .select_related("user")
        .order_by("user_id")
    ]


def send_reminder(user: User, template: str, context: dict[str, Any]) -> None:
    """Render `<template>_subject.txt` and `<template>.txt` with `context`, the user and the
    unsubscribe link (in the current language), and send them to the user."""
    unsubscribe = settings.SITE_URL + reverse(
        "accounts:reminders_unsubscribe", args=[user.reminders_token()]
    )
    context = {**context, "user": user, "unsubscribe_url": unsubscribe}
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}.txt", context)
    EmailMessage(
        subject,
        body,
        None,
        [user.email],
        headers={
            # One-click unsubscribe (RFC 8058): the mail client posts to the link.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()
