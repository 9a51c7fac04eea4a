"""The observatory: precomputed training needs and funding forecast, K threshold, access."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Company, Region
from observatory.models import Aggregate, PlanLineFact
from observatory.services import COLUMNS, aggregate_sql
from observatory.tasks import refresh_observatory
from reports.models import ActionPlan, PlanItem
from tests.factories import UserFactory, add_plan_line
from tests.observatory.test_exports import sheet_rows

NEEDS = reverse("observatory:needs")
FUNDING = reverse("observatory:funding")


@pytest.fixture
def operator(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_refresh_writes_one_fact_per_plan_line(submit_companies):
    submit_companies(2)
    assert refresh_observatory() == PlanItem.objects.count() > 0
    assert PlanLineFact.objects.filter(section="C", region="84").count() == PlanItem.objects.count()
    total = Aggregate.objects.filter(dimension="total", period=0, priority=0, region="")
    assert total.get().companies == 2


def test_refresh_funds_lines_under_the_plan_rules(submit_companies):
    submit_companies(1)
    refresh_observatory()
    for fact in PlanLineFact.objects.all():
        assert fact.funding_max + fact.remaining_max == fact.cost_max
    assert PlanLineFact.objects.exclude(route="").exists()


def test_a_second_refresh_gives_the_same_figures(submit_companies):
    submit_companies(2)
    refresh_observatory()
    first = sorted(
        Aggregate.objects.values_list("dimension", "key", "status", "priority", "companies")
    )
    refresh_observatory()
    assert (
        sorted(Aggregate.objects.values_list("dimension", "key", "status", "priority", "companies"))
        == first
    )


def test_the_refresh_gives_the_planner_the_new_facts_statistics(submit_companies):
    """Every fact is new after a refresh: the pages summed from the facts are planned on
    their statistics at once, also where autovacuum is off or has not come by yet."""
    submit_companies(3, idcc="3248")
    refresh_observatory()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class "
            "WHERE relname IN ('observatory_planlinefact', 'observatory_aggregate')"
        )
        tuples = dict(cursor.fetchall())
        cursor.execute(
            "SELECT most_common_vals::text FROM pg_stats "
            "WHERE tablename = 'observatory_planlinefact' AND attname = 'idcc'"
        )
        idcc_values = cursor.fetchone()
    assert tuples == {
        "observatory_planlinefact": PlanLineFact.objects.count(),
        "observatory_aggregate": Aggregate.objects.count(),
    }
    assert idcc_values == ("{3248}",)


def test_closed_company_leaves_the_observatory_at_the_next_refresh(submit_companies):
    companies = submit_companies(2)
    refresh_observatory()
    Company.objects.filter(pk=companies[0].pk).update(closed_at=timezone.now())
    refresh_observatory()
    assert set(PlanLineFact.objects.values_list("company_id", flat=True)) == {companies[1].pk}


def test_operator_sees_the_sector_from_k_companies(
    submit_companies, settings, client_for, operator
):
    settings.BENCHMARK_MIN_COMPANIES = 5
    submit_companies(4)
    refresh_observatory()
    page = client_for(operator).get(NEEDS)
    assert page.status_code == 200
    assert page.context["needs"]["total"] is None
    assert all(not t["rows"] for t in page.context["needs"]["tables"])
    submit_companies(1)
    refresh_observatory()
    page = client_for(operator).get(NEEDS)
    assert page.context["needs"]["total"]["companies"] == 5
    domains = next(t for t in page.context["needs"]["tables"] if t["dimension"] == "domain")
    assert domains["rows"]
    assert domains["chart"].startswith("<svg")
    funding = client_for(operator).get(FUNDING)
    assert funding.status_code == 200
    assert funding.context["funding"]["totals"][0]["companies"] == 5


def test_the_funding_to_secure_is_given_at_both_ends_of_the_cost_ranges(
    submit_companies, settings, client_for, operator
):
    """As in the table under it: a line whose cost is a range may be funded less at its
    low end (here 300 to 900 € an action, 420 € funded at the high end)."""
    from reports.services import import_catalogue
    from tests.samples import SMALL_CATALOGUE

    import_catalogue(
        text=SMALL_CATALOGUE.replace("version: 1", "version: 2", 1).replace(
            "cost_per_person: {min: 600, max: 900}", "cost_per_person: {min: 300, max: 900}", 1
        )
    )
    settings.BENCHMARK_MIN_COMPANIES = 1
    submit_companies(2)
    refresh_observatory()
    funding = client_for(operator).get(FUNDING)
    planned = [
        t for t in funding.context["funding"]["totals"] if t["status"] in ("proposed", "accepted")
    ]
    low = sum(t["funding_min"] for t in planned)
    high = sum(t["funding_max"] for t in planned)
    assert low < high
    page = funding.text.replace("\u202f", " ").replace("\xa0", " ")
    amounts = [f"{n:,}".replace(",", " ") for n in (low, high)]
    assert f"acceptées : {amounts[0]} – {amounts[1]} €." in page
    # The tables write their ranges the same way, and one figure where both ends are equal.
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", page.replace("&nbsp;", " "))
    assert any(re.search(r"\d – \d[\d ]* €", row) for row in rows)
    assert not any(re.search(r"(\d[\d ]*)–\1 €|\d–\d", row) for row in rows)
    no_funding = [row for row in rows if re.search(r">0 €</td>", row)]
    assert no_funding  # the lines no route funds: 0 €, not "0–0 €"
    assert "data-uncosted" not in page  # every eligible line has an amount
    # The charts plot one figure a bar: their title says which end.
    charts = [t["chart"] for t in funding.context["funding"]["tables"] if t["chart"]]
    assert charts
    assert all("à la borne haute de leur coût</title>" in chart for chart in charts)


@pytest.mark.quality("S3")
def test_advisor_sees_only_the_portfolio(submit_companies, settings, client_for):
    settings.BENCHMARK_MIN_COMPANIES = 2
    followed = submit_companies(2)
    submit_companies(3)
    refresh_observatory()
    advisor = UserFactory(is_advisor=True)
    for company in followed:
        company.advisors.add(advisor)
    page = client_for(advisor).get(NEEDS)
    assert page.status_code == 200
    assert page.context["needs"]["total"]["companies"] == 2
    assert not page.context["whole_sector"]


def test_member_gets_403(client_for, company_a):
    assert client_for(company_a.admin).get(NEEDS).status_code == 403
    assert client_for(company_a.admin).get(FUNDING).status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get(NEEDS).status_code == 302


@pytest.mark.parametrize("url", [NEEDS, FUNDING, reverse("observatory:export")])
def test_wrong_method_gets_405(url, client_for, operator):
    assert client_for(operator).post(url).status_code == 405


def test_bad_filter_gets_400_with_a_message(client_for, operator):
    """The message names the filter as the page labels it, in the reader's language."""
    client = client_for(operator)
    response = client.get(NEEDS, {"period": "abc"})
    assert response.status_code == 400
    assert "Période (année de validation) : " in response.content.decode()
    client.cookies["django_language"] = "en"
    text = client.get(NEEDS, {"period": "abc"}).content.decode()
    assert "Invalid filter: Period (year of submission): " in text


