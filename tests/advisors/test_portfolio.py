from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.quality("S3")
def test_advisor_sees_portfolio_companies_only(client_for, advisor, company_a, company_b):
    response = client_for(advisor).get(reverse("advisors:portfolio"))
    assert response.status_code == 200
    assert company_a.company.name in response.text
    assert company_b.company.name not in response.text


@pytest.mark.quality("S3")
def test_advisor_gets_404_outside_the_portfolio(client_for, advisor, company_a, company_b):
    client = client_for(advisor)
    ok = client.get(reverse("advisors:company", args=[company_a.company.public_id]))
    assert ok.status_code == 200
    assert company_a.member.full_name in ok.text
    other = client.get(reverse("advisors:company", args=[company_b.company.public_id]))
    assert other.status_code == 404


def test_advisor_without_company_lands_on_portfolio(client_for, advisor):
    response = client_for(advisor).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("advisors:portfolio")


def test_unflagged_user_cannot_use_advisor_pages(client_for, company_a):
    client = client_for(company_a.admin)
    company_a.company.advisors.add(company_a.admin)  # an assignment without the flag gives nothing
    assert client.get(reverse("advisors:portfolio")).status_code == 403
    # A company's advisor page is an object: 404 to whoever may not see it.
    assert (
        client.get(reverse("advisors:company", args=[company_a.company.public_id])).status_code
        == 404
    )


def test_advisor_pages_refuse_post(client_for, advisor):
    assert client_for(advisor).post(reverse("advisors:portfolio")).status_code == 405


@pytest.mark.quality("S3")
def test_advisor_reaches_the_results_and_plan_of_a_followed_company(
    client_for, advisor, company_a, diagnostic
):
    from diagnostics import services

    services.submit_diagnostic(diagnostic=diagnostic, user=company_a.admin)
    page = client_for(advisor).get(reverse("advisors:company", args=[company_a.company.public_id]))
    assert reverse("diagnostics:results", args=[diagnostic.public_id]) in page.text
    assert reverse("reports:plan", args=[diagnostic.public_id]) in page.text
