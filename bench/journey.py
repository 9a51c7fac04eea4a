"""The whole respondent journey under concurrent respondents, against /healthz/ (P4).

Run from the repository root:
    .venv/bin/python bench/journey.py [--clients 8] [--seconds 15] [--workers 4]
    .venv/bin/python bench/journey.py --base /tmp/autodiag-base   # before and after, same run
    .venv/bin/python bench/journey.py --base /tmp/autodiag-base --content \
        diagnostics/questionnaires/competences-industrie-v1.yaml reports/catalogue/catalogue-v1.yaml

One completion is what a respondent does after logging in, without JavaScript: the
diagnostics list, "start" (collective mode, the default questionnaire), the overview, then
for each domain its page (GET) and the page's answers (POST, then the redirect to the next
domain), the submission (scores frozen, action plan made) and the results page. Each client
is the admin of its own company, so each client's diagnostics list grows with every
completion: a list page must not grow with it.

For each checkout (this one, and the one given by --base, run with this script and this
virtualenv), the script creates a fresh PostgreSQL database "autodiag_bench_<name>", migrates
it with that checkout's code, loads the default questionnaire, catalogue and funding rules
(when the checkout has them: a plan is then made with its funding estimates), and counts the SQL
statements of one completion in-process (test client, after a warm-up completion), then times
10 more completions in-process, by page kind (median; the checkouts one after the other, so
this figure meets the background load of its moment). The default content may differ between
checkouts (a later questionnaire with more questions); --content loads the same questionnaire
and catalogue files in both, so that the code alone differs. It then
serves each checkout with gunicorn (sync workers, DEBUG off) on a free loopback port and runs,
round after round (--rounds) and checkout after checkout, GET /healthz/ (the ceiling) then
the journey, with the same number of client threads sending requests back to back. The
rounds alternate so that both checkouts meet the background load of the moment: compare
within a round, not across runs. Completions are counted in requests (those finished in
the window over the requests of one journey); the server's CPU per completion (gunicorn
workers and their PostgreSQL backends, from /proc, also printed apart) moves less with the
background load than the throughput does. Beside it, the CPU of the clients (this
script's threads) and of Redis per completion: on one machine they share its cores with
the server, so a faster server gets a smaller share of them. The databases are dropped
at the end. Prints only; asserts nothing.

Sessions are read from the database, whatever CACHE_URL says. Older checkouts read them
through the cache: the one of when the issue was filed always does, from each process's own
memory when CACHE_URL is not set (where a logout in one worker leaves the session open in
the others). Set CACHE_URL (e.g. CACHE_URL=redis://127.0.0.1:6379/15) so that such a
checkout reads them from a cache every worker shares, as it would be deployed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
SERVER_DB_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PAGE_KINDS = ("list", "start", "overview", "domain GET", "domain POST", "submit", "results")


# --- Inside a checkout (a subprocess with PYTHONPATH set to it): data and SQL count ----------


def set_up(clients: int, content: list[str]) -> dict:
    """Companies, one admin each with a session, the default questionnaire and catalogue
    (or only the questionnaire and catalogue files of `content`: [questionnaire, catalogue],
    paths in the checkout); the answers a respondent gives; the statements of one
    completion, in-process."""
    import django

    django.setup()
    from django.core.management import call_command, get_commands
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from accounts.models import Membership, User
    from diagnostics.models import Questionnaire
    from tests.factories import CompanyFactory

    questionnaire_files, catalogue_files = content[:1], content[1:]  # nothing: every file
    call_command("load_questionnaire", *questionnaire_files, verbosity=0)
    call_command("load_catalogue", *catalogue_files, verbosity=0)
    if "load_funding" in get_commands():  # older checkouts have no funding rules
        call_command("load_funding", verbosity=0)
    questionnaire = Questionnaire.objects.order_by("key", "-version").first()
    users = []
    for i in range(clients + 1):  # the last one is for counting statements
        company = CompanyFactory()
        user = User.objects.create_user(f"bench-{i}@bench.example", full_name=f"Bench {i}")
        Membership.objects.create(user=user, company=company, role=Membership.Role.ADMIN)
        users.append(user)
    pages = answer_pages(questionnaire.spec, company)
    sessions = []
    for user in users[:clients]:
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    data = {
        "questionnaire": questionnaire.pk,
        "pages": pages,
        "sessions": sessions,
        "csrf": _get_new_csrf_string(),
    }
    data.update(count_statements(users[-1], data))
    return data


def answer_pages(spec, company) -> list:
    """For each domain, the form fields a respondent posts: every visible question answered."""
    from diagnostics.definition import Profile
    from diagnostics.scoring import AnswerValue, visible_questions

    def value_of(q) -> list[str]:
        if q.kind == "maturity":
            return ["2"]
        if q.kind == "yesno":
            return ["yes"]
        if q.kind == "number":
            low = q.min if q.min is not None else 0
            return [str(int(low) + 1 if q.max is None or low + 1 <= q.max else int(low))]
        if q.kind in ("single", "multiple"):
            return [q.choices[0].code]
        return ["Réponse de banc d'essai"]

    answers = {q.code: value_of(q) for q in spec.questions()}
    stored = {}
    for q in spec.questions():
        raw = answers[q.code][0]
        stored[q.code] = AnswerValue(int(raw) if q.kind == "maturity" else raw)
    profile = Profile(sector=company.sector, headcount_band=company.headcount_band)
    visible = set(visible_questions(spec, stored, profile))
    pages = []
    for domain in spec.domains:
        fields: list[tuple[str, str]] = []
        for competency in domain.competencies:
            for q in competency.questions:
                if q.code in visible:
                    fields.append((f"q-{q.code}-v", "0"))
                    fields.extend((f"q-{q.code}", v) for v in answers[q.code])
        pages.append([domain.code, fields])
    return pages


def count_statements(user, data: dict, timed: int = 10) -> dict:
    """SQL statements of one completion through the test client (BEGIN/COMMIT included),
    by page kind, after a warm-up completion (per-process caches filled); then the
    in-process milliseconds per completion by page kind, median of `timed` completions."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    counts: Counter[str] = Counter()
    elapsed: Counter[str] = Counter()

    def send(kind: str, method: str, path: str, body: str = "") -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        counts[kind] += len(ctx.captured_queries)
        return response.status_code, response.headers.get("Location", "")

    def timed_send(kind: str, method: str, path: str, body: str = "") -> tuple[int, str]:
        start = time.perf_counter()
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        elapsed[kind] += time.perf_counter() - start
        return response.status_code, response.headers.get("Location", "")

    journey(send, data)  # warm-up
    counts.clear()
    journey(send, data)
    runs: list[dict[str, float]] = []
    for _ in range(timed):
        elapsed.clear()
        journey(timed_send, data)
        runs.append({**elapsed, "total": sum(elapsed.values())})
    ms = {kind: round(1000 * statistics.median(r[kind] for r in runs), 1) for kind in runs[0]}
    return {"statements": {**counts, "total": sum(counts.values())}, "ms": ms}


