"""Autosave throughput and latency under concurrent respondents, against /healthz/.

Run from the repository root:
    .venv/bin/python bench/autosave.py [--clients 16] [--seconds 10] [--workers 4]

Creates (and drops at the end) a PostgreSQL database "autodiag_bench"; with DATABASE_URL
set, it uses that database instead and leaves the bench data in it. It serves the project
with gunicorn (DEBUG off) on a free loopback port, then runs two phases with the same
client threads, one connection per request, as gunicorn's sync workers close each one
(the load generator of bench/journey.py): GET /healthz/ (the ceiling), then autosave
POSTs on an individual diagnostic (each client answers its own answer set, so there are
no conflicts between clients). Each phase also prints the server's CPU per request
(gunicorn's workers and their PostgreSQL backends, from /proc), and the ratio of the
two, which moves less with the machine's other load than the throughput does. Before
that, in-process with the test client, it counts the SQL statements of one autosave and
times 5 runs of 200 updates (and their time in SQL), which moves less with the machine's
other load. Prints only.

Sessions are read from the database, whatever CACHE_URL says. Checkouts older than that
choice read them through the cache named by CACHE_URL (e.g.
CACHE_URL=redis://127.0.0.1:6379/15): the figures of docs/performance.md set it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

# bench/ is on the path when a bench script runs
from journey import HTTPError, exchange, healthz, server_cpu

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "autodiag_bench"
SERVER_DB_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
QUESTIONNAIRE = ROOT / "diagnostics" / "questionnaires" / "competences-industrie-v1.yaml"


def recreate_database(create: bool) -> None:
    import psycopg

    with psycopg.connect(SERVER_DB_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def set_up_data(clients: int) -> dict:
    """Company, members, questionnaire, diagnostic, and one session per member."""
    import django

    django.setup()
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from accounts.models import Membership, User
    from accounts.validators import luhn_ok
    from diagnostics import services
    from tests.factories import CompanyFactory

    # Unique SIRET and e-mails, so that runs can repeat on a database given by DATABASE_URL.
    run = uuid.uuid4().hex[:8]
    base = f"9{random.randrange(10**12):012d}"
    company = CompanyFactory(siret=next(base + d for d in "0123456789" if luhn_ok(base + d)))
    users = []
    for i in range(clients + 1):  # the extra one is for counting queries
        email = f"bench-{run}-{i}@bench.example"
        user = User.objects.create_user(email, full_name=f"Bench {i}")
        role = Membership.Role.ADMIN if i == 0 else Membership.Role.MEMBER
        Membership.objects.create(user=user, company=company, role=role)
        users.append(user)
    questionnaire, _ = services.import_questionnaire(text=QUESTIONNAIRE.read_text("utf-8"))
    diagnostic = services.start_diagnostic(
        membership=users[0].memberships.get(), questionnaire=questionnaire, mode="individual"
    )
    codes = [q.code for q in questionnaire.spec.questions() if q.kind == "maturity"]
    sessions = []
    for user in users[:clients]:
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    return {
        "public_id": str(diagnostic.public_id),
        "codes": codes,
        "sessions": sessions,
        "csrf": _get_new_csrf_string(),
        "query_user": users[-1],
    }


def count_queries(data: dict) -> tuple[int, int]:
    """SQL queries of one autosave, in-process: first answer (version 0), then an update."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(data["query_user"])
    url = f"/diagnostics/{data['public_id']}/answers/{data['codes'][0]}/"
    counts = []
    for value, version in (("1", 0), ("2", 1)):
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, {"value": value, "version": version})
        assert response.status_code == 200, response.content
        counts.append(len(ctx.captured_queries))
    return counts[0], counts[1]


def time_in_process(data: dict, saves: int = 200, runs: int = 5) -> tuple[float, float]:
    """Milliseconds per autosave (updates cycling through the questions) and of it in
    SQL, in-process with one client: medians of `runs` runs of `saves` saves."""
    from django.db import connection
    from django.test import Client

    from diagnostics.models import Answer

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(data["query_user"])
    versions = dict.fromkeys(data["codes"], 0)
    versions.update(
        Answer.objects.filter(
            diagnostic__public_id=data["public_id"], respondent=data["query_user"]
        ).values_list("question__code", "version")
    )
    sql = [0.0]

    def timed(execute, query, params, many, context):
        start = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql[0] += time.perf_counter() - start

    def save(i: int) -> None:
        code = data["codes"][i % len(data["codes"])]
        url = f"/diagnostics/{data['public_id']}/answers/{code}/"
        response = client.post(url, {"value": str(i % 5), "version": versions[code]})
        assert response.status_code == 200, response.content
        versions[code] = response.json()["version"]

    for i in range(len(data["codes"])):  # every question answered once: updates from here
        save(i)
    totals, in_sql = [], []
    with connection.execute_wrapper(timed):
        for _ in range(runs):
            sql[0] = 0.0
            start = time.perf_counter()
            for i in range(saves):
                save(i + 1)
            totals.append(1000 * (time.perf_counter() - start) / saves)
            in_sql.append(1000 * sql[0] / saves)
    return statistics.median(totals), statistics.median(in_sql)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, database_url: str) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("DJANGO_ENV", None)  # development settings, with DEBUG turned off below
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/11",
        LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore:No directory at",  # whitenoise: no collectstatic here
    )
    options = f"--bind 127.0.0.1:{port} --workers {workers} --log-level warning".split()
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    server = subprocess.Popen([gunicorn, "config.wsgi:application", *options], cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up")
        try:
            if healthz(port, timeout=2) == 200:
                return server
        except (OSError, HTTPError):
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz/ within 30 s")


# A request function sends one request and returns the HTTP status.
Request = Callable[[], int]


def run_phase(
    port: int, requesters: list[Request], seconds: float, cpu: Callable[[], float] | None = None
) -> dict:
    """Each requester in its own thread, until the deadline. `cpu` gives the server's CPU
    seconds so far (gunicorn workers and their PostgreSQL backends)."""
    latencies: list[list[float]] = [[] for _ in requesters]
    statuses: list[Counter[int | str]] = [Counter() for _ in requesters]
    barrier = threading.Barrier(len(requesters) + 1)
    deadline = 0.0

    def loop(i: int) -> None:
        barrier.wait()
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                statuses[i][requesters[i]()] += 1
            except (OSError, HTTPError, ValueError):
                statuses[i]["exception"] += 1
                continue
            latencies[i].append(time.perf_counter() - start)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(requesters))]
    for thread in threads:
        thread.start()
    cpu_before = cpu() if cpu else 0.0
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    cpu_used = cpu() - cpu_before if cpu else 0.0
    merged = sorted(x for per_thread in latencies for x in per_thread)
    cuts = statistics.quantiles(merged, n=100) if len(merged) > 1 else [0.0] * 99
    status = sum(statuses, Counter())
    return {
        "requests": len(merged),
        "rps": len(merged) / elapsed,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "cpu ms": cpu_used * 1000 / len(merged) if merged else 0.0,
        "errors": sum(n for key, n in status.items() if key not in (200, 409)),
        "statuses": dict(status),
    }


