"""Database connections kept between requests, and PostgreSQL ending them (a restart, a
failover): with the health check (the default) the next request reconnects; without it
(DATABASE_CONN_HEALTH_CHECKS=0) the first one answers 503 "try again", the next ones
reconnect. The check costs no round trip while nothing has arrived on the connection
(config.db.postgresql)."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.urls import reverse

from tests.served import free_port, get, serve

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the server process shares the test database"
)


def end_the_servers_connections() -> int:
    """What a PostgreSQL restart does to the connections the server keeps. Each backend is
    waited for (up to 5 s): a restart's next request comes after the connections ended, not
    between the signal and the backend's exit."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) "
            "FROM pg_stat_activity "
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


def other_connection():
    """A connection of the test's own to the test database, apart from Django's."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=True,
    )


def last_statement_of(pid: int) -> str:
    """The last statement a server process ran, as PostgreSQL shows it."""
    with other_connection() as other:
        return other.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s", (pid,)
        ).fetchone()[0]


def test_a_kept_connection_is_checked_without_a_round_trip(transactional_db):
    from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last request'")
    pid = connection.connection.info.backend_pid
    # What Django does at the end of a request, then at the next one's first statement.
    connection.close_if_unusable_or_obsolete()
    connection.close_if_health_check_failed()
    assert connection.health_check_done
    assert connection.connection.info.backend_pid == pid
    assert last_statement_of(pid) == "SELECT 'the last request'"

    # Django's own check, which the assertion above tells apart, is a round trip.
    connection.health_check_done = False
    DjangoWrapper.close_if_health_check_failed(connections[DEFAULT_DB_ALIAS])
    assert last_statement_of(pid) == "SELECT 1"


def test_a_connection_ended_by_postgresql_is_replaced_before_the_next_statement(
    transactional_db,
):
    import select

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    pid = connection.connection.info.backend_pid
    connection.close_if_unusable_or_obsolete()
    with other_connection() as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    poller = select.poll()
    poller.register(connection.connection.pgconn.socket, select.POLLIN)
    assert poller.poll(5000), "PostgreSQL did not end the connection"

    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
