"""The operator's administration of companies: who follows which, changed in bulk."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from tests.factories import CompanyFactory, UserFactory

CHANGELIST = reverse("admin:accounts_company_changelist")


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        email="operateur@test.example", password="x", full_name="Opératrice"
    )
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def companies(db):
    return [CompanyFactory(name=name) for name in ("Alpha Usinage", "Beta Forge", "Gamma Moulage")]


def test_companies_are_assigned_to_an_advisor_in_bulk_after_choosing_them(operator, companies):
    advisor = UserFactory(is_advisor=True, full_name="Sophie Conseil")
    chosen = [c.pk for c in companies[:2]]
    data = {"action": "assign_advisor", ACTION_CHECKBOX_NAME: chosen}
    page = operator.post(CHANGELIST, data)
    assert page.status_code == 200  # the page to choose the advisor
    assert f'<option value="{advisor.pk}">' in page.text
    assert not any(advisor in c.advisors.all() for c in companies)
    response = operator.post(CHANGELIST, {**data, "advisor": advisor.pk, "apply": "1"})
    assert response.status_code == 302
    assert {c.pk for c in companies if advisor in c.advisors.all()} == set(chosen)
    # Again: nothing twice.
    operator.post(CHANGELIST, {**data, "advisor": advisor.pk, "apply": "1"})
    assert sum(c.advisors.count() for c in companies) == 2
    listing = operator.get(CHANGELIST, {"advisor": advisor.pk}).text
    assert companies[0].name in listing
    assert companies[2].name not in listing
    assert "Sophie Conseil" in listing  # the "followed by" column
    nobody = operator.get(CHANGELIST, {"advisor": "none"}).text
    assert companies[2].name in nobody
    assert companies[0].name not in nobody


def test_an_advisor_stops_following_companies_in_bulk(operator, companies):
    advisor = UserFactory(is_advisor=True)
    for company in companies:
        company.advisors.add(advisor)
    data = {
        "action": "unassign_advisor",
        ACTION_CHECKBOX_NAME: [companies[0].pk],
        "advisor": advisor.pk,
        "apply": "1",
    }
    assert operator.post(CHANGELIST, data).status_code == 302
    assert [advisor in c.advisors.all() for c in companies] == [False, True, True]


def test_no_advisor_chosen_changes_nothing_and_says_so(operator, companies):
    data = {"action": "assign_advisor", ACTION_CHECKBOX_NAME: [companies[0].pk], "apply": "1"}
    page = operator.post(CHANGELIST, data)
    assert page.status_code == 200
    assert "Choose an advisor from the list." in page.text
    assert not companies[0].advisors.exists()


def test_only_advisors_can_be_chosen(operator, companies):
    member = UserFactory(is_advisor=False)
    data = {
        "action": "assign_advisor",
        ACTION_CHECKBOX_NAME: [companies[0].pk],
        "advisor": member.pk,
        "apply": "1",
    }
    assert operator.post(CHANGELIST, data).status_code == 200
    assert not companies[0].advisors.exists()


def test_the_administration_speaks_french_to_the_operator(client, django_user_model, diagnostic):
    """Its columns and fields are named in the operator's language, not by the code's
    English field names."""
    user = django_user_model.objects.create_superuser(
        email="operatrice@test.example", password="x", full_name="Opératrice"
    )
    client.force_login(user)
    client.cookies["django_language"] = "fr"
    page = client.get(reverse("admin:diagnostics_diagnostic_changelist")).text
    headers = re.findall(r'<th scope="col"[^>]*>.*?<a [^>]*>([^<]+)</a>', page, re.S)
    assert "Validé le" in headers
    assert "Lancé le" in headers
    assert not {"Company", "Status", "Created at", "Submitted at"} & set(headers)
    page = client.get(reverse("admin:accounts_invitation_add")).text
    for english in ("Invited by", "Expires at", "Revoked at", "Accepted by"):
        assert english not in page
