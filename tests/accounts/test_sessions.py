"""Sessions across server processes (S6): production runs several gunicorn workers, and a
logout that goes through one of them must end the session in all of them."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import ROOT
from tests.served import free_port, get, serve

WORKERS = 2
REQUESTS = 30


@pytest.mark.quality("S6")
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the server processes share the test database"
)
def test_logout_ends_the_session_in_every_server_process(transactional_db, company_a, tmp_path):
    """Every worker serves the session first, then a logout goes through one of them: no
    worker lets the old cookie in afterwards. (With sessions kept in each process's own
    cache, the workers that had read the session went on serving it.)"""
    browser = Client()
    browser.force_login(company_a.admin)
    session = f"sessionid={browser.cookies['sessionid'].value}"
    port = free_port()
    server = serve(port, tmp_path / "gunicorn.log", workers=WORKERS)
    members = reverse("accounts:members")
    try:
        before = [get(port, members, session)[0] for _ in range(REQUESTS)]
        assert before == [200] * REQUESTS
        _status, set_cookie, page = get(port, members, session)
        assert log_out(port, session, page, set_cookie) == 302
        after = [get(port, members, session)[0] for _ in range(REQUESTS)]
        assert after == [302] * REQUESTS
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.quality("S6")
@pytest.mark.parametrize("cache_url", [None, "locmemcache://", "redis://127.0.0.1:6379/15"])
def test_sessions_are_read_from_the_database_whatever_the_cache(cache_url):
    """The session is read with its user in the statement every request needs: a cache of
    each process's own would serve ended sessions, a shared one would add a round trip."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("CACHE_URL", None)
    if cache_url:
        env["CACHE_URL"] = cache_url
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    printed = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert printed == "accounts.sessions.db"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the server process shares the test database"
)
def test_logged_in_pages_do_not_need_the_cache(transactional_db, company_a, tmp_path):
    """With CACHE_URL naming a Redis that does not answer, a logged-in page is still served,
    and a logout still ends the session."""
    browser = Client()
    browser.force_login(company_a.admin)
    session = f"sessionid={browser.cookies['sessionid'].value}"
    port = free_port()
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # a port nothing listens on
    server = serve(port, tmp_path / "gunicorn.log", workers=1, env={"CACHE_URL": nobody})
    members = reverse("accounts:members")
    try:
        status, set_cookie, page = get(port, members, session)
        assert status == 200
        assert company_a.member.email in page
        assert log_out(port, session, page, set_cookie) == 302
        assert get(port, members, session)[0] == 302
    finally:
        server.terminate()
        server.wait(timeout=20)


def log_out(port: int, session: str, page: str, set_cookie: str) -> int:
    """POST the logout form of `page` (a page served with `set_cookie`) with the session
    cookie `session`: the status."""
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    csrf = re.search(r"csrftoken=([^;]+)", set_cookie).group(1)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "POST",
            reverse("accounts:logout"),
            body=f"csrfmiddlewaretoken={token}",
            headers={
                "Cookie": f"{session}; csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()
