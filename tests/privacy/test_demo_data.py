"""No real personal data in the demo data, the fixtures or the benchmarks."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Domains reserved for examples and tests (RFC 2606, RFC 6761).
RESERVED = (".example", ".invalid", ".test", "example.org", "example.com", "example.net")


@pytest.mark.quality("G5")
def test_demo_users_have_reserved_addresses(db):
    call_command("seed_demo", stdout=io.StringIO())
    emails = list(User.objects.values_list("email", flat=True))
    assert len(emails) == 4
    assert all(email.endswith(RESERVED) for email in emails), emails


@pytest.mark.quality("G5")
def test_factories_make_reserved_addresses(db):
    assert UserFactory().email.endswith(RESERVED)


@pytest.mark.quality("G5")
def test_no_real_address_in_code_fixtures_or_demo_files():
    found = set()
    for folder in (
        "accounts",
        "diagnostics",
        "reports",
        "audit",
        "privacy",
        "observatory",
        "bench",
        "tests",
    ):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".yaml", ".json", ".txt"}:
                continue
            for email in EMAIL.findall(path.read_text(errors="replace")):
                domain = email.rsplit("@", 1)[1]
                if not domain.endswith(RESERVED) and not re.fullmatch(r"[\d.]+", domain):
                    found.add(f"{path.relative_to(ROOT)}: {email}")
    assert found == set()
