"""The company's home page in a real browser, with axe-core: a draft, two submitted
diagnostics on the chart, the plan validated by an advisor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from diagnostics.models import Diagnostic, Score
from reports.models import ActionPlan
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