# --- The journey, over any transport -------------------------------------------------------


def journey(send, data: dict) -> int:
    """One completion; `send(kind, method, path, body)` returns (status, Location).
    Returns the number of answers posted."""
    status, _ = send("list", "GET", "/diagnostics/")
    check(status, 200, "list")
    body = urlencode({"questionnaire": data["questionnaire"], "mode": "collective"})
    status, overview = send("start", "POST", "/diagnostics/start/", body)
    check(status, 302, "start")
    overview = urlsplit(overview).path
    status, _ = send("overview", "GET", overview)
    check(status, 200, "overview")
    answers = 0
    pages = data["pages"]
    for i, (code, fields) in enumerate(pages):
        page = f"{overview}domains/{code}/"
        status, _ = send("domain GET", "GET", page)
        check(status, 200, "domain GET")
        following = pages[i + 1][0] if i + 1 < len(pages) else code
        status, _ = send(
            "domain POST",
            "POST",
            page,
            urlencode([*map(tuple, fields), ("next_domain", following)]),
        )
        check(status, 302, "domain POST")
        answers += sum(1 for name, _ in fields if name.endswith("-v"))
    submit = overview.replace("/diagnostics/", "/reports/diagnostics/", 1) + "submit/"
    status, results = send("submit", "POST", submit, "confirm=1")  # from its confirmation page
    check(status, 302, "submit")
    status, _ = send("results", "GET", urlsplit(results).path)
    check(status, 200, "results")
    return answers


