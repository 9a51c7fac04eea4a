"""`manage.py check` on the legal pages' settings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from legal.checks import legal_settings
from legal.identity import REQUIRED
from tests.test_security import PRODUCTION_ENV, manage

SET = dict.fromkeys(REQUIRED, "x")


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@override_settings(PRODUCTION=True, **(SET | {"PUBLISHER_PHONE": "", "HOST_ADDRESS": " "}))
def test_production_warns_of_each_missing_publisher_setting():
    (warning,) = legal_settings()
    assert warning.id == "legal.W001"
    assert "PUBLISHER_PHONE, HOST_ADDRESS" in warning.msg


@override_settings(PRODUCTION=True, **SET)
def test_production_with_every_setting_is_silent():
    assert legal_settings() == []


@override_settings(PRODUCTION=False, **dict.fromkeys(REQUIRED, ""))
def test_development_does_not_ask_for_them():
    assert legal_settings() == []


@pytest.mark.parametrize(
    ("day", "rate", "expected"),
    [
        (date(2026, 1, 5), 101, ["legal.E001"]),
        (date(2026, 1, 5), -1, ["legal.E001"]),
        (date(2026, 1, 5), None, ["legal.E002"]),
        (None, 80, ["legal.E002"]),
        (None, None, []),
        (date(2026, 1, 5), 80, []),
    ],
)
def test_an_impossible_audit_is_an_error(day, rate, expected):
    with override_settings(ACCESSIBILITY_AUDIT_DATE=day, ACCESSIBILITY_AUDIT_RATE=rate):
        assert ids(legal_settings()) == expected


def test_an_audit_in_the_future_is_an_error():
    tomorrow = timezone.localdate() + timedelta(days=1)
    with override_settings(ACCESSIBILITY_AUDIT_DATE=tomorrow, ACCESSIBILITY_AUDIT_RATE=80):
        assert ids(legal_settings()) == ["legal.E003"]


def test_the_deploy_check_fails_without_the_publisher_and_on_a_malformed_audit_date():
    without = {k: v for k, v in PRODUCTION_ENV.items() if k != "PUBLICATION_DIRECTOR"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=without)
    assert result.returncode != 0
    assert "legal.W001" in result.stderr + result.stdout
    assert "PUBLICATION_DIRECTOR" in result.stderr + result.stdout

    result = manage("check", env={**PRODUCTION_ENV, "ACCESSIBILITY_AUDIT_DATE": "05/12/2026"})
    assert result.returncode != 0
    assert "ACCESSIBILITY_AUDIT_DATE must be a date: YYYY-MM-DD." in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", []),
        ("https://opco.example/accessibilite/schema-pluriannuel", []),
        ("javascript:alert(1)", ["legal.E004"]),
        ("opco.example/schema", ["legal.E004"]),
    ],
)
def test_the_accessibility_plan_is_an_http_address(url, expected):
    with override_settings(ACCESSIBILITY_PLAN_URL=url):
        assert ids(legal_settings()) == expected