def test_unknown_period_falls_back_to_every_period(submit_companies, client_for, operator):
    submit_companies(1)
    refresh_observatory()
    page = client_for(operator).get(NEEDS, {"period": 1999})
    assert page.context["selection"].period == 0
    year = timezone.now().year
    assert client_for(operator).get(NEEDS, {"period": year}).context["selection"].period == year


@pytest.mark.quality("S9")
def test_chart_labels_are_escaped():
    from observatory.charts import bar_svg

    svg = bar_svg([("<script>alert(1)</script>", 12500)], title="<b>t</b>")
    assert "<script>" not in svg
    assert "&lt;b&gt;t&lt;/b&gt;" in svg
    assert "12\u202f500" in svg
    assert "style" not in svg  # the CSP forbids inline styles


def test_the_forecast_says_when_even_the_latest_rules_were_checked_in_an_earlier_year(
    submit_companies, client_for, operator, monkeypatch
):
    from datetime import date

    from reports.models import FundingRules

    submit_companies(1)
    refresh_observatory()
    client = client_for(operator)
    checked = FundingRules.latest().checked_on
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: checked)
    assert "data-rules-out-of-date" not in client.get(FUNDING).text
    export = reverse("observatory:export") + "?table=funding&format=csv"
    assert "Règles de financement;" not in client.get(export).getvalue().decode()
    next_year = date(checked.year + 1, 1, 4)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: next_year)
    page = client.get(FUNDING).text
    assert "data-rules-out-of-date" in page
    said = (
        f"vérifiées auprès de leurs sources en {checked.year} : les taux et montants de "
        f"{next_year.year} peuvent différer"
    )
    assert said in page
    # The export says it too, so a file forwarded on its own is read as estimates to confirm.
    lines = client.get(export).getvalue().decode().splitlines()
    rules = [line for line in lines if line.startswith("Règles de financement;")]
    assert len(rules) == 1
    assert said in rules[0]
    assert rules[0].endswith("à confirmer auprès de votre OPCO.")


