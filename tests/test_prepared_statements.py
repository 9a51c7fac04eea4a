"""PostgreSQL parses and plans a request's statements once per connection: parameters are
bound by the server, and a statement a connection runs a few times is prepared."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from diagnostics.models import Answer
from tests.fresh_settings import settings_value

pytestmark = [
    pytest.mark.quality("P1"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"
    ),
]


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [statement for (statement,) in cursor.fetchall()]


def test_autosaves_statements_are_prepared_once_run_a_few_times(client_for, company_a, diagnostic):
    client = client_for(company_a.member)
    url = reverse("diagnostics:autosave", args=[diagnostic.public_id, "B.TWO.Q2"])
    runs = settings.PREPARE_THRESHOLD + 1
    for version in range(runs):
        response = client.post(url, {"value": f"answer {version}", "version": str(version)})
        assert response.status_code == 200, response.content
    answer = Answer.objects.get(diagnostic=diagnostic)
    assert (answer.value, answer.version) == (f"answer {runs - 1}", runs)
    prepared = prepared_statements()
    # the user with the memberships (written-out SQL), and the save itself
    assert any("accounts_membership" in s and "$1" in s for s in prepared), prepared
    assert any("diagnostics_answer" in s and "UPDATE" in s.upper() for s in prepared), prepared


def test_a_statement_run_once_is_not_prepared(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::int + 41 AS once_only", [1])
        assert cursor.fetchone() == (42,)
    assert not any("once_only" in s for s in prepared_statements())


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    """Behind a pooler in transaction mode: DATABASE_PREPARED_STATEMENTS=0 leaves the
    parameters bound by the server but prepares nothing."""
    options = "(lambda o: (o.get('server_side_binding'), o.get('prepare_threshold')))("
    options += "settings.DATABASES['default']['OPTIONS'])"
    url = "postgres://postgres@127.0.0.1:5432/unused"
    on = settings_value(options, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="1")
    off = settings_value(options, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="0")
    assert (on, off) == ("(True, 5)", "(True, None)")
