from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection

from accounts.models import Membership
from diagnostics import services as diagnostic_services
from reports import services as report_services
from reports.models import FundingRules

from .factories import MembershipFactory, UserFactory, save_answers
from .samples import SMALL, SMALL_CATALOGUE

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _caches_by_id_end_with_the_test_on_sqlite():
    """SQLite gives the ids of the rows a test's rollback removed to the next test's rows
    (PostgreSQL's sequences never go back), so there the per-process caches keyed by a
    questionnaire version's id must not outlive the test."""
    yield
    if connection.vendor == "sqlite":
        from diagnostics import models

        models._PUBLISHED.clear()
        models._QUESTION_IDS.clear()


@pytest.fixture
def database_down(db):
    """`with database_down():` every new cursor fails as if PostgreSQL were unreachable."""

    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    @contextmanager
    def down():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(connection, "cursor", refuse)
            yield

    return down


@dataclass
class Party:
    company: object
    admin: object
    member: object


@pytest.fixture
def company_a(db) -> Party:
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    member = MembershipFactory(company=admin.company, role=Membership.Role.MEMBER)
    return Party(company=admin.company, admin=admin.user, member=member.user)


@pytest.fixture
def company_b(db) -> Party:
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    member = MembershipFactory(company=admin.company, role=Membership.Role.MEMBER)
    return Party(company=admin.company, admin=admin.user, member=member.user)


@pytest.fixture
def outsider(company_b):
    """The admin of another company."""
    return company_b.admin


@pytest.fixture
def advisor(company_a):
    user = UserFactory(is_advisor=True)
    company_a.company.advisors.add(user)
    return user


@pytest.fixture
def client_for(client):
    """Log a user in (force_login: axes needs a request for authenticate())."""

    def login(user):
        client.force_login(user)
        return client

    return login


# --- Questionnaires, diagnostics, catalogue ------------------------------------------------

DEFAULT_FILE = (
    Path(__file__).resolve().parents[1] / "diagnostics/questionnaires/competences-industrie-v1.yaml"
)


@pytest.fixture
def small_questionnaire(db):
    questionnaire, _ = diagnostic_services.import_questionnaire(text=SMALL)
    return questionnaire


@pytest.fixture
def default_questionnaire(db):
    questionnaire, _ = diagnostic_services.import_questionnaire(text=DEFAULT_FILE.read_text())
    return questionnaire


@pytest.fixture
def start(company_a):
    def start(questionnaire, mode="collective", party=None):
        party = party or company_a
        membership = Membership.objects.get(user=party.admin, company=party.company)
        return diagnostic_services.start_diagnostic(
            membership=membership, questionnaire=questionnaire, mode=mode
        )

    return start


@pytest.fixture
def diagnostic(start, small_questionnaire):
    return start(small_questionnaire)


@pytest.fixture
def catalogue(db):
    row, _ = report_services.import_catalogue(text=SMALL_CATALOGUE)
    return row


FUNDING_FILE = ROOT / "reports" / "funding" / "funding-2026.yaml"


@pytest.fixture
def funding_rules(db):
    """The published default funding rules (reports/funding/funding-2026.yaml)."""
    row, _ = FundingRules.publish(text=FUNDING_FILE.read_text())
    return row


@pytest.fixture
def submitted(company_a, diagnostic, catalogue):
    """A submitted diagnostic of company A with gaps on both competencies."""
    save_answers(diagnostic, company_a.member)
    report_services.submit(diagnostic=diagnostic, user=company_a.admin)
    diagnostic.refresh_from_db()
    return diagnostic


@pytest.fixture
def scored_diagnostic(start):
    """Make a submitted diagnostic with frozen scores only (no answers), as benchmarks read
    them: `score` overall and on domain A, for `party`'s company or a new one of the given
    `company` fields. Its scores rest on enough known answers unless `reliable` is False."""
    from django.utils import timezone

    from diagnostics.models import Diagnostic, Score

    def make(questionnaire, *, score=60.0, reliable=True, party=None, **company):
        if party is None:
            admin = MembershipFactory(
                role=Membership.Role.ADMIN, **{f"company__{k}": v for k, v in company.items()}
            )
            party = Party(company=admin.company, admin=admin.user, member=None)
        diagnostic = start(questionnaire, party=party)
        Diagnostic.objects.filter(pk=diagnostic.pk).update(
            status="submitted",
            submitted_at=timezone.now(),
            results={"results": {"reliable": reliable}},
        )
        for level, code in (("domain", "A"), ("overall", "overall")):
            Score.objects.create(
                company=party.company, diagnostic=diagnostic, level=level, code=code, score=score
            )
        return diagnostic

    return make


# --- A real Celery worker process against Redis and the test database -----------------


@dataclass
class LiveWorker:
    process: subprocess.Popen
    nodename: str
    log: Path
    var_dir: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] or ""
    if s["PASSWORD"]:
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a process the tests start (a worker, a web server): the settings
    a deployment gets, on the test database, and `extra` on top."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        **extra,
    }


def start_worker(tmp: Path, *, concurrency: int = 1, extra_env: dict | None = None) -> LiveWorker:
    from config.celery import app

    nodename = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log = tmp / f"{nodename.split('@')[0]}.log"
    env = child_env(
        **{
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "AUTODIAG_VAR_DIR": str(tmp),
            "MEDIA_ROOT": str(tmp / "media"),
            **(extra_env or {}),
        }
    )
    process = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "-n",
            nodename,
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_until_ready(
        process, log, lambda: bool(app.control.ping(destination=[nodename], timeout=0.5)), 60
    )
    return LiveWorker(process, nodename, log, tmp)


def wait_until_ready(
    process: subprocess.Popen, log: Path, ready: Callable[[], bool], seconds: float
) -> None:
    """Wait until `ready()` says a process the tests started answers; if it exits or does
    not answer within `seconds`, fail with its log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited at start-up:\n{log.read_text()}")
        if ready():
            return
    process.kill()
    raise RuntimeError(f"{process.args[0]} did not answer within {seconds} s:\n{log.read_text()}")


def stop_worker(worker: LiveWorker) -> None:
    worker.process.terminate()
    try:
        worker.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


@pytest.fixture
def live_worker(transactional_db, tmp_path):
    """A worker process on the test database; tests using it commit their data."""
    from config.celery import app

    app.control.purge()
    worker = start_worker(tmp_path)
    yield worker
    stop_worker(worker)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def run_together(call: Callable[[], object], times: int = 2) -> list:
    """Call `call` from `times` threads released at the same moment, each with its own
    database connection (closed after): its results, in the order they came."""
    barrier = threading.Barrier(times)
    results = []

    def go():
        barrier.wait()
        try:
            results.append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --- Browser tests (pytest-playwright with Debian's Chromium) -----------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 1100, "height": 800}}
