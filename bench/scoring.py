"""Time score() and consolidate() on a synthetic 200-question diagnostic.

Run from the repository root: .venv/bin/python bench/scoring.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diagnostics.definition import (
    Band,
    Choice,
    Competency,
    Condition,
    Domain,
    Profile,
    Question,
    QuestionnaireDef,
)
from diagnostics.scoring import AnswerValue, consolidate, score

KINDS = ("maturity", "single", "yesno", "multiple", "number")
CHOICES = tuple(Choice(code, {"fr": code}, level) for level, code in enumerate("abcde"))
BANDS = (Band(0, 0), Band(20, 1), Band(40, 2), Band(60, 3), Band(80, 4))
PROFILE = Profile(sector="25", headcount_band="10_49")


def build_definition() -> QuestionnaireDef:
    """8 domains × 5 competencies × 5 questions of mixed kinds, 2 conditional per competency."""
    domains = []
    for d in range(8):
        competencies = []
        for c in range(5):
            code = f"D{d}.C{c}"
            questions = []
            for i, kind in enumerate(KINDS):
                condition = None
                if i == 3:  # shown when the yes/no question before it was answered "yes"
                    condition = Condition("in", question=f"{code}.Q2", values=("yes",))
                elif i == 4:  # shown when the first (maturity) answer is at least 2
                    condition = Condition("at_least", question=f"{code}.Q0", at_least=2)
                questions.append(
                    Question(
                        code=f"{code}.Q{i}",
                        kind=kind,
                        text={"fr": "?"},
                        competency=code,
                        domain=f"D{d}",
                        choices=CHOICES if kind in ("single", "multiple") else (),
                        min=0.0 if kind == "number" else None,
                        max=100.0 if kind == "number" else None,
                        bands=BANDS if kind == "number" else (),
                        condition=condition,
                    )
                )
            competencies.append(
                Competency(
                    code, {"fr": code}, f"D{d}", tuple(questions), target=3, weight=1 + c % 2
                )
            )
        domains.append(Domain(f"D{d}", {"fr": f"D{d}"}, tuple(competencies)))
    return QuestionnaireDef(key="bench", version=1, title={"fr": "Bench"}, domains=tuple(domains))


def random_value(q: Question, rng: random.Random) -> Any:
    if q.kind == "maturity":
        return rng.randint(0, 4)
    if q.kind == "single":
        return rng.choice("abcde")
    if q.kind == "multiple":
        return rng.sample("abcde", rng.randint(0, 3))
    if q.kind == "yesno":
        return rng.choice(["yes", "no"])
    return rng.uniform(0, 100)


def random_answers(defn: QuestionnaireDef, rng: random.Random) -> dict[str, AnswerValue]:
    answers = {}
    for q in defn.questions():
        draw = rng.random()
        if draw < 0.1:
            continue  # unanswered
        if draw < 0.2:
            answers[q.code] = AnswerValue(dont_know=True)
        else:
            answers[q.code] = AnswerValue(random_value(q, rng))
    return answers


def timings_ms(run: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def main() -> None:
    rng = random.Random(42)
    defn = build_definition()
    count = sum(1 for _ in defn.questions())
    answers = random_answers(defn, rng)
    sets = {f"r{i}": random_answers(defn, rng) for i in range(5)}

    median, p95 = timings_ms(lambda: score(defn, answers, PROFILE), 200)
    print(f"score() {count} questions: median {median:.2f} ms, p95 {p95:.2f} ms")
    median, p95 = timings_ms(lambda: consolidate(defn, sets, PROFILE), 50)
    print(
        f"consolidate() {count} questions, 5 respondents: median {median:.2f} ms, p95 {p95:.2f} ms"
    )


if __name__ == "__main__":
    main()