def test_the_funding_to_secure_never_reads_0_for_figures_held_back(
    submit_companies, settings, client_for, operator
):
    """Statuses of fewer than BENCHMARK_MIN_COMPANIES companies are held back: the amount
    to secure then says it is not shown, or that it leaves a status out, never "0 €"."""
    settings.BENCHMARK_MIN_COMPANIES = 2
    submit_companies(1)
    refresh_observatory()
    client = client_for(operator)
    page = client.get(FUNDING).text
    assert "non affiché, trop peu d’entreprises" in page
    assert "acceptées : 0 €" not in page

    submit_companies(1)
    refresh_observatory()
    page = client.get(FUNDING).text
    assert "Financement OPCO estimé à réserver pour les lignes proposées et acceptées" in page
    assert "Seuls les statuts d’assez d’entreprises" not in page

    # One company accepts a line: "accepted" has one company, held back; "proposed" is shown.
    item = PlanItem.objects.filter(status="proposed").order_by("pk").first()
    PlanItem.objects.filter(pk=item.pk).update(status="accepted")
    refresh_observatory()
    response = client.get(FUNDING)
    statuses = {t["status"] for t in response.context["funding"]["totals"]}
    assert "proposed" in statuses
    assert "accepted" not in statuses
    assert "Seuls les statuts d’assez d’entreprises sont comptés" in response.text


FUNDING_V2 = Path(__file__).resolve().parents[2] / "reports" / "funding" / "funding-2026-v2.yaml"


def _rules_rows(response):
    table = next(t for t in response.context["funding"]["tables"] if t["dimension"] == "rules")
    return {(row["key"], row["status"]): row for row in table["rows"]}


def test_the_forecast_says_which_funding_rules_its_plans_follow(
    submit_companies, settings, client_for, operator, funding_rules
):
    """Each line is estimated under its plan's own rules: once newer rules are published,
    the plans still on older ones are shown apart and said to be confirmed, until their
    company or advisor moves them to the latest rules."""
    from reports.models import ActionPlan, FundingRules
    from reports.services import use_latest_funding_rules

    settings.BENCHMARK_MIN_COMPANIES = 1
    companies = submit_companies(2)
    refresh_observatory()
    assert set(PlanLineFact.objects.values_list("funding_rules_key", flat=True)) == {
        str(funding_rules.pk)
    }
    client = client_for(operator)
    response = client.get(FUNDING)
    assert "data-earlier-rules" not in response.text
    rows = _rules_rows(response)
    assert rows[(str(funding_rules.pk), "proposed")]["companies"] == 2
    assert ", version 1 (vérifiées le 24/11/2026) : la plus récente" in response.text
    assert '<h2 class="h4" id="f-rules">Par règles de financement</h2>' in response.text

    newer, _ = FundingRules.publish(text=FUNDING_V2.read_text())
    refresh_observatory()
    response = client.get(FUNDING)
    assert "data-earlier-rules" in response.text
    assert "Certains plans ne sont pas estimés selon les règles de financement" in response.text
    assert ", version 1 (vérifiées le 24/11/2026) : une version antérieure" in response.text
    export = client.get(reverse("observatory:export"), {"table": "funding", "format": "csv"})
    assert (
        "Règles de financement;Certains plans ne sont pas estimés selon les règles de "
        "financement les plus récentes : leurs chiffres sont à confirmer."
    ) in export.getvalue().decode().splitlines()

    # One company moves its plan to the latest rules: both versions are counted apart.
    use_latest_funding_rules(plan=ActionPlan.objects.get(company=companies[0]))
    refresh_observatory()
    rows = _rules_rows(client.get(FUNDING))
    assert rows[(str(funding_rules.pk), "proposed")]["companies"] == 1
    assert rows[(str(newer.pk), "proposed")]["companies"] == 1

    # The advisor of both companies reads the same from the facts of the portfolio.
    advisor = UserFactory(is_advisor=True)
    for company in companies:
        company.advisors.add(advisor)
    page = client_for(advisor).get(FUNDING)
    assert "data-earlier-rules" in page.text
    assert _rules_rows(page) == rows

    use_latest_funding_rules(plan=ActionPlan.objects.get(company=companies[1]))
    refresh_observatory()
    response = client_for(operator).get(FUNDING)
    assert "data-earlier-rules" not in response.text
    assert {key for key, _status in _rules_rows(response)} == {str(newer.pk)}
    export = (
        client.get(reverse("observatory:export"), {"table": "funding", "format": "csv"})
        .getvalue()
        .decode()
    )
    assert "Par règles de financement" in export
    assert ", version 2 (vérifiées le " in export
    assert "Certains plans ne sont pas estimés" not in export


