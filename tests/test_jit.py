"""PostgreSQL's JIT compiling is off for the application's connections: its compile time,
about a quarter of a second, never paid back on this application's queries."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [
    pytest.mark.quality("P2"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT"),
]


def test_the_application_s_connections_run_without_jit(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_database_jit_leaves_the_server_s_setting():
    code = (
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['OPTIONS'].get('options'))"
    )
    base = {"DJANGO_SETTINGS_MODULE": "config.settings.base", "PATH": "/usr/bin:/bin"}
    base["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/unused"
    outputs = []
    for switch in ("0", "1"):
        run = subprocess.run(  # noqa: S603
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env={**base, "DATABASE_JIT": switch},
            capture_output=True,
            text=True,
            check=True,
            cwd=settings.BASE_DIR,
        )
        outputs.append(run.stdout.strip())
    assert outputs == ["-c jit=off", "None"]
