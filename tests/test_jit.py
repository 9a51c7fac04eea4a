"""PostgreSQL's JIT compiling is off for the application's connections: its compile time,
about a quarter of a second, never paid back on this application's queries."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.fresh_settings import settings_value

pytestmark = [
    pytest.mark.quality("P2"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT"),
]


def test_the_application_s_connections_run_without_jit(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_database_jit_leaves_the_server_s_setting():
    options = "settings.DATABASES['default']['OPTIONS'].get('options')"
    url = "postgres://postgres@127.0.0.1:5432/unused"
    assert settings_value(options, DATABASE_URL=url, DATABASE_JIT="0") == "-c jit=off"
    assert settings_value(options, DATABASE_URL=url, DATABASE_JIT="1") == "None"