def test_facts_written_before_the_rules_key_get_their_plan_rules(submit_companies, funding_rules):
    """The migration that adds the key fills it from the plan each fact was written from."""
    from importlib import import_module

    from django.db import connection

    submit_companies(1)
    refresh_observatory()
    PlanLineFact.objects.update(funding_rules_key="")
    migration = import_module("observatory.migrations.0002_planlinefact_funding_rules_key")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert set(PlanLineFact.objects.values_list("funding_rules_key", flat=True)) == {
        str(funding_rules.pk)
    }


def test_a_region_narrows_the_figures_to_its_companies(
    submit_companies, settings, client_for, operator
):
    settings.BENCHMARK_MIN_COMPANIES = 2
    submit_companies(2, region=Region.ARA)
    brittany = submit_companies(3, region=Region.BRE)
    submit_companies(1, region=Region.COR)
    refresh_observatory()
    client = client_for(operator)
    whole = client.get(NEEDS)
    assert whole.context["needs"]["total"]["companies"] == 6
    with CaptureQueriesContext(connection) as sector:
        client.get(NEEDS)
        client.get(FUNDING)
    with CaptureQueriesContext(connection) as region:
        page = client.get(NEEDS, {"region": Region.BRE})
        funding = client.get(FUNDING, {"region": Region.BRE})
    assert page.context["needs"]["total"]["companies"] == 3
    assert {t["companies"] for t in funding.context["funding"]["totals"]} == {3}
    dimensions = {t["dimension"] for t in page.context["needs"]["tables"]}
    assert "region" not in dimensions  # no table by region within one region
    assert "domain" in dimensions
    # Precomputed too: the same number of queries as the sector's figures.
    assert len(region.captured_queries) == len(sector.captured_queries)
    text = page.content.decode()
    assert "Toutes les entreprises du secteur de la région Bretagne." in text
    assert '<option value="53" selected>Bretagne</option>' in text
    # The tabs and the exports keep the region.
    assert text.count("period=0&amp;region=53") == 4
    # Precomputed as the sector's: a closed company leaves them at the next refresh.
    Company.objects.filter(pk=brittany[0].pk).update(closed_at=timezone.now())
    refresh_observatory()
    assert client.get(NEEDS, {"region": Region.BRE}).context["needs"]["total"]["companies"] == 2
    # Alone in its region: no figure.
    assert client.get(NEEDS, {"region": Region.COR}).context["needs"]["total"] is None


def test_an_advisor_s_region_is_the_portfolio_s_companies_in_it(
    submit_companies, settings, client_for
):
    settings.BENCHMARK_MIN_COMPANIES = 1
    followed = submit_companies(2, region=Region.BRE) + submit_companies(1, region=Region.ARA)
    submit_companies(3, region=Region.BRE)
    refresh_observatory()
    advisor = UserFactory(is_advisor=True)
    for company in followed:
        company.advisors.add(advisor)
    page = client_for(advisor).get(NEEDS, {"region": Region.BRE})
    assert page.context["needs"]["total"]["companies"] == 2
    assert "Uniquement les entreprises de votre portefeuille de la région Bretagne." in page.text