def autosave_requester(port: int, data: dict, session: str, offset: int) -> Request:
    """Cycles through the maturity questions with changing values and the last version seen;
    on a 409 the returned (current) version is taken, as autosave.js does."""
    codes = data["codes"]
    versions = dict.fromkeys(codes, 0)
    count = offset
    headers = (
        f"Host: 127.0.0.1:{port}\r\nConnection: close\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Cookie: sessionid={session}; csrftoken={data['csrf']}\r\n"
        f"X-CSRFToken: {data['csrf']}\r\n"
    )

    def request() -> int:
        nonlocal count
        code = codes[count % len(codes)]
        body = urlencode({"value": str(count % 5), "version": versions[code]})
        count += 1
        path = f"/diagnostics/{data['public_id']}/answers/{code}/"
        head = f"POST {path} HTTP/1.1\r\n{headers}Content-Length: {len(body)}\r\n\r\n"
        status, _, content = exchange(port, (head + body).encode(), timeout=10)
        if status in (200, 409):
            versions[code] = json.loads(content)["version"]
        return status

    return request


def report(name: str, result: dict) -> None:
    print(
        f"{name:<9} {result['requests']:>6} requests {result['rps']:>7.1f} req/s  "
        f"p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms  "
        f"p99 {result['p99']:6.1f} ms  server CPU {result['cpu ms']:.2f} ms/request  "
        f"errors {result['errors']}  statuses {result['statuses']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    own_database = "DATABASE_URL" not in os.environ
    if own_database:
        recreate_database(create=True)
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{BENCH_DB}"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/11")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    server = None
    try:
        manage = [sys.executable, "manage.py", "migrate", "--verbosity", "0"]
        subprocess.run(manage, cwd=ROOT, check=True)
        data = set_up_data(args.clients)
        first_save, update = count_queries(data)
        in_process = time_in_process(data)
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = start_gunicorn(port, args.workers, os.environ["DATABASE_URL"])
        cpu = server_cpu(server, os.environ["DATABASE_URL"].rsplit("/", 1)[1])
        print(
            f"gunicorn: {args.workers} sync workers, DEBUG off; {args.clients} clients, "
            f"{args.seconds:g} s per phase after 1 s of warm-up; {os.cpu_count()} CPU cores; "
            f"individual diagnostic: each client saves its own answers, cycling through "
            f"{len(data['codes'])} maturity questions"
        )
        phases = [
            ("healthz", [lambda: healthz(port)] * args.clients),
            (
                "autosave",
                [autosave_requester(port, data, s, i) for i, s in enumerate(data["sessions"])],
            ),
        ]
        results = {}
        for name, requesters in phases:
            run_phase(port, requesters, 1.0)  # warm-up: worker imports, connections, caches
            results[name] = run_phase(port, requesters, args.seconds, cpu)
            report(name, results[name])
        ratio = results["autosave"]["rps"] / results["healthz"]["rps"]
        print(f"autosave/healthz throughput: {ratio:.2f}")
        cpu_ratio = results["healthz"]["cpu ms"] / results["autosave"]["cpu ms"]
        print(f"autosave/healthz by server CPU per request: {cpu_ratio:.2f}")
        print(
            f"SQL per autosave (in-process, BEGIN and COMMIT included): {first_save} for a "
            f"first answer, {update} for an update; load average {os.getloadavg()[0]:.2f}"
        )
        print(
            f"in-process, one client: {in_process[0]:.2f} ms per autosave (update), "
            f"{in_process[1]:.2f} ms of it in SQL (median of 5 runs of 200)"
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if own_database:
            from django.db import connections

            connections.close_all()
            recreate_database(create=False)


if __name__ == "__main__":
    main()
