"""A domain whose own questions have too few known answers shows no score, even when the
diagnostic as a whole has enough: not on the results page, the review, the PDF, the
history or the benchmarks, and it is neither a strongest nor a weakest domain."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from advisors.history import score_history
from diagnostics import services
from diagnostics.benchmarks import benchmark_for
from diagnostics.models import Diagnostic, Score
from diagnostics.scoring import Results
from observatory.tasks import refresh_benchmarks
from reports import services as report_services
from reports.document import report_context
from tests.diagnostics.test_results import answer
from tests.samples import SMALL, SMALL_CATALOGUE

# The small questionnaire with a 60 % threshold: domain B's 2 scored questions need both.
STRICT = SMALL.replace("min_known_share: 0.5", "min_known_share: 0.6")


@pytest.fixture
def strict_questionnaire(db):
    questionnaire, _ = services.import_questionnaire(text=STRICT)
    report_services.import_catalogue(text=SMALL_CATALOGUE)
    return questionnaire


def answer_all_but_b(diagnostic, user, b_level=["a"]):  # noqa: B006 - never mutated
    """Both scored questions of domain A known; domain B: one known, one "don't know"."""
    answer(diagnostic, user, "A.ONE.Q1", 3)
    answer(diagnostic, user, "A.ONE.Q2", "yes")
    answer(diagnostic, user, "A.ONE.Q3", 4)
    answer(diagnostic, user, "B.TWO.Q1", dont_know=True)
    answer(diagnostic, user, "B.TWO.Q3", b_level)


def answer_everything(diagnostic, user):
    answer(diagnostic, user, "A.ONE.Q1", 3)
    answer(diagnostic, user, "A.ONE.Q2", "no")
    answer(diagnostic, user, "B.TWO.Q1", 80)
    answer(diagnostic, user, "B.TWO.Q3", ["a"])


@pytest.fixture
def patchy(company_a, start, strict_questionnaire):
    """A submitted diagnostic, reliable overall (3 of 4 known), with domain B on 1 of 2."""
    diagnostic = start(strict_questionnaire)
    answer_all_but_b(diagnostic, company_a.member)
    services.submit_diagnostic(diagnostic=diagnostic, user=company_a.admin)
    diagnostic.refresh_from_db()
    return diagnostic


def test_the_domain_s_own_share_of_known_answers_decides(patchy):
    res = Results.from_dict(patchy.results["results"])
    a, b = res.domain("A"), res.domain("B")
    assert res.reliable is True
    assert res.known_share == 0.75
    assert (a.reliable, a.known, a.visible) == (True, 2, 2)
    assert (b.reliable, b.known, b.dont_know, b.score) == (False, 1, 1, 50.0)
    assert [d.code for d in res.strongest_domains()] == ["A"]
    assert [d.code for d in res.weakest_domains()] == ["A"]
    rows = {
        (s.level, s.code): s.reliable
        for s in Score.objects.filter(diagnostic=patchy).exclude(level="competency")
    }
    assert rows == {("overall", "overall"): True, ("domain", "A"): True, ("domain", "B"): False}


def test_results_frozen_before_the_rule_get_it_from_their_counts(patchy):
    frozen = patchy.results["results"]
    older = {
        **frozen,
        "domains": [{k: v for k, v in d.items() if k != "reliable"} for d in frozen["domains"]],
    }
    assert all("reliable" not in d for d in older["domains"])
    res = Results.from_dict(older)
    assert [d.reliable for d in res.domains] == [True, False]
    assert Results.from_dict(res.to_dict()) == res


def test_results_page_shows_no_score_for_the_domain_and_says_why(client_for, company_a, patchy):
    page = client_for(company_a.member).get(reverse("diagnostics:results", args=[patchy.public_id]))
    scores = page.text.split('id="chart-h"', 1)[1].split("</section>", 1)[0]
    assert '<tr><th scope="row">Domaine B</th><td>—</td><td>50</td><td>—</td>' in scores
    assert '<tr><th scope="row">Domaine A</th><td>88</td>' in scores
    assert (
        "Pas de score pour un domaine dont trop peu de questions ont une réponse connue\u00a0: "
        "Domaine B (2 questions, dont 1 avec une réponse connue)." in scores
    )
    # The chart draws no score for it (a hollow point), and says so in its description.
    assert "Domaine B: Score –" in scores


def test_the_review_shows_no_score_for_the_domain(client_for, advisor, patchy):
    page = client_for(advisor).get(reverse("advisors:review", args=[patchy.public_id]))
    assert page.status_code == 200
    summary = page.text.split('id="summary-h"', 1)[1].split("</section>", 1)[0]
    row = summary.split("Domaine B</th>", 1)[1].split("</tr>", 1)[0]
    assert row.startswith('<td class="text-end">—</td><td class="text-end">50</td>')  # target 50
    assert "Domaine B (2 questions, dont 1 avec une réponse connue)" in summary


def test_the_pdf_shows_no_score_for_the_domain_nor_counts_it_among_the_strongest(company_a, patchy):
    context = report_context(patchy, "fr", 1)
    assert [d["title"] for d in context["strongest"]] == ["Domaine A"]
    assert [d["title"] for d in context["weakest"]] == ["Domaine A"]
    b = next(d for d in context["domains"] if d["code"] == "B")
    assert (b["result"].score, b["result"].level, b["result"].gap) == (None, None, None)
    with translation.override("fr"):
        html = render_to_string("reports/pdf.html", context)
    summary = html.split('id="chart-h"', 1)[1].split("</section>", 1)[0]
    assert "Domaine B (2 questions, dont 1 avec une réponse connue)." in summary
    domain_b = html.split(">Domaine B</h2>", 1)[1].split("</section>", 1)[0]
    whole = domain_b.split('class="total"', 1)[1].split("</tr>", 1)[0]
    assert "<td>—</td>" in whole
    assert 'class="fill"' not in whole
    assert "Trop peu de réponses connues dans ce domaine (1 sur 2 questions)" in domain_b
    # Its competency keeps its own score, with its count of known answers.
    assert "<td>50</td>" in domain_b
    assert "<td>1/2</td>" in domain_b


def test_no_change_is_shown_for_a_domain_without_a_reliable_score(
    client_for, company_a, start, strict_questionnaire, patchy
):
    newer = start(strict_questionnaire)
    answer_everything(newer, company_a.member)
    services.submit_diagnostic(diagnostic=newer, user=company_a.admin)
    client = client_for(company_a.admin)
    page = client.get(reverse("diagnostics:results", args=[newer.public_id]))
    changes = {e["title"]: e for e in page.context["evolution"]}
    assert changes["Domaine A"]["delta"] is not None
    assert (changes["Domaine B"]["before"], changes["Domaine B"]["delta"]) == (None, None)


def test_the_history_leaves_the_domain_out_of_that_diagnostic(
    client_for, advisor, company_a, patchy
):
    history = score_history(company_a.company, "fr")
    values = {d["code"]: d["values"] for d in history["domains"]}
    assert values["A"] == [87.5]
    assert values["B"] == [None]
    assert history["unscored_domains"] is True
    note = "Un tiret\u00a0: trop peu de questions du domaine ont reçu une réponse connue"
    for user, url in (
        (advisor, reverse("advisors:company", args=[company_a.company.public_id])),
        (company_a.member, reverse("home")),
    ):
        page = client_for(user).get(url).text
        row = page.split(">Domaine B</th>", 1)[1].split("</tr>", 1)[0]
        assert row.startswith('<td class="text-end">—</td>')
        assert note in page


def test_a_history_with_every_domain_scored_has_no_note_on_dashes(client_for, company_a, submitted):
    assert score_history(company_a.company, "fr")["unscored_domains"] is False
    assert "data-unscored" not in client_for(company_a.member).get(reverse("home")).text


def test_the_benchmark_of_a_domain_leaves_out_a_score_on_too_few_answers(
    settings, scored_diagnostic, small_questionnaire, submitted
):
    settings.BENCHMARK_MIN_COMPANIES = 5
    others = [scored_diagnostic(small_questionnaire, score=80.0) for _ in range(4)]
    Score.objects.filter(diagnostic=others[0], level="domain").update(reliable=False)
    refresh_benchmarks()
    group = benchmark_for(submitted)
    assert group.companies == 5
    assert group.overall is not None
    assert "A" not in group.domains  # 4 reliable scores of domain A: below the threshold
    Score.objects.filter(diagnostic=others[0], level="domain").update(reliable=True)
    refresh_benchmarks()
    assert benchmark_for(submitted).domains["A"][1] == 5


def test_the_migration_marks_the_scores_of_diagnostics_submitted_before(patchy):
    """Migration diagnostics 0008 reads each submitted diagnostic's frozen results, also
    those frozen before domains had a `reliable` field."""
    migration = importlib.import_module("diagnostics.migrations.0008_score_reliable")
    frozen = patchy.results
    older = {
        **frozen,
        "results": {
            **frozen["results"],
            "domains": [
                {k: v for k, v in d.items() if k != "reliable"}
                for d in frozen["results"]["domains"]
            ],
        },
    }
    Diagnostic.objects.filter(pk=patchy.pk).update(results=older)
    Score.objects.filter(diagnostic=patchy).update(reliable=True)
    migration.mark_unreliable_scores(django_apps, None)
    unreliable = Score.objects.filter(diagnostic=patchy, reliable=False)
    assert list(unreliable.values_list("level", "code")) == [("domain", "B")]


def test_the_note_lists_its_domains_with_the_language_s_separator():
    """French puts a space before a semicolon, English does not."""
    from django.template.loader import render_to_string
    from django.utils import translation

    few_known = [
        {"title": "Domaine A", "known": 1, "of": 3},
        {"title": "Domaine B", "known": 0, "of": 2},
    ]
    with translation.override("fr"):
        french = render_to_string("diagnostics/_few_known_note.html", {"few_known": few_known})
    with translation.override("en"):
        english = render_to_string("diagnostics/_few_known_note.html", {"few_known": few_known})
    assert "avec une réponse connue) ; Domaine B (2 questions" in french
    assert "with a known answer); Domaine B (2 questions" in english
