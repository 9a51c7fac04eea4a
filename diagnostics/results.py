"""What the results page and the PDF report show, read from the frozen results."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import HeadcountBand, Region

from .benchmarks import BenchmarkGroup, benchmark_for
from .charts import RadarAxis, radar_svg
from .definition import tr
from .models import Answer, Diagnostic
from .scoring import DomainResult, Results


def change_as_shown(before: float | None, now: float | None, *, places: int) -> float | None:
    """The change between two figures shown rounded (half up) to `places` decimals, as
    the difference of what is shown: 15.6 -> 25.4 shows as 16 -> 25 and +9, not +10."""
    if before is None or now is None:
        return None
    step = Decimal(1).scaleb(-places)

    def shown(value: float) -> Decimal:
        return Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)

    return float(shown(now) - shown(before))


def results_context(diagnostic: Diagnostic, lang: str) -> dict[str, Any]:
    """Everything the results page (and the PDF) shows, from the frozen results."""
    spec = diagnostic.questionnaire.spec
    frozen = diagnostic.results
    res = Results.from_dict(frozen["results"])
    domains = []
    for d in res.domains:
        domain_spec = spec.domain(d.code)
        comps = []
        for c in domain_spec.competencies:
            cr = res.competency(c.code)
            comps.append({"title": tr(c.title, lang), "result": cr})
        domains.append(
            {
                "code": d.code,
                "title": tr(domain_spec.title, lang),
                # A domain with too few known answers among its own questions shows no
                # score (its competencies still do, each with its count of known answers).
                "result": d if d.reliable else _without_score(d),
                "few_known": (
                    None
                    if d.reliable or d.concerned == 0
                    else {"known": d.known, "of": d.concerned}
                ),
                "competencies": comps,
            }
        )
    benchmark = benchmark_for(diagnostic)
    for d in domains:
        mean, count = benchmark.domains.get(d["code"], (None, None)) if benchmark else (None, None)
        d["benchmark"], d["benchmark_count"] = mean, count
    titles = {c.code: tr(c.title, lang) for c in spec.competencies()}
    gaps = res.ranked_gaps()
    chart = radar_svg(
        [
            RadarAxis(label=d["title"], score=d["result"].score, target=_pct(d["result"].target))
            for d in domains
        ],
        title=_("Score and target per domain"),
        score_label=_("Score"),
        target_label=_("Target"),
        no_score_label=_("no score"),
    )
    respondents = frozen.get("respondents") or {}
    divergence = [
        {
            "title": titles.get(d["competency"], d["competency"]),
            "levels": [(respondents.get(k, "?"), v) for k, v in d["levels"].items()],
            "spread": d["spread"],
            "disagree": d["disagree"],
        }
        for d in frozen.get("divergence", [])
    ]
    # The change since the previous diagnostic compares reliable scores only: none when
    # these rest on too few known answers (the page shows no chart of them either), and
    # an earlier diagnostic with too few known answers is left out, as in the charts over
    # time.
    previous = (
        Diagnostic.objects.filter(
            company_id=diagnostic.company_id,
            status=Diagnostic.Status.SUBMITTED,
            questionnaire__key=diagnostic.questionnaire.key,
            submitted_at__lt=diagnostic.submitted_at,
        )
        .reliable()
        .order_by("-submitted_at")
        .only("submitted_at", "results")
        .first()
        if res.reliable
        else None
    )
    evolution = []
    if previous is not None:
        before = Results.from_dict(previous.results["results"])
        for d in domains:
            old = before.domain(d["code"])
            new_score = d["result"].score
            old_score = old.score if old and old.reliable else None
            delta = change_as_shown(old_score, new_score, places=0)
            evolution.append(
                {"title": d["title"], "before": old_score, "now": new_score, "delta": delta}
            )
    free_texts = [
        {"question": tr(spec.question(code).text, lang), "answer": value, "respondent": name or ""}
        for code, value, name in Answer.objects.filter(diagnostic=diagnostic, question__kind="text")
        .exclude(value__isnull=True)
        .order_by("question__position", "respondent__full_name")
        .values_list("question__code", "value", "respondent__full_name")
        if value
    ]
    return {
        "diagnostic": diagnostic,
        "res": res,
        "few_known": [{"title": d["title"], **d["few_known"]} for d in domains if d["few_known"]],
        "free_texts": free_texts,
        "domains": domains,
        "benchmark": benchmark,
        "benchmark_scope": benchmark_scope(benchmark),
        "chart": chart,
        "gaps": [(titles[c.code], c) for c in gaps],
        # Gaps of competencies with too few known answers (the rule of a domain's score):
        # their plan lines say they are to confirm, and so does the page under the gaps.
        "gaps_to_confirm": [
            {"title": titles[c.code], "known": c.known, "of": c.concerned}
            for c in gaps
            if not c.enough_known(res.min_known_share)
        ],
        "divergence": divergence,
        "respondents": respondents,
        "previous": previous,
        "evolution": evolution,
    }


def _without_score(domain: DomainResult) -> DomainResult:
    return replace(domain, level=None, score=None, gap=None)


def benchmark_scope(benchmark: BenchmarkGroup | None) -> str:
    """Who the similar companies are, in words: "NAF section C, 10 to 49 employees"."""
    if benchmark is None:
        return ""
    parts = [_("NAF section %(section)s") % {"section": benchmark.section}]
    if benchmark.headcount_band:
        parts.append(str(dict(HeadcountBand.choices)[benchmark.headcount_band]))
    if benchmark.region:
        parts.append(str(dict(Region.choices)[benchmark.region]))
    return ", ".join(parts)


def _pct(level: float | None) -> float | None:
    return None if level is None else round(level / 4 * 100, 1)
