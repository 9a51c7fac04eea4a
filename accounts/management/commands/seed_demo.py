"""Demo data for `make run`: one company with two members, an advisor, an operator admin.

Every name and address is invented (the .example domain is reserved for examples).
Running it again changes nothing. It refuses to run in production.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Company, HeadcountBand, Membership, Region, User

DEMO_PASSWORD = "demo-autodiag-2026"  # noqa: S105 - printed for the local demo only
DEMO_COMPANY = {
    "siret": "90187654300017",
    "name": "Mécanique Démo SAS",
    "naf_code": "25.62B",
    "headcount_band": HeadcountBand.B10_49,
    "region": Region.ARA,
}
DEMO_USERS = [
    # (e-mail, full name, role in the demo company, advisor, operator admin)
    ("camille.durand@demo.example", "Camille Durand", Membership.Role.ADMIN, False, False),
    ("louis.moreau@demo.example", "Louis Moreau", Membership.Role.MEMBER, False, False),
    ("sophie.bernard@demo.example", "Sophie Bernard", None, True, False),
    ("operateur@demo.example", "Opérateur Démo", None, False, True),
]


class Command(BaseCommand):
    help = "Create the demo company, its members, an advisor and an operator admin."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is not loaded in production.")
        company, _ = Company.objects.get_or_create(
            siret=DEMO_COMPANY["siret"], defaults=DEMO_COMPANY
        )
        for email, name, role, advisor, operator in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    full_name=name,
                    is_advisor=advisor,
                    is_staff=operator,
                    is_superuser=operator,
                )
            if role:
                Membership.objects.get_or_create(
                    user=user, company=company, defaults={"role": role}
                )
            if advisor:
                company.advisors.add(user)
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, name, role, advisor, _operator in DEMO_USERS:
            what = (
                "company admin"
                if role == Membership.Role.ADMIN
                else "company member"
                if role
                else "advisor"
                if advisor
                else "operator admin (/operator/)"
            )
            self.stdout.write(f"  {email:32} {name} — {what}")