def test_an_unknown_region_gets_400_naming_the_filter(client_for, operator):
    response = client_for(operator).get(NEEDS, {"region": "99"})
    assert response.status_code == 400
    assert "Région : " in response.content.decode()


@pytest.mark.parametrize(
    ("slice_", "the_one", "others", "named"),
    [
        ("region", Region.BRE, Region.ARA, "bretagne"),
        ("branch", "0292", "3248", "plasturgie-idcc-0292"),
    ],
)
def test_the_export_of_a_region_or_a_branch_holds_its_figures(
    submit_companies, settings, client_for, slice_, the_one, others, named
):
    settings.BENCHMARK_MIN_COMPANIES = 1
    company_field = {"region": "region", "branch": "idcc"}[slice_]
    submit_companies(2, **{company_field: others})
    submit_companies(1, **{company_field: the_one})
    refresh_observatory()
    client = client_for(UserFactory(is_staff=True))
    response = client.get(
        reverse("observatory:export"), {"table": "funding", "format": "csv", slice_: the_one}
    )
    assert response.status_code == 200
    assert named in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    totals = [line.split(";") for line in lines if line.startswith(";Toutes les lignes;")]
    assert totals
    assert {row[3] for row in totals} == {"1"}  # the one company of that region or branch


def _figure_rows(rows):
    return sorted(tuple(r[c] for c in COLUMN_NAMES) for r in rows)


COLUMN_NAMES = COLUMNS.replace(" ", "").split(",")


def test_a_branch_narrows_the_figures_to_its_companies(
    submit_companies, settings, client_for, operator
):
    settings.BENCHMARK_MIN_COMPANIES = 2
    metal = submit_companies(3, idcc="3248")
    submit_companies(2, idcc="0292")
    submit_companies(1, idcc="0044")  # alone in its branch
    submit_companies(1, idcc="")
    refresh_observatory()
    client = client_for(operator)
    with CaptureQueriesContext(connection) as sector:
        client.get(NEEDS)
        client.get(FUNDING)
    with CaptureQueriesContext(connection) as branch:
        page = client.get(NEEDS, {"branch": "3248"})
        funding = client.get(FUNDING, {"branch": "3248"})
    assert page.context["needs"]["total"]["companies"] == 3
    assert {t["companies"] for t in funding.context["funding"]["totals"]} == {3}
    assert "idcc" not in {t["dimension"] for t in funding.context["funding"]["tables"]}
    assert "region" in {t["dimension"] for t in page.context["needs"]["tables"]}
    # Precomputed: the same number of queries as the sector's figures.
    assert len(branch.captured_queries) == len(sector.captured_queries)
    text = page.content.decode()
    assert "Toutes les entreprises du secteur de la branche Métallurgie (IDCC 3248)." in text
    # Only the branches of at least K companies are offered, by name.
    assert page.context["selection"].branches == [
        ("3248", "Métallurgie (IDCC 3248)"),
        ("0292", "Plasturgie (IDCC 0292)"),
    ]
    assert '<option value="3248" selected>Métallurgie (IDCC 3248)</option>' in text
    assert text.count("period=0&amp;branch=3248") == 4  # the tabs and the exports keep it
    # The sector's table by branch names the branches, and says which gave none.
    sector_page = client.get(FUNDING)
    by_branch = next(
        t for t in sector_page.context["funding"]["tables"] if t["dimension"] == "idcc"
    )
    assert {r["label"] for r in by_branch["rows"]} == {
        "Métallurgie (IDCC 3248)",
        "Plasturgie (IDCC 0292)",
    }
    # A branch not offered falls back to every branch.
    alone = client.get(NEEDS, {"branch": "0044"})
    assert alone.context["selection"].branch == ""
    assert alone.context["needs"]["total"]["companies"] == 7
    # Precomputed as the sector's: a closed company leaves them at the next refresh.
    Company.objects.filter(pk=metal[0].pk).update(closed_at=timezone.now())
    refresh_observatory()
    assert client.get(NEEDS, {"branch": "3248"}).context["needs"]["total"]["companies"] == 2


