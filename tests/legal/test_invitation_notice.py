"""The invitation e-mail is the invited person's first message from us (RGPD, article 14):
it says who has their address, how long it is kept if they decline, and where to read
more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, hash_token
from accounts.tasks import send_invitation


@pytest.fixture
def invitation(company_a):
    return Invitation.objects.create(
        company=company_a.company,
        email="guest@test.example",
        role="member",
        invited_by=company_a.admin,
        token_hash=hash_token(Invitation.new_token()),
        expires_at=timezone.now() + timedelta(days=3),
    )


def test_the_invitation_names_the_publisher_the_retention_and_the_privacy_notice(
    invitation, settings
):
    settings.PUBLISHER_NAME = "Opco Exemple & Cie"
    settings.INVITATION_RETENTION = timedelta(days=60)
    settings.SITE_URL = "https://autodiag.example.org"
    assert send_invitation(invitation.pk, "fr") == "sent"
    body = mail.outbox[0].body
    name = invitation.invited_by.full_name
    assert (
        f"{name} a donné votre adresse e-mail à Opco Exemple & Cie pour cette seule "
        "invitation. Si vous ne l’acceptez pas, votre adresse est effacée 60 jours après "
        "l’expiration du lien."
    ) in " ".join(body.split())
    privacy = "https://autodiag.example.org" + reverse("legal:privacy")
    assert f"Vos données personnelles et vos droits : {privacy}" in body


def test_without_a_publisher_the_sentence_still_says_what_happens(invitation, settings):
    settings.PUBLISHER_NAME = ""
    settings.INVITATION_RETENTION = timedelta(days=1)
    assert send_invitation(invitation.pk, "en") == "sent"
    body = " ".join(mail.outbox[0].body.split())
    assert "gave your e-mail address for this invitation only." in body
    assert "deleted 1 day after the link expires." in body
    assert "Your personal data and your rights: http" in body