class JourneyError(Exception):
    pass


def check(status: int, expected: int, kind: str) -> None:
    if status != expected:
        raise JourneyError(f"{kind}: HTTP {status}, expected {expected}")


# --- The load generator ----------------------------------------------------------------------


class HTTPError(Exception):
    """A response the load generator cannot read."""


def exchange(port: int, request: bytes, timeout: float = 30.0) -> tuple[int, list[str], bytes]:
    """Sends one request on a new connection and reads the response to its end (the
    request asks the server to close; sync gunicorn workers close each connection anyway).
    Returns the status, the header lines and the body (as sent: Django's CommonMiddleware
    gives every response its Content-Length, so none comes in chunks). Plain sockets
    rather than http.client, whose header parsing (the e-mail parser) costs the load
    generator, which shares the server's cores, more CPU than the rest of its work."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    end = response.find(b"\r\n\r\n")
    if end < 0:
        raise HTTPError("incomplete response")
    lines = response[:end].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise HTTPError(f"bad status line {lines[0]!r}")
    return int(parts[1]), lines[1:], response[end + 4 :]


def healthz_request(port: int) -> bytes:
    return f"GET /healthz/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()


class Browser:
    """One respondent: the session and CSRF cookies, and the cookies the site sets
    (messages); one connection per request."""

    def __init__(self, port: int, session: str, csrf: str) -> None:
        self.port = port
        self.cookies = {"sessionid": session, "csrftoken": csrf}
        self.csrf = csrf
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.deadline = float("inf")
        self.requests = 0  # finished before the deadline
        self.answers = 0  # posted and saved before the deadline

    def send(self, kind: str, method: str, path: str, body: str = "") -> tuple[int, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Connection: close\r\nCookie: {cookie}\r\n"
        )
        if method == "POST":
            head += (
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"X-CSRFToken: {self.csrf}\r\n"
                f"Referer: http://127.0.0.1:{self.port}{path}\r\n"
                f"Content-Length: {len(body.encode())}\r\n"
            )
        start = time.perf_counter()
        status, headers, _ = exchange(self.port, (head + "\r\n" + body).encode())
        end = time.perf_counter()
        self.latencies[kind].append(end - start)
        if end <= self.deadline:
            self.requests += 1
            if kind == "domain POST" and status == 302:
                self.answers += body.count("-v=")
        location = ""
        for line in headers:
            name, _, value = line.partition(":")
            name = name.lower()
            if name == "location":
                location = value.strip()
            elif name == "set-cookie":
                for cookie_name, morsel in SimpleCookie(value.strip()).items():
                    if morsel["max-age"] == "0" or not morsel.value or morsel.value == '""':
                        self.cookies.pop(cookie_name, None)
                    else:
                        self.cookies[cookie_name] = morsel.value
        return status, location


def healthz(port: int, timeout: float = 10.0) -> int:
    return exchange(port, healthz_request(port), timeout)[0]


def run_healthz(port: int, clients: int, seconds: float) -> dict:
    counts = [0] * clients
    errors = [0] * clients
    barrier = threading.Barrier(clients + 1)
    deadline = 0.0

    def loop(i: int) -> None:
        barrier.wait()
        while time.perf_counter() < deadline:
            try:
                if healthz(port) == 200:
                    counts[i] += 1
                else:
                    errors[i] += 1
            except (OSError, HTTPError):
                errors[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    return {"rps": sum(counts) / (time.perf_counter() - start), "errors": sum(errors)}


def run_journeys(
    port: int, data: dict, seconds: float, cpu: Callable[[], tuple[float, float]]
) -> dict:
    """Each client runs journeys back to back until the deadline. Completions are counted
    in requests: those finished before the deadline over the requests of one journey, so a
    journey under way at the deadline counts for its part. `cpu` gives the server's CPU
    seconds so far: gunicorn's, and its PostgreSQL backends' (`server_cpu_parts`). The CPU
    of the clients (this process) and of Redis is measured over the same window: on a
    machine that runs them beside the server, it is CPU the server does not get."""
    browsers = [Browser(port, session, data["csrf"]) for session in data["sessions"]]
    per_journey = 5 + 2 * len(data["pages"])
    errors: list[str] = []
    barrier = threading.Barrier(len(browsers) + 1)
    stop_at = [0.0]

    def loop(i: int) -> None:
        browser = browsers[i]
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            try:
                journey(browser.send, data)
            except (OSError, HTTPError, JourneyError) as exc:
                errors.append(str(exc) or type(exc).__name__)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    cpu_before, clients_before, redis_before = cpu(), time.process_time(), redis_cpu()
    stop_at[0] = time.perf_counter() + seconds
    for browser in browsers:
        browser.deadline = stop_at[0]
    barrier.wait()
    time.sleep(max(0.0, stop_at[0] - time.perf_counter()))
    cpu_used = [after - before for after, before in zip(cpu(), cpu_before, strict=True)]
    clients_used = time.process_time() - clients_before
    redis_used = redis_cpu() - redis_before
    for thread in threads:
        thread.join()
    merged: dict[str, list[float]] = defaultdict(list)
    for browser in browsers:
        for kind, values in browser.latencies.items():
            merged[kind].extend(values)
    percentiles = {}
    for kind in PAGE_KINDS:
        values = sorted(merged.get(kind, []))
        cuts = statistics.quantiles(values, n=100) if len(values) > 1 else [0.0] * 99
        percentiles[kind] = (cuts[49] * 1000, cuts[94] * 1000)
    completions = sum(b.requests for b in browsers) / per_journey

    def ms_per_completion(cpu_seconds: float) -> float:
        return cpu_seconds * 1000 / completions if completions else 0.0

    return {
        "completions/s": completions / seconds,
        "answers/s": sum(b.answers for b in browsers) / seconds,
        "completions": completions,
        "cpu ms": ms_per_completion(sum(cpu_used)),
        "gunicorn cpu ms": ms_per_completion(cpu_used[0]),
        "postgres cpu ms": ms_per_completion(cpu_used[1]),
        "clients cpu ms": ms_per_completion(clients_used),
        "redis cpu ms": ms_per_completion(redis_used),
        "percentiles": percentiles,
        "errors": Counter(errors),
    }


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat from the state on (nothing if the process is gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return text.rsplit(")", 1)[1].split()


def _cpu_seconds(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes."""
    ticks = sum(int(f[11]) + int(f[12]) for pid in pids if (f := _stat(pid)))
    return ticks / os.sysconf("SC_CLK_TCK")


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def server_cpu_parts(server: subprocess.Popen, database: str) -> Callable[[], tuple[float, float]]:
    """CPU seconds (user + system) used so far by gunicorn (its master and workers) and by
    the PostgreSQL backends connected to the bench database, apart (read from /proc)."""
    import psycopg

    def used() -> tuple[float, float]:
        workers = [pid for pid in _pids() if (s := _stat(pid)) and int(s[1]) == server.pid]
        with psycopg.connect(SERVER_DB_URL, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [database]
            ).fetchall()
        return _cpu_seconds([server.pid, *workers]), _cpu_seconds([pid for (pid,) in rows])

    return used