def test_every_branch_s_precomputed_figures_are_its_facts_summed(submit_companies, db):
    """The refresh's figures for one branch (and for one region) are what summing that
    branch's facts gives, and companies without an IDCC make no branch of their own."""
    submit_companies(2, idcc="3248", region=Region.ARA)
    submit_companies(1, idcc="3248", region=Region.BRE)
    submit_companies(1, idcc="0292", region=Region.BRE)
    submit_companies(1, idcc="", region=Region.ARA)
    refresh_observatory()
    assert set(Aggregate.objects.values_list("branch", flat=True)) == {"", "3248", "0292"}
    assert not Aggregate.objects.exclude(region="").exclude(branch="").exists()

    def summed(where, params):
        with connection.cursor() as cursor:
            cursor.execute(aggregate_sql(where, slices=False), params)
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # The whole sector's figures: once each, the companies without an IDCC among them.
    whole = Aggregate.objects.filter(region="", branch="").values(*COLUMN_NAMES)
    assert _figure_rows(whole) == _figure_rows(summed("", {}))
    for branch in ("3248", "0292"):
        precomputed = Aggregate.objects.filter(branch=branch).values(*COLUMN_NAMES)
        expected = [
            {**row, "branch": branch}
            for row in summed("idcc = %(b)s", {"b": branch})
            if row["dimension"] != "idcc"  # no table by branch within one branch
        ]
        assert _figure_rows(precomputed) == _figure_rows(expected)
    precomputed = Aggregate.objects.filter(region=Region.BRE).values(*COLUMN_NAMES)
    expected = [
        {**row, "region": Region.BRE}
        for row in summed("region = %(r)s", {"r": Region.BRE})
        if row["dimension"] not in ("region", "funding_region")
    ]
    assert _figure_rows(precomputed) == _figure_rows(expected)


def test_one_select_per_grouping_gives_the_figures_of_grouping_sets(submit_companies, monkeypatch):
    """Databases without GROUPING SETS (SQLite, as `make run` uses) get one SELECT per
    grouping: the same rows."""
    from observatory import services

    submit_companies(2, idcc="3248", region=Region.ARA)
    submit_companies(1, idcc="", region=Region.BRE)
    refresh_observatory()
    with_sets = list(Aggregate.objects.values(*COLUMN_NAMES))
    monkeypatch.setattr(services.connection, "vendor", "other")
    assert "GROUPING" not in services.aggregate_sql()
    with connection.cursor() as cursor:
        services.rebuild_aggregates(cursor)
    assert _figure_rows(Aggregate.objects.values(*COLUMN_NAMES)) == _figure_rows(with_sets)


def test_one_region_and_one_branch_are_summed_from_their_facts(
    submit_companies, settings, client_for, operator
):
    settings.BENCHMARK_MIN_COMPANIES = 2
    submit_companies(2, idcc="3248", region=Region.ARA)
    submit_companies(3, idcc="3248", region=Region.BRE)
    submit_companies(2, idcc="0292", region=Region.ARA)
    refresh_observatory()
    client = client_for(operator)
    page = client.get(NEEDS, {"region": Region.ARA, "branch": "3248"})
    assert page.context["needs"]["total"]["companies"] == 2
    dimensions = {t["dimension"] for t in page.context["needs"]["tables"]}
    assert "region" not in dimensions
    assert "domain" in dimensions
    assert (
        "Toutes les entreprises du secteur de la branche Métallurgie (IDCC 3248) "
        "et de la région Auvergne-Rhône-Alpes." in page.content.decode()
    )
    funding = client.get(FUNDING, {"region": Region.BRE, "branch": "3248"})
    assert {t["companies"] for t in funding.context["funding"]["totals"]} == {3}
    assert "idcc" not in {t["dimension"] for t in funding.context["funding"]["tables"]}


