"""Sessions across server processes (S6): production runs several gunicorn workers, and a
logout that goes through one of them must end the session in all of them."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import ROOT, _database_url

WORKERS = 2
REQUESTS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, cookie: str) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read().decode()
    finally:
        conn.close()


def _serve(port: int, log: Path) -> subprocess.Popen:
    """gunicorn with several sync workers on the test database, with the settings a
    deployment gets when it sets nothing about caches."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("CACHE_URL", "DJANGO_ENV"):
        env.pop(name, None)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(  # noqa: S603
        [*command, "--workers", str(WORKERS)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited at start-up:\n{log.read_text()}")
        try:
            if _get(port, "/healthz/", "")[0] == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer within 30 s:\n{log.read_text()}")


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
    port = _free_port()
    server = _serve(port, tmp_path / "gunicorn.log")
    members = reverse("accounts:members")
    try:
        before = [_get(port, members, session)[0] for _ in range(REQUESTS)]
        assert before == [200] * REQUESTS
        _status, set_cookie, page = _get(port, members, session)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        csrf = re.search(r"csrftoken=([^;]+)", set_cookie).group(1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(
            "POST",
            reverse("accounts:logout"),
            body=f"csrfmiddlewaretoken={token}",
            headers={
                "Cookie": f"{session}; csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        logout = conn.getresponse()
        logout.read()
        conn.close()
        assert logout.status == 302
        after = [_get(port, members, session)[0] for _ in range(REQUESTS)]
        assert after == [302] * REQUESTS
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.quality("S6")
@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [
        (None, "accounts.sessions.db"),
        ("locmemcache://", "accounts.sessions.db"),
        ("redis://127.0.0.1:6379/15", "accounts.sessions.cached_db"),
    ],
)
def test_sessions_go_through_the_cache_only_when_every_process_shares_it(cache_url, engine):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("CACHE_URL", None)
    if cache_url:
        env["CACHE_URL"] = cache_url
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    printed = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert printed == engine
