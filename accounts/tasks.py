from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Invitation, hash_token

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int, language: str) -> str:
    """E-mail an invitation. A fresh token is made here, so it only ever travels by e-mail.

    A redelivered task sends a new message whose link replaces the earlier one.
    """
    invitation = (
        Invitation.objects.select_related("company", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_usable:
        logger.info("Invitation %s is gone or no longer usable: nothing sent.", invitation_id)
        return "skipped"
    token = Invitation.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=hash_token(token))
    with translation.override(language):
        context = {
            "invitation": invitation,
            "url": settings.SITE_URL + reverse("accounts:invitation", args=[token]),
            # The invited person's first message from us (RGPD, article 14): who has
            # their address, how long it is kept if they decline, where to read more.
            "publisher": settings.PUBLISHER_NAME,
            "retention_days": settings.INVITATION_RETENTION.days,
            "privacy_url": settings.SITE_URL + reverse("legal:privacy"),
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])
    return "sent"