def test_an_advisor_is_offered_the_branches_of_the_portfolio(
    submit_companies, settings, client_for
):
    settings.BENCHMARK_MIN_COMPANIES = 1
    followed = submit_companies(2, idcc="3248") + submit_companies(1, idcc="1516")
    submit_companies(2, idcc="0292")  # not followed
    refresh_observatory()
    advisor = UserFactory(is_advisor=True)
    for company in followed:
        company.advisors.add(advisor)
    client = client_for(advisor)
    page = client.get(NEEDS)
    # Every branch of the portfolio, a code without a checked name as its code only.
    assert page.context["selection"].branches == [
        ("1516", "IDCC 1516"),
        ("3248", "Métallurgie (IDCC 3248)"),
    ]
    narrowed = client.get(NEEDS, {"branch": "3248"})
    assert narrowed.context["needs"]["total"]["companies"] == 2
    assert (
        "Uniquement les entreprises de votre portefeuille de la branche "
        "Métallurgie (IDCC 3248)." in narrowed.content.decode()
    )
    # Another branch's figures are not the advisor's: every branch of the portfolio instead.
    other = client.get(NEEDS, {"branch": "0292"})
    assert other.context["needs"]["total"]["companies"] == 3


@pytest.mark.parametrize("branch", ["32480", "abcd", "-248"])
def test_a_malformed_branch_gets_400_naming_the_filter(client_for, operator, branch):
    response = client_for(operator).get(FUNDING, {"branch": branch})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Branche (convention collective) : " in text
    assert "4 chiffres" in text


@pytest.mark.parametrize("role", ["operator", "advisor"])
def test_the_pages_say_when_their_figures_were_refreshed(
    role, submit_companies, client_for, operator, advisor
):
    """The page says the figures are refreshed every hour, and from which refresh they
    come: the operator's from its aggregates, an advisor's from the same refresh's facts."""
    from django.utils import translation
    from django.utils.formats import date_format, time_format

    user = operator if role == "operator" else advisor
    client = client_for(user)
    for company in submit_companies(1):
        company.advisors.add(advisor)
    assert "data-refreshed" not in client.get(NEEDS).content.decode()  # never refreshed yet

    refresh_observatory()
    refreshed = timezone.localtime(Aggregate.objects.values_list("refreshed_at", flat=True)[0])
    with translation.override("fr"):
        day, time = date_format(refreshed, "DATE_FORMAT"), time_format(refreshed, "TIME_FORMAT")
    for url in (NEEDS, FUNDING):
        html = client.get(url).content.decode()
        assert f"Dernière actualisation : le {day} à {time}." in html


def test_the_funding_to_secure_sets_apart_the_accepted_lines_whose_quarter_is_over(
    submit_companies, settings, client_for, operator
):
    """An accepted line planned for a quarter now over is still counted as to secure, but
    the page says how much of it is done and not recorded, or to plan again."""
    from datetime import timedelta

    from reports.quarters import quarter_of

    settings.BENCHMARK_MIN_COMPANIES = 1
    submit_companies(2)
    today = timezone.localdate()
    over, coming = quarter_of(today - timedelta(days=120)), quarter_of(today)
    items = list(PlanItem.objects.order_by("pk"))
    PlanItem.objects.filter(pk__in=[i.pk for i in items[::2]]).update(
        status="accepted", target_quarter=over
    )
    PlanItem.objects.filter(pk__in=[i.pk for i in items[1::2]]).update(
        status="accepted", target_quarter=coming
    )
    refresh_observatory()
    response = client_for(operator).get(FUNDING)
    funding = response.context["funding"]
    assert funding["overdue_shown"]
    facts = PlanLineFact.objects.filter(quarter=over, status="accepted")
    assert funding["overdue"] == sum(f.funding_max for f in facts) > 0
    assert funding["overdue_min"] == sum(f.funding_min for f in facts)
    coming_facts = PlanLineFact.objects.filter(quarter=coming, status="accepted")
    assert coming_facts.exists()
    assert funding["to_secure"] == funding["overdue"] + sum(f.funding_max for f in coming_facts)
    page = response.text.replace("\u202f", " ").replace("\xa0", " ").replace("&nbsp;", " ")
    amount = f"{funding['overdue_min']:,} – {funding['overdue']:,}".replace(",", " ")
    if funding["overdue_min"] == funding["overdue"]:
        amount = f"{funding['overdue']:,}".replace(",", " ")
    assert (
        f"Dont {amount} € pour des lignes acceptées dont le trimestre prévu est passé ({over})"
        in page
    )
    # The export's totals sheet ends with the same two amounts, in its funding columns.
    export = {"table": "funding", "format": "xlsx"}
    totals = sheet_rows(client_for(operator).get(reverse("observatory:export"), export))
    totals = totals["Toutes les lignes, par statut"]
    assert totals[-2][1] == ("Financement OPCO estimé à réserver (lignes proposées et acceptées)")
    assert totals[-2][8:10] == (funding["to_secure_min"], funding["to_secure"])
    assert totals[-1][1] == (f"Dont : lignes acceptées dont le trimestre prévu est passé ({over})")
    assert totals[-1][8:10] == (funding["overdue_min"], funding["overdue"])
    # Planned again for this quarter: nothing over.
    PlanItem.objects.filter(target_quarter=over).update(target_quarter=coming)
    refresh_observatory()
    response = client_for(operator).get(FUNDING)
    assert not response.context["funding"]["overdue_shown"]
    assert "data-overdue" not in response.text
    totals = sheet_rows(client_for(operator).get(reverse("observatory:export"), export))
    totals = totals["Toutes les lignes, par statut"]
    assert totals[-1][1].startswith("Financement OPCO estimé à réserver")


