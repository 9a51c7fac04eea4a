"""The company's home page in a real browser, with axe-core: a draft, two submitted
diagnostics on the chart, the plan validated by an advisor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from diagnostics.models import Diagnostic, Score
from reports.models import ActionPlan, Report
from tests.factories import ReportFactory
from tests.journeys.conftest import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_home_page_passes_the_accessibility_check(
    live_server, page, a11y, company_a, advisor, submitted, start
):
    earlier = Diagnostic.objects.create(
        company=company_a.company,
        questionnaire=submitted.questionnaire,
        status=Diagnostic.Status.SUBMITTED,
        sector=submitted.sector,
        headcount_band=submitted.headcount_band,
        submitted_at=submitted.submitted_at - timedelta(days=200),
        results=submitted.results,
    )
    Score.objects.bulk_create(
        Score(company=company_a.company, diagnostic=earlier, level=level, code=code, score=10)
        for level, code in (("overall", "overall"), ("domain", "A"), ("domain", "B"))
    )
    ActionPlan.objects.filter(diagnostic=submitted).update(
        validated_by=advisor, validated_at=timezone.now()
    )
    start(submitted.questionnaire)
    company_a.admin.set_password(PASSWORD)
    company_a.admin.save()

    log_in(page, live_server.url, company_a.admin.email)
    assert page.locator("main svg[role=img]").count() == 1
    assert page.locator("main [data-next-steps] li").count() >= 1
    a11y.check(page, "home")


def test_on_a_phone_a_long_badge_wraps_inside_the_page(live_server, browser, company_a, submitted):
    """Bootstrap keeps a badge on one line: "Plus à jour : le plan ou les résultats ont
    changé depuis" was 385 px wide and pushed a 360 px page sideways."""
    ReportFactory(diagnostic=submitted, status=Report.Status.READY, pages=3)  # out of date
    company_a.admin.set_password(PASSWORD)
    company_a.admin.save()
    page = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 800}).new_page()
    log_in(page, live_server.url, company_a.admin.email)
    badge = page.locator("main .badge", has_text="Plus à jour")
    assert badge.count() == 1
    assert badge.bounding_box()["height"] > 30  # on two lines or more
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_re_assessment_starts_from_the_previous_answers_and_confirms_them(
    live_server, page, a11y, company_a, submitted
):
    company_a.admin.set_password(PASSWORD)
    company_a.admin.save()
    log_in(page, live_server.url, company_a.admin.email)
    page.goto(live_server.url + "/diagnostics/")
    assert page.locator("input[name=copy_previous]").is_checked()  # offered by default
    page.locator("main form[action$='start/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-to-confirm-notice]").count() == 1
    page.locator("main ol.list-group a").first.click()
    page.wait_for_load_state()
    copied = page.locator("fieldset.question:has([data-confirm])")
    before = copied.count()
    assert before == 2  # domain A's two answers
    a11y.check(page, "re-assessment domain page")
    button = copied.first.locator("[data-confirm]")
    button.focus()
    page.keyboard.press("Enter")  # by keyboard, without changing the answer
    page.locator("fieldset.question .save-status.text-success").first.wait_for()
    assert page.locator("fieldset.question:has([data-confirm])").count() == before - 1
    page.reload()
    assert page.locator("fieldset.question:has([data-confirm])").count() == before - 1
    page.goto(live_server.url + "/")
    assert page.locator('[data-step="confirm"]').count() == 1
    assert page.locator('[data-step="submit"]').count() == 0
    a11y.check(page, "home during a re-assessment")
