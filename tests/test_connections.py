"""Database connections kept between requests, and PostgreSQL ending them (a restart, a
failover): with the health check (the default) the next request reconnects; without it
(DATABASE_CONN_HEALTH_CHECKS=0) the first one answers 503 "try again", the next ones
reconnect."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.served import free_port, get, serve

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the server process shares the test database"
)


def end_the_servers_connections() -> int:
    """What a PostgreSQL restart does to the connections the server keeps."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize(("checks", "first"), [("1", 200), ("0", 503)])
def test_a_connection_ended_by_postgresql_is_replaced(
    transactional_db, company_a, tmp_path, checks, first
):
    browser = Client()
    browser.force_login(company_a.member)
    session = f"sessionid={browser.cookies['sessionid'].value}"
    port = free_port()
    env = {"DATABASE_CONN_MAX_AGE": "600", "DATABASE_CONN_HEALTH_CHECKS": checks}
    server = serve(port, tmp_path / "gunicorn.log", workers=1, env=env)
    page = reverse("diagnostics:list")
    try:
        assert get(port, page, session)[0] == 200
        assert end_the_servers_connections() >= 1
        status, _cookie, body = get(port, page, session)
        assert status == first
        if first == 503:
            assert "Réessayez" in body or "try again" in body
        assert [get(port, page, session)[0] for _ in range(3)] == [200, 200, 200]
    finally:
        server.terminate()
        server.wait(timeout=20)