def test_a_route_whose_rule_gives_no_amount_is_not_estimated_rather_than_0(
    submit_companies, settings, client_for, operator
):
    """The personal training account is eligible for a certifying action, but its rule
    gives no amount: its rows say "non chiffré", as the plans do, not "0 €"; the export
    counts those lines in its last column. (A route with amounts keeps them: the test of
    the funding to secure at both ends of the cost ranges.)"""
    from reports.services import import_catalogue
    from tests.samples import SMALL_CATALOGUE

    import_catalogue(
        text=SMALL_CATALOGUE.replace("version: 1", "version: 2", 1).replace(
            "funding: [cpf]\n", "funding: [cpf]\n    certifying: true\n", 1
        )
    )
    settings.BENCHMARK_MIN_COMPANIES = 1
    submit_companies(2)
    for plan in ActionPlan.objects.select_related("catalogue", "company"):
        add_plan_line(plan, "B-TWO-01", "B.TWO")  # its rule gives no amount
    refresh_observatory()
    assert not PlanLineFact.objects.filter(action_code="A-ONE-01", uncosted=True).exists()
    facts = PlanLineFact.objects.filter(action_code="B-TWO-01")
    assert facts.count() == 2
    assert all(f.route == "cpf" and f.uncosted and f.funding_max == 0 for f in facts)
    response = client_for(operator).get(FUNDING)
    (routes,) = [t for t in response.context["funding"]["tables"] if t["dimension"] == "route"]
    cpf = [r for r in routes["rows"] if r["key"] == "cpf"]
    assert cpf
    assert all(r["not_estimated"] and r["uncosted_lines"] == r["lines"] for r in cpf)
    page = response.text.replace("&nbsp;", " ")
    label = "Compte personnel de formation (co-financement)"
    cells = re.findall(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', page, re.S)
    assert cells
    for row in cells:
        funding = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[3]
        assert funding.startswith("non chiffré<abbr")
    # The funding to secure says how many eligible lines it leaves out, and their routes.
    planned = [t for t in response.context["funding"]["totals"] if t["status"] != "done"]
    uncosted = sum(t["uncosted_lines"] for t in planned)
    assert uncosted == PlanLineFact.objects.filter(uncosted=True).count() == 2
    assert (
        "Ce montant ne compte pas 2 lignes éligibles dont le dispositif de financement ne "
        f"donne pas de montant, à confirmer auprès de l’OPCO. Dispositifs : {label}." in page
    )
    export = client_for(operator).get(reverse("observatory:export") + "?table=funding&format=xlsx")
    sheets = sheet_rows(export)
    # The totals sheet says it too, the count in its column of lines not estimated.
    left_out = sheets["Toutes les lignes, par statut"][-1]
    assert left_out[1] == (
        "Ne sont pas comptées dans ce montant : les lignes éligibles dont le dispositif de "
        f"financement ne donne pas de montant ({label})"
    )
    assert left_out[-1] == 2
    rows = sheets["Par dispositif de financement"]
    assert rows[0][-1] == "Lignes au financement non chiffré"
    cpf_rows = [row for row in rows[1:] if row and row[0] == "cpf"]
    assert cpf_rows
    assert all(row[-1] == row[4] > 0 for row in cpf_rows)  # every line of the route