def server_cpu(server: subprocess.Popen, database: str) -> Callable[[], float]:
    """The sum of `server_cpu_parts`: gunicorn's and its PostgreSQL backends' CPU seconds."""
    parts = server_cpu_parts(server, database)
    return lambda: sum(parts())


def redis_cpu() -> float:
    """CPU seconds used so far by the machine's redis-server processes (0 where Redis runs
    elsewhere: this figure is then not measured)."""
    redis = []
    for pid in _pids():
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "redis-server":
                redis.append(pid)
        except OSError:
            continue
    return _cpu_seconds(redis)


# --- Orchestration -------------------------------------------------------------------------


def recreate_database(name: str, create: bool) -> None:
    import psycopg

    with psycopg.connect(SERVER_DB_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def checkout_env(root: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_ENV", None)  # development settings, with DEBUG turned off
    env.update(
        # The checkout, and a sitecustomize that drops the virtualenv's editable install
        # (which would lend an older checkout the modules it lacks from the working tree).
        PYTHONPATH=os.pathsep.join([str(root), str(ROOT / "bench" / "checkout_site")]),
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/11",
        LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore:No directory at",  # whitenoise: no collectstatic here
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(root: Path, env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    options = f"--bind 127.0.0.1:{port} --workers {workers} --log-level warning".split()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen([gunicorn, "config.wsgi:application", *options], cwd=root, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up")
        try:
            if healthz(port, timeout=2) == 200:
                return server, port
        except (OSError, HTTPError):
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz/ within 30 s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--base", type=Path, help="a checkout of the code before the change")
    parser.add_argument(
        "--content",
        nargs=2,
        metavar=("QUESTIONNAIRE", "CATALOGUE"),
        default=[],
        help="load only these two files (paths in each checkout) instead of the default content",
    )
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:  # in a subprocess, inside one checkout
        print(json.dumps(set_up(args.clients, args.content)))
        return

    checkouts = ([("before", args.base.resolve())] if args.base else []) + [("after", ROOT)]
    targets = []
    try:
        for name, root in checkouts:
            database = f"autodiag_bench_{name}"
            recreate_database(database, create=True)
            env = checkout_env(root, f"postgresql://postgres@127.0.0.1:5432/{database}")
            targets.append({"name": name, "root": root, "database": database, "env": env})
            run = [sys.executable, "manage.py", "migrate", "--verbosity", "0"]
            subprocess.run(run, cwd=root, env=env, check=True)
            setup = [sys.executable, str(Path(__file__).resolve()), "--setup"]
            out = subprocess.run(
                [*setup, "--clients", str(args.clients), *content_args(args.content)],
                cwd=root,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            targets[-1]["data"] = json.loads(out.strip().splitlines()[-1])
        print(
            f"gunicorn: {args.workers} sync workers, DEBUG off; {args.clients} clients, each "
            f"the admin of its own company; {args.seconds:g} s per phase after a warm-up, "
            f"{args.rounds} rounds; {os.cpu_count()} CPU cores; content: "
            f"{' and '.join(args.content) if args.content else 'each checkout its default'}"
        )
        for target in targets:
            pages = target["data"]["pages"]
            answers = sum(1 for _, fields in pages for n, _ in fields if n.endswith("-v"))
            print(
                f"[{target['name']}] one completion = {len(pages)} domain pages, "
                f"{answers} answers, {5 + 2 * len(pages)} requests"
            )
        for target in targets:
            print(
                f"[{target['name']}] SQL statements per completion: {target['data']['statements']}"
            )
            print(
                f"[{target['name']}] in-process ms per completion, one client, median of 10: "
                f"{target['data']['ms']}"
            )
        for round_ in range(1, args.rounds + 1):
            for target in targets:
                server, port = start_gunicorn(target["root"], target["env"], args.workers)
                try:
                    run_healthz(port, args.clients, 1.0)  # warm-up
                    ceiling = run_healthz(port, args.clients, args.seconds)
                    cpu = server_cpu_parts(server, target["database"])
                    run_journeys(port, target["data"], 3.0, cpu)  # warm-up
                    result = run_journeys(port, target["data"], args.seconds, cpu)
                finally:
                    stop(server)
                print_round(target["name"], round_, ceiling, result)
    finally:
        from contextlib import suppress

        for target in targets:
            with suppress(Exception):
                recreate_database(target["database"], create=False)
    print(f"load average {os.getloadavg()[0]:.2f}")


def content_args(content: list[str]) -> list[str]:
    return ["--content", *content] if content else []


def print_round(name: str, round_: int, ceiling: dict, result: dict) -> None:
    print(
        f"[{name}] round {round_}: healthz {ceiling['rps']:.0f} req/s "
        f"(errors {ceiling['errors']}); journey {result['completions/s']:.2f} completions/s, "
        f"{result['answers/s']:.0f} answers/s ({result['completions']:.1f} completions), "
        f"server CPU {result['cpu ms']:.0f} ms per completion (gunicorn "
        f"{result['gunicorn cpu ms']:.0f}, PostgreSQL {result['postgres cpu ms']:.0f}), "
        f"errors {dict(result['errors']) or 0}"
    )
    print(
        f"    beside the server, per completion: clients' CPU {result['clients cpu ms']:.0f} ms, "
        f"Redis's {result['redis cpu ms']:.0f} ms"
    )
    print(
        "    p50/p95 ms: "
        + "; ".join(
            f"{kind} {p50:.0f}/{p95:.0f}" for kind, (p50, p95) in result["percentiles"].items()
        )
    )


if __name__ == "__main__":
    main()
