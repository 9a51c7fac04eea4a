"""Benchmarks: precomputed by a periodic task, shown only from K companies on, never with a
closed company after the next refresh."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Company, Region, naf_section
from diagnostics.benchmarks import benchmark_for
from diagnostics.models import Benchmark, Score
from observatory.tasks import refresh_benchmarks
from reports.document import benchmarks, report_context
from tests.conftest import Party


@pytest.fixture
def similar(scored_diagnostic, small_questionnaire):
    def similar(count, score=60.0, reliable=True, **company):
        """`count` other companies of the same profile, each with a submitted diagnostic."""
        return [
            scored_diagnostic(small_questionnaire, score=score, reliable=reliable, **company)
            for _ in range(count)
        ]

    return similar


def test_naf_section_comes_from_the_division():
    assert naf_section("25") == "C"
    assert naf_section("01") == "A"
    assert naf_section("47") == "G"
    assert naf_section("99") == "U"
    assert naf_section("04") == ""
    assert naf_section("xx") == ""


def test_four_companies_give_no_benchmark(submitted, settings, similar):
    settings.BENCHMARK_MIN_COMPANIES = 5
    similar(3)  # with the company itself: 4
    refresh_benchmarks()
    assert benchmark_for(submitted) is None
    assert benchmarks(submitted) == {}


def test_five_companies_give_a_benchmark(submitted, settings, similar):
    settings.BENCHMARK_MIN_COMPANIES = 5
    similar(4, score=80.0)
    refresh_benchmarks()
    group = benchmark_for(submitted)
    assert group is not None
    assert group.companies == 5
    assert (group.headcount_band, group.region) == ("10_49", Region.ARA)
    assert group.domains["A"][1] == 5


def test_the_benchmark_is_not_computed_per_request(submitted, settings, similar):
    settings.BENCHMARK_MIN_COMPANIES = 5
    similar(4)
    assert benchmark_for(submitted) is None  # nothing until the periodic task ran
    refresh_benchmarks()
    assert benchmark_for(submitted) is not None


def test_a_wider_group_stands_in_for_a_small_region(submitted, settings, similar):
    settings.BENCHMARK_MIN_COMPANIES = 5
    similar(4, region=Region.BRE)
    refresh_benchmarks()
    group = benchmark_for(submitted)
    assert (group.section, group.headcount_band, group.region) == ("C", "10_49", "")
    assert group.companies == 5
    assert not Benchmark.objects.filter(region=Region.BRE, companies__gte=5).exists()


@pytest.mark.quality("G2")
def test_a_closed_company_leaves_at_the_next_refresh(submitted, settings, similar):
    settings.BENCHMARK_MIN_COMPANIES = 5
    others = similar(4)
    refresh_benchmarks()
    assert benchmark_for(submitted).companies == 5
    Company.objects.filter(pk=others[0].company_id).update(closed_at=timezone.now())
    refresh_benchmarks()
    assert benchmark_for(submitted) is None


def test_scores_on_too_few_known_answers_count_in_no_benchmark(submitted, settings, similar):
    settings.BENCHMARK_MIN_COMPANIES = 5
    similar(3, score=80.0)
    similar(1, score=0.0, reliable=False)
    refresh_benchmarks()
    assert benchmark_for(submitted) is None  # 4 companies with reliable scores, not 5
    assert not Benchmark.objects.filter(companies__gte=5).exists()


def test_a_company_counts_with_its_last_reliable_diagnostic(
    submitted, settings, similar, scored_diagnostic, small_questionnaire
):
    settings.BENCHMARK_MIN_COMPANIES = 5
    others = similar(4, score=80.0)
    # One of them submits again, with too few known answers: its earlier scores stand.
    company = others[-1].company
    party = Party(company=company, admin=company.memberships.get().user, member=None)
    scored_diagnostic(small_questionnaire, party=party, score=0.0, reliable=False)
    refresh_benchmarks()
    group = benchmark_for(submitted)
    own = Score.objects.get(diagnostic=submitted, level="domain", code="A").score
    assert group.companies == 5
    assert group.domains["A"] == (round((80.0 * 4 + own) / 5, 1), 5)


def test_results_page_says_when_there_are_not_enough_companies(
    submitted, settings, similar, client_for, company_a
):
    settings.BENCHMARK_MIN_COMPANIES = 5
    similar(3)
    refresh_benchmarks()
    page = client_for(company_a.member).get(
        reverse("diagnostics:results", args=[submitted.public_id])
    )
    assert "Pas encore assez d’entreprises comparables" in page.content.decode()


def test_results_page_and_pdf_show_the_benchmark(
    submitted, settings, similar, client_for, company_a
):
    settings.BENCHMARK_MIN_COMPANIES = 5
    similar(4)
    refresh_benchmarks()
    page = client_for(company_a.member).get(
        reverse("diagnostics:results", args=[submitted.public_id])
    )
    assert "moyenne de 5 entreprises" in page.content.decode()
    context = report_context(submitted, "fr", 1)
    assert context["benchmark"].companies == 5
    assert next(d for d in context["domains"] if d["code"] == "A")["benchmark_count"] == 5
