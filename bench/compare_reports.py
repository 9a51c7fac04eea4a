"""The whole report task of two checkouts, asked of each in turn, for a ratio the load moves less.

Run from the repository root:
    .venv/bin/python bench/compare_reports.py /tmp/pdf-issue . [--tasks 20] [--warm 2] \
        --content diagnostics/questionnaires/competences-industrie-v1.yaml \
        reports/catalogue/catalogue-v1.yaml

On a shared machine the speed of the cores drifts over minutes: two runs of
bench/reports.py one after the other compare the checkouts on two different machines (the
same code measured 20-40 % apart from one run to the next). Here each checkout runs
`bench/reports.py --serve` in a process of its own, with its own database (BENCH_PDF_DB
autodiag_bench_pdf_a and _b), and the whole Celery task (the demo company's report, in
French) is asked of the first, then of the second, --tasks times after --warm each: each
pair is measured at the same moment of the machine's drift. Prints each checkout's median
time and CPU time, the ratio of the medians (second / first) and the quartiles of the
ratios of the pairs. Each checkout needs this script's bench/reports.py and
bench/checkout_site (copy them into an older checkout) and a .venv (a symbolic link to
this one will do).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Checkout:
    def __init__(self, path: Path, database: str, content: list[str]) -> None:
        self.path = path
        self.times: list[tuple[float, float]] = []
        self.pages = 0
        command = [str(path / ".venv" / "bin" / "python"), "bench/reports.py", "--serve"]
        if content:
            command += ["--content", *content]
        environment = {**os.environ, "BENCH_PDF_DB": database, "PYTHONPATH": str(path)}
        environment.pop("DATABASE_URL", None)  # each checkout makes and drops its own
        self.process = subprocess.Popen(
            command,
            cwd=path,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:  # the set-up may print before it is ready
            if line.strip() == "ready":
                return
        raise SystemExit(f"{path}: bench/reports.py --serve stopped before it was ready")

    def task(self) -> tuple[float, float]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("task\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().split()
        if len(answer) != 3:
            raise SystemExit(f"{self.path}: no answer to a task (see its output above)")
        wall, cpu, pages = float(answer[0]), float(answer[1]), int(answer[2])
        self.pages = pages
        return wall, cpu

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()  # EOF: the bench drops its database and stops
        self.process.wait(timeout=120)


def quartiles(values: list[float]) -> str:
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return f"{q1:.2f} / {q2:.2f} / {q3:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path, help="checkout measured first in each pair")
    parser.add_argument("second", type=Path, help="checkout measured second in each pair")
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--warm", type=int, default=2)
    parser.add_argument("--content", nargs=2, metavar=("QUESTIONNAIRE", "CATALOGUE"), default=[])
    args = parser.parse_args()
    if args.tasks < 2 or args.warm < 0:
        parser.error("need --tasks 2 or more and --warm 0 or more")

    first = Checkout(args.first.resolve(), "autodiag_bench_pdf_a", args.content)
    try:
        second = Checkout(args.second.resolve(), "autodiag_bench_pdf_b", args.content)
    except BaseException:
        first.close()
        raise
    try:
        for _ in range(args.warm):
            first.task()
            second.task()
        pairs = [(first.task(), second.task()) for _ in range(args.tasks)]
    finally:
        first.close()
        second.close()

    print(
        f"{args.tasks} pairs after {args.warm} warm-ups each; load average {os.getloadavg()[0]:.2f}"
    )
    print(f"{'checkout':<40} {'median s':>8} {'min s':>7} {'CPU s':>7} {'pages':>5}")
    for index, checkout in enumerate((first, second)):
        walls = [pair[index][0] for pair in pairs]
        cpus = [pair[index][1] for pair in pairs]
        print(
            f"{str(checkout.path)[-40:]:<40} {statistics.median(walls):8.3f} {min(walls):7.3f} "
            f"{statistics.median(cpus):7.3f} {checkout.pages:>5}"
        )
    walls = [b[0] / a[0] for a, b in pairs]
    cpus = [b[1] / a[1] for a, b in pairs]
    median_ratio = statistics.median(b[0] for _, b in pairs) / statistics.median(
        a[0] for a, _ in pairs
    )
    print(f"second / first, ratio of the medians: {median_ratio:.3f}")
    print(
        f"second / first, pair by pair (quartiles): time {quartiles(walls)}; CPU {quartiles(cpus)}"
    )
    print(
        f"pairs where the second took at most half the first's time: {sum(r <= 0.5 for r in walls)}"
    )


if __name__ == "__main__":
    sys.exit(main())
