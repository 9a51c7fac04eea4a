"""A real worker process against Redis: the pattern every task test reuses."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Membership, User
from tests.conftest import wait_for


@pytest.mark.live_worker
def test_invitation_mail_is_sent_by_a_worker_and_its_link_works(live_worker, company_a, client):
    admin_membership = Membership.objects.get(user=company_a.admin)
    invitation = services.invite(
        membership=admin_membership, email="guest@test.example", role="member"
    )
    mail_dir = live_worker.var_dir / "mail"
    files = wait_for(lambda: list(mail_dir.glob("*.log")) if mail_dir.exists() else None)
    message = files[0].read_text()
    assert "guest@test.example" in message
    assert company_a.company.name in message
    token = re.search(r"/invitations/([\w-]+)/", message).group(1)
    response = client.post(
        reverse("accounts:invitation", args=[token]),
        {
            "full_name": "Invitée Réelle",
            "password1": "un-secret-bien-long",
            "password2": "un-secret-bien-long",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="guest@test.example")
    assert Membership.objects.filter(user=user, company=invitation.company).exists()
