"""PDF report rendering time against a bare WeasyPrint render, and worker memory.

Run from the repository root:
    .venv/bin/python bench/reports.py [--reports 500] [--warm 20] [--runs 10]
    .venv/bin/python bench/reports.py --content \
        diagnostics/questionnaires/competences-industrie-v1.yaml reports/catalogue/catalogue-v1.yaml

Creates (and drops at the end) a PostgreSQL database "autodiag_bench_pdf", or the one named
by BENCH_PDF_DB (so that two checkouts can run at once), migrates it and loads the default
questionnaire, catalogue and demo data; with DATABASE_URL set, it uses that database
instead and leaves the bench data in it. The report is the demo company's latest
submitted diagnostic with the action plan made by plan_for, in French. --content loads only
the given questionnaire and catalogue files instead of every default one, so that two
checkouts whose default content differs render the same questions and actions (the demo's
answers are drawn by a seeded generator, the same in both).

1. Timings (median and min of --runs interleaved rounds after 2 warm-ups, and the median
   of the process's CPU time, which another tenant of the machine moves less) of the same HTML
   rendered by a bare WeasyPrint call (without and with static/css/report.css, default
   fetcher, no PDF variant), by reports.pdf.render_pdf (safe fetcher, PDF/UA-1; also its
   layout and PDF writing apart), by make_pdf (context and template too) and by the whole
   Celery task, run in-process with render_report.apply() (claim, render, storage save in
   a temporary MEDIA_ROOT, mark ready, locmem e-mail; DEBUG off).
2. Memory: the whole task --reports times in this process (a new Report row each time),
   with VmRSS read from /proc/self/status after each, and the garbage collector's
   collections and CPU time per report. Prints only; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_PDF_DB", "autodiag_bench_pdf")
SERVER_DB_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REPORT_CSS = ROOT / "static" / "css" / "report.css"


def recreate_database(create: bool) -> None:
    import psycopg

    with psycopg.connect(SERVER_DB_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def set_up_data(content: list[str]) -> tuple:
    """The demo company's submitted diagnostic, its plan, and the user who asks for reports;
    content: [questionnaire, catalogue] files to load instead of the default ones."""
    from django.core.management import call_command

    from accounts.models import Membership
    from diagnostics.models import Diagnostic
    from reports.services import plan_for

    questionnaire_files, catalogue_files = content[:1], content[1:]  # nothing: every file
    call_command("load_questionnaire", *questionnaire_files, verbosity=0, stdout=io.StringIO())
    call_command("load_catalogue", *catalogue_files, verbosity=0, stdout=io.StringIO())
    for command in ("seed_demo", "seed_demo_diagnostics"):
        call_command(command, verbosity=0, stdout=io.StringIO())
    diagnostic = (
        Diagnostic.objects.filter(status=Diagnostic.Status.SUBMITTED)
        .select_related("company", "questionnaire")
        .latest("submitted_at")
    )
    plan = plan_for(diagnostic)
    admin = Membership.objects.filter(
        company=diagnostic.company, role=Membership.Role.ADMIN
    ).first()
    return diagnostic, plan, admin.user if admin else None


def counting(call: Callable[[], object], pages: int) -> Callable[[], int]:
    def func() -> int:
        call()
        return pages

    return func


def timed(runs: int, cases: list[tuple[str, Callable[[], int]]]) -> dict[str, dict]:
    """Each func returns the page count. 2 untimed warm-ups each, then `runs` rounds that
    call every case once in turn, so that background load is spread over all cases; the
    heap is collected, untimed, before each call."""
    for _ in range(2):
        for _, func in cases:
            func()
    times: dict[str, list[float]] = {name: [] for name, _ in cases}
    cpu: dict[str, list[float]] = {name: [] for name, _ in cases}
    pages: dict[str, int] = {}
    for _ in range(runs):
        for name, func in cases:
            # Each case starts from a collected heap: a case does not pay for the garbage
            # the one before left (the bare renders run with the collector on).
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            pages[name] = func()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    results = {}
    for name, values in times.items():
        median = statistics.median(values)
        results[name] = {"median": median, "min": min(values), "pages": pages[name]}
        results[name]["cpu"] = statistics.median(cpu[name])
        results[name]["pps"] = pages[name] / median
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--content",
        nargs=2,
        metavar=("QUESTIONNAIRE", "CATALOGUE"),
        default=[],
        help="load only these two files (paths in the checkout) instead of the default content",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="after the set-up, run the whole task once per 'task' line on stdin "
        "(used by bench/compare_reports.py)",
    )
    args = parser.parse_args()
    if not args.serve and not 0 < args.warm < args.reports:
        parser.error("need 0 < --warm < --reports")

    sys.path.insert(0, str(ROOT))
    # The virtualenv may be shared with another checkout: its editable install would lend
    # this checkout the modules it lacks from that working tree. Copy bench/checkout_site
    # with this script; it drops that finder here and in the manage.py subprocesses.
    checkout_site = Path(__file__).resolve().parent / "checkout_site"
    runpy.run_path(str(checkout_site / "sitecustomize.py"))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(checkout_site)])
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic
    media_root = tempfile.mkdtemp(prefix="autodiag-bench-media-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    own_database = "DATABASE_URL" not in os.environ
    if own_database:
        recreate_database(create=True)
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{BENCH_DB}"
    os.environ.update(
        CELERY_BROKER_URL="memory://",  # nothing is sent: the task runs with apply()
        LOG_LEVEL="WARNING",
        DJANGO_DEBUG="0",  # as in a production worker (DEBUG keeps every SQL query)
        MEDIA_ROOT=media_root,
        MEDIA_STORAGE_BACKEND="django.core.files.storage.FileSystemStorage",
    )
    os.environ.pop("EMAIL_URL", None)
    try:
        manage = [sys.executable, "manage.py", "migrate", "--verbosity", "0"]
        subprocess.run(manage, cwd=ROOT, check=True)
        import django

        django.setup()
        from django.conf import settings

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        diagnostic, plan, user = set_up_data(args.content)
        if args.serve:
            serve(diagnostic, user)
        else:
            run(args, diagnostic, plan, user)
    finally:
        shutil.rmtree(media_root, ignore_errors=True)
        if own_database:
            from django.db import connections

            connections.close_all()
            recreate_database(create=False)


def whole_task(diagnostic: Any, user: Any) -> tuple[Callable[[], Any], Callable[[Any], int]]:
    """new_report() makes a Report row to render; task(report) runs the whole Celery task
    on it in this process and returns its page count (the file and e-mail are dropped)."""
    from django.core import mail

    from reports.models import Report
    from reports.tasks import render_report

    last = Report.objects.filter(diagnostic=diagnostic).order_by("-number").first()
    numbers = iter(range((last.number if last else 0) + 1, 10**7))

    def new_report() -> Report:
        return Report.objects.create(
            company=diagnostic.company,
            diagnostic=diagnostic,
            number=next(numbers),
            language="fr",
            source_fingerprint="bench",
            requested_by=user,
        )

    def task(report: Report) -> int:
        result = render_report.apply(args=[report.pk], throw=True).result
        if result != "ready":
            raise RuntimeError(f"render_report returned {result!r}")
        row = Report.objects.get(pk=report.pk)
        row.file.storage.delete(row.file.name)
        mail.outbox = []
        return row.pages

    return new_report, task


def serve(diagnostic: Any, user: Any) -> None:
    """For bench/compare_reports.py: "ready" on stdout, then for each "task" line on stdin
    the whole task once, answered with "<seconds> <CPU seconds> <pages>"; stops at EOF.
    No collection between tasks, as in a worker rendering reports back to back."""
    new_report, task = whole_task(diagnostic, user)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "task":
            raise SystemExit(f"unknown command {line.strip()!r}")
        report = new_report()
        start, start_cpu = time.perf_counter(), time.process_time()
        pages = task(report)
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        print(f"{wall:.4f} {cpu:.4f} {pages}", flush=True)


def run(args: argparse.Namespace, diagnostic: Any, plan: Any, user: Any) -> None:
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import CSS, HTML

    from reports.document import make_pdf, report_context
    from reports.pdf import PDF_VARIANT, StaticOnlyFetcher, render_pdf

    new_report, task = whole_task(diagnostic, user)

    def build_html() -> str:
        with translation.override("fr"):
            return render_to_string("reports/pdf.html", report_context(diagnostic, "fr", 1))

    html = build_html()
    base_url = str(ROOT / "static") + "/"
    pages_bare = len(HTML(string=html).render().pages)
    pages_css = len(
        HTML(string=html, base_url=base_url).render(stylesheets=[CSS(REPORT_CSS)]).pages
    )
    # The same layout as render_pdf, to time the layout and the PDF/UA writing apart.
    fetcher = StaticOnlyFetcher()
    layout = HTML(string=html, base_url="static:", url_fetcher=fetcher)
    our_css = [CSS(url="static:css/report.css", url_fetcher=fetcher)]
    document = layout.render(stylesheets=our_css)

    def bare() -> bytes:
        return HTML(string=html).write_pdf()

    def bare_css() -> bytes:
        return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[CSS(REPORT_CSS)])

    def tagged() -> bytes:
        return document.write_pdf(pdf_variant=PDF_VARIANT)

    pages = len(document.pages)
    cases: list[tuple[str, Callable[[], int]]] = [
        ("bare: HTML(string).write_pdf(), no CSS", counting(bare, pages_bare)),
        ("bare + report.css (default fetcher, untagged)", counting(bare_css, pages_css)),
        ("render_pdf(html) (safe fetcher, PDF/UA-1)", lambda: render_pdf(html).pages),
        (
            "  layout: HTML.render(stylesheets)",
            lambda: len(layout.render(stylesheets=our_css).pages),
        ),
        ("  write_pdf(pdf_variant='pdf/ua-1')", counting(tagged, pages)),
        ("  write_pdf() untagged, same layout", counting(document.write_pdf, pages)),
        ("HTML build (report_context + template)", counting(build_html, 0)),
        ("make_pdf(report) (HTML build + render_pdf)", lambda: make_pdf(report).pages),
        ("whole task: render_report.apply()", lambda: task(new_report())),
    ]
    report = new_report()
    print(
        f"Report: {diagnostic.questionnaire.key} v{diagnostic.questionnaire.version}, "
        f"{sum(1 for _ in diagnostic.questionnaire.spec.questions())} questions, "
        f"{plan.items.count()} plan items, French; "
        f"HTML {len(html) / 1024:.0f} KB; {os.cpu_count()} CPU cores; "
        f"load average {os.getloadavg()[0]:.2f}; RSS {rss_mb():.0f} MB"
    )
    print(f"\n{args.runs} interleaved runs each after 2 warm-ups (seconds; CPU: median)")
    print(f"{'case':<46} {'median':>7} {'min':>7} {'CPU':>7} {'pages':>5} {'pages/s':>7}")
    results = timed(args.runs, cases)
    for name, _ in cases:
        r = results[name]
        pps = f"{r['pps']:7.1f}" if r["pages"] else f"{'':>7}"
        pages = r["pages"] or ""
        print(f"{name:<46} {r['median']:7.3f} {r['min']:7.3f} {r['cpu']:7.3f} {pages:>5} {pps}")
    base = results[cases[1][0]]["median"]
    for name, _ in (cases[2], cases[7], cases[8]):
        print(
            f"ratio {name.split(' (')[0]} / bare + report.css: {results[name]['median'] / base:.2f}"
        )

    print(f"\nMemory: whole task {args.reports} times in one process (each a new Report row)")
    collections = [0, 0, 0]  # by generation: 2 is a full collection
    collecting = [0.0, 0.0]  # CPU seconds in the collector; when the current one started

    def collector(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting[1] = time.process_time()
        else:
            collections[info["generation"]] += 1
            collecting[0] += time.process_time() - collecting[1]

    gc.collect()  # the timings' garbage is not the loop's
    gc.callbacks.append(collector)
    rss_start = rss_mb()
    rss_warm = rss_peak = rss_start
    total_pages = 0
    task_times = []
    start = time.perf_counter()
    for i in range(1, args.reports + 1):
        t0 = time.perf_counter()
        total_pages += task(new_report())
        task_times.append(time.perf_counter() - t0)
        rss = rss_mb()
        rss_peak = max(rss_peak, rss)
        if i == args.warm:
            rss_warm = rss
        if i % 50 == 0 or i == args.reports:
            print(f"  {i:4d} reports: RSS {rss:6.1f} MB, {time.perf_counter() - start:6.0f} s")
    elapsed = time.perf_counter() - start
    gc.callbacks.remove(collector)
    print(
        f"RSS before the loop: {rss_start:.1f} MB; after {args.warm}: {rss_warm:.1f} MB; "
        f"at the end: {rss:.1f} MB; peak: {rss_peak:.1f} MB"
    )
    print(
        f"growth after the first {args.warm}: {rss - rss_warm:+.1f} MB "
        f"(goal: < 50 MB); since the loop started: {rss - rss_start:+.1f} MB"
    )
    print(
        f"throughput: {args.reports / elapsed:.2f} reports/s, {total_pages / elapsed:.1f} "
        f"pages/s; task median {statistics.median(task_times):.3f} s, "
        f"max {max(task_times):.3f} s; load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"garbage collector, per report: {collections[2] / args.reports:.1f} full and "
        f"{(collections[0] + collections[1]) / args.reports:.1f} young collections, "
        f"{collecting[0] / args.reports:.3f} s of CPU"
    )


if __name__ == "__main__":
    main()
