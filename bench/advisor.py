"""Advisor pages (portfolio, review queue, review) as the portfolio grows: SQL statements
and time per page, in process, through Django's test client.

Run from the repository root:
    .venv/bin/python bench/advisor.py [--sizes 10,100,1000,5000] [--runs 5]

Creates (and drops at the end) a PostgreSQL database "autodiag_bench_advisor"; with
DATABASE_URL set, it uses that database instead and leaves the bench data in it. The demo
advisor's portfolio is grown, in bulk, to each size: every added company has a submitted
diagnostic with its overall score and a plan with its first-year figures. Prints only: the
statement count must not grow with the portfolio (quality bar P2); the time may, with the
database's work on larger sets.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "autodiag_bench_advisor"
SERVER_DB_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ADVISOR = "sophie.bernard@demo.example"


def recreate_database(create: bool) -> None:
    import psycopg

    with psycopg.connect(SERVER_DB_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def grow(advisor, count: int, start: int, model) -> None:
    """Add `count` followed companies like `model` (a submitted diagnostic with a plan)."""
    from django.utils import timezone

    from accounts.models import Company
    from accounts.validators import luhn_ok
    from diagnostics.models import Diagnostic, Score
    from reports.models import ActionPlan

    def siret(n: int) -> str:
        base = f"7{n:012d}"
        return next(base + d for d in "0123456789" if luhn_ok(base + d))

    companies = Company.objects.bulk_create(
        Company(
            siret=siret(start + i),
            name=f"Banc {start + i:06d}",
            naf_code=("25.62B", "22.29A", "10.71A")[i % 3],
            headcount_band=("1_9", "10_49", "50_249")[i % 3],
            region=("84", "52", "32")[i % 3],
        )
        for i in range(count)
    )
    Company.advisors.through.objects.bulk_create(
        Company.advisors.through(company_id=c.pk, user_id=advisor.pk) for c in companies
    )
    now = timezone.now()
    diagnostics = Diagnostic.objects.bulk_create(
        Diagnostic(
            company=c,
            questionnaire_id=model.questionnaire_id,
            status=Diagnostic.Status.SUBMITTED,
            sector=c.naf_code[:2],
            headcount_band=c.headcount_band,
            submitted_at=now,
            results=model.results,
        )
        for c in companies
    )
    Score.objects.bulk_create(
        Score(company_id=d.company_id, diagnostic=d, level="overall", code="overall", score=50)
        for d in diagnostics
    )
    plan = ActionPlan.objects.get(diagnostic=model)
    ActionPlan.objects.bulk_create(
        ActionPlan(
            company_id=d.company_id,
            diagnostic=d,
            catalogue_id=plan.catalogue_id,
            year1_cost_min=plan.year1_cost_min,
            year1_cost_max=plan.year1_cost_max,
            year1_funding_min=plan.year1_funding_min,
            year1_funding=plan.year1_funding,
            year1_remaining_min=plan.year1_remaining_min,
            year1_remaining_max=plan.year1_remaining_max,
        )
        for d in diagnostics
    )


def measure(client, url: str, runs: int) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return len(queries), statistics.median(times)


def run(sizes: list[int], runs: int) -> None:
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from diagnostics.models import Diagnostic

    for command in (
        "load_questionnaire",
        "load_catalogue",
        "load_funding",
        "seed_demo",
        "seed_demo_diagnostics",
    ):
        call_command(command, verbosity=0, stdout=io.StringIO())
    advisor = User.objects.get(email=ADVISOR)
    model = Diagnostic.objects.filter(
        company__advisors=advisor, status=Diagnostic.Status.SUBMITTED
    ).latest("submitted_at")
    client = Client()
    client.force_login(advisor)
    pages = {
        "portfolio": reverse("advisors:portfolio"),
        "portfolio filtered": reverse("advisors:portfolio")
        + "?sector=C&status=to_review&sort=-remaining",
        "queue": reverse("advisors:queue"),
        "review": reverse("advisors:review", args=[model.public_id]),
    }
    print(f"{'companies':>10}  " + "  ".join(f"{name:>24}" for name in pages))
    have = advisor.portfolio.count()
    for size in sizes:
        if size > have:
            grow(advisor, size - have, have, model)
            have = size
        cells = []
        for url in pages.values():
            statements, seconds = measure(client, url, runs)
            cells.append(f"{statements:>4} SQL {seconds * 1000:>9.1f} ms")
        print(f"{have:>10}  " + "  ".join(f"{c:>24}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,5000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    own_database = "DATABASE_URL" not in os.environ
    if own_database:
        recreate_database(create=True)
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{BENCH_DB}"
    os.environ.update(CELERY_BROKER_URL="memory://", LOG_LEVEL="WARNING", DJANGO_DEBUG="0")
    os.environ.pop("EMAIL_URL", None)
    try:
        manage = [sys.executable, "manage.py", "migrate", "--verbosity", "0"]
        subprocess.run(manage, cwd=ROOT, check=True)
        import django

        django.setup()
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["testserver"]
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        run(sizes, args.runs)
    finally:
        if own_database:
            from django.db import connections

            connections.close_all()
            recreate_database(create=False)


if __name__ == "__main__":
    main()
