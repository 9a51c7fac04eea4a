"""Observatory and benchmarks at scale (quality bar P2): page time and queries, export memory.

Run from the repository root against the scale data set (seed it first, in a database of
its own):
    createdb -h 127.0.0.1 -U postgres autodiag_scale
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/autodiag_scale
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_questionnaire
    .venv/bin/python manage.py load_catalogue && .venv/bin/python manage.py load_funding
    .venv/bin/python manage.py seed_scale            # 100,000 companies, 300,000 diagnostics
    .venv/bin/python bench/observatory.py [--runs 50] [--portfolio 500] [--export-rows 100000]

1. In process, with Django's test client (DEBUG off, no network): --runs GETs of each page,
   after 3 warm-ups, timed end to end (view, queries, template); prints p50, p95, max and
   the number of SQL queries of one request. Pages: the operator's training needs and
   funding forecast (the whole sector, one region's and one branch's, all precomputed;
   then one region and one branch at once, summed from their facts on each request), the
   same for an advisor following --portfolio companies (summed from the facts on each
   request), also for one branch; then the benchmark read that the
   results page and the PDF add (benchmark_for, the scale diagnostics have no frozen
   results to render a whole page).
2. Memory: an advisor's portfolio export of --export-rows companies, CSV (streamed) and
   XLSX (write-only), consumed chunk by chunk; prints the rows, the bytes and the peak
   Python allocation (tracemalloc) and the process RSS before and after.
Prints only; asserts nothing. Creates three users (bench.*@bench.example) and the advisors'
assignments, and leaves them for the next run; then runs VACUUM ANALYZE on the facts, the
aggregates and the assignments, as autovacuum would (this machine's PostgreSQL may run
without it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(client, url: str, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return times, len(captured)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--portfolio", type=int, default=500)
    parser.add_argument("--export-rows", type=int, default=100_000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to the scale database (see the docstring).")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Company, User
    from diagnostics.models import Diagnostic
    from observatory.models import Aggregate, PlanLineFact

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    companies = Company.objects.count()
    print(
        f"Data: {companies} companies, "
        f"{Diagnostic.objects.filter(status='submitted').count()} submitted diagnostics, "
        f"{PlanLineFact.objects.count()} plan line facts, {Aggregate.objects.count()} aggregates"
    )
    operator, _ = User.objects.get_or_create(
        email="bench.operateur@bench.example",
        defaults={"full_name": "Bench Opérateur", "is_staff": True, "is_superuser": True},
    )
    advisor, _ = User.objects.get_or_create(
        email="bench.conseil@bench.example",
        defaults={"full_name": "Bench Conseil", "is_advisor": True},
    )
    ids = list(Company.objects.order_by("pk").values_list("pk", flat=True)[: args.export_rows])
    through = Company.advisors.through
    if through.objects.filter(user=advisor).count() != len(ids):
        through.objects.filter(user=advisor).delete()
        through.objects.bulk_create(
            (through(company_id=pk, user=advisor) for pk in ids), batch_size=10_000
        )
    small, _ = User.objects.get_or_create(
        email="bench.conseil2@bench.example",
        defaults={"full_name": "Bench Conseil 2", "is_advisor": True},
    )
    if through.objects.filter(user=small).count() != args.portfolio:
        through.objects.filter(user=small).delete()
        through.objects.bulk_create(
            through(company_id=pk, user=small) for pk in ids[: args.portfolio]
        )
    from django.db import connection

    # What autovacuum does in production after a refresh and these assignments (it may be
    # off on a bench machine): the dead rows of earlier refreshes cleared, statistics fresh.
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE observatory_planlinefact, observatory_aggregate, "
            "accounts_company_advisors"
        )

    def client_for(user):
        client = Client()
        client.force_login(user)
        return client

    pages = [
        ("operator: training needs", operator, reverse("observatory:needs")),
        ("operator: funding forecast", operator, reverse("observatory:funding")),
        # One region (Auvergne-Rhône-Alpes), one branch (the metal industry): precomputed.
        ("operator, one region: needs", operator, reverse("observatory:needs") + "?region=84"),
        (
            "operator, one region: funding",
            operator,
            reverse("observatory:funding") + "?region=84",
        ),
        ("operator, one branch: needs", operator, reverse("observatory:needs") + "?branch=3248"),
        (
            "operator, one branch: funding",
            operator,
            reverse("observatory:funding") + "?branch=3248",
        ),
        # Both at once: summed from their facts on each request.
        (
            "operator, one region and branch: needs",
            operator,
            reverse("observatory:needs") + "?region=84&branch=3248",
        ),
        (
            "operator, one region and branch: funding",
            operator,
            reverse("observatory:funding") + "?region=84&branch=3248",
        ),
        (f"advisor ({args.portfolio} companies): needs", small, reverse("observatory:needs")),
        (f"advisor ({args.portfolio} companies): funding", small, reverse("observatory:funding")),
        (
            f"advisor ({args.portfolio} companies), one branch: needs",
            small,
            reverse("observatory:needs") + "?branch=3248",
        ),
    ]
    print(f"\n{'page':48} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for label, user, url in pages:
        times, queries = timed(client_for(user), url, args.runs)
        print(
            f"{label:48} {statistics.median(times):8.1f} {p95(times):8.1f} "
            f"{max(times):8.1f} {queries:8d}"
        )

    from django.test.utils import CaptureQueriesContext

    from diagnostics.benchmarks import benchmark_for

    diagnostic = (
        Diagnostic.objects.filter(status="submitted", company__naf_code__startswith="25")
        .select_related("company")
        .order_by("-pk")
        .first()
    )
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        group = benchmark_for(diagnostic)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as captured:
        benchmark_for(diagnostic)
    print(
        f"{'benchmark read of a results page/PDF':48} {statistics.median(times):8.1f} "
        f"{p95(times):8.1f} {max(times):8.1f} {len(captured):8d}"
        f"   ({group.companies if group else 0} companies in its group)"
    )

    print(f"\nPortfolio export of {len(ids)} companies (advisor following them all):")
    client = client_for(advisor)
    for fmt in ("csv", "xlsx"):
        before = rss_mb()
        tracemalloc.start()
        start = time.perf_counter()
        response = client.get(reverse("advisors:portfolio_export"), {"format": fmt})
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"  {fmt}: {size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s, "
            f"peak Python allocation {peak / 1e6:.1f} MB, "
            f"RSS {before:.0f} -> {rss_mb():.0f} MB"
        )


if __name__ == "__main__":
    main()
