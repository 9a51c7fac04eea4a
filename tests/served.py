"""The app served by gunicorn on the test database, for the tests about what happens
across server processes and connections (sessions, database restarts)."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, child_env, wait_until_ready


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, cookie: str) -> tuple[int, str, str]:
    """GET `path` with `cookie`: status, Set-Cookie and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read().decode()
    finally:
        conn.close()


def serve(
    port: int, log: Path, *, workers: int, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """gunicorn with sync workers on the test database, with the settings a deployment
    gets when it sets nothing about caches, and `env` on top."""
    environment = child_env(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="127.0.0.1", LOG_LEVEL="WARNING")
    for name in ("CACHE_URL", "DJANGO_ENV"):
        environment.pop(name, None)
    environment.update(env or {})
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(  # noqa: S603
        [*command, "--workers", str(workers)],
        cwd=ROOT,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )

    def answers() -> bool:
        try:
            return get(port, "/healthz/", "")[0] == 200
        except OSError:
            time.sleep(0.2)
            return False

    wait_until_ready(process, log, answers, 30)
    return process
