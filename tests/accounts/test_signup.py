from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Company, Membership, User
from tests.factories import CompanyFactory, next_siret

URL = reverse("accounts:signup")


def form_data(**overrides):
    data = {
        "company-siret": next_siret(),
        "company-name": "Fonderie <b>Essai</b>",
        "company-naf_code": "2451z",
        "company-headcount_band": "50_249",
        "company-region": "44",
        "user-full_name": "Alix Testeur",
        "user-email": "Alix@Test.example",
        "user-password1": "un-mot-de-passe-solide",
        "user-password2": "un-mot-de-passe-solide",
    }
    data.update(overrides)
    return data


def test_get_shows_both_forms(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="company-siret"' in response.text
    assert 'name="user-email"' in response.text
    assert "form-control" in response.text


def test_signup_creates_company_and_first_admin(client, db):
    response = client.post(URL, form_data())
    assert response.status_code == 302
    company = Company.objects.get()
    assert company.naf_code == "24.51Z"
    assert company.sector == "24"
    user = User.objects.get()
    assert user.email == "alix@test.example"
    assert Membership.objects.get(user=user, company=company).role == Membership.Role.ADMIN
    home = client.get(reverse("home"))
    assert "Fonderie &lt;b&gt;Essai&lt;/b&gt;" in home.text


def test_signup_keeps_the_optional_idcc(client, db):
    assert client.post(URL, form_data(**{"company-idcc": " 3248 "})).status_code == 302
    assert Company.objects.get().idcc == "3248"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("company-siret", "90187654300018", "SIRET"),
        ("company-idcc", "32a8", "4 digits"),
        ("company-siret", "1234", "14"),
        ("company-naf_code", "25-62", "NAF"),
        ("company-region", "99", "99"),
        ("user-password2", "autre-chose-encore", "differ"),
        ("user-password1", "123", ""),
    ],
)
def test_bad_input_changes_nothing_and_says_why(client, db, field, value, message):
    client.cookies["django_language"] = "en"
    response = client.post(URL, form_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.text
    assert not Company.objects.exists()
    assert not User.objects.exists()


def test_bad_input_message_is_french_by_default(client, db):
    response = client.post(URL, form_data(**{"company-siret": "90187654300018"}))
    assert response.status_code == 400
    assert "Ce numéro SIRET n’est pas valide" in response.text


def test_registered_siret_is_refused_with_advice(client, db):
    client.cookies["django_language"] = "en"
    existing = CompanyFactory()
    response = client.post(URL, form_data(**{"company-siret": existing.siret}))
    assert response.status_code == 400
    assert "already registered" in response.text
    assert Company.objects.count() == 1


def test_logged_in_user_registers_a_second_company(client_for, company_a):
    client = client_for(company_a.admin)
    data = {k: v for k, v in form_data().items() if k.startswith("company-")}
    response = client.post(URL, data)
    assert response.status_code == 302
    assert company_a.admin.memberships.count() == 2
    assert User.objects.filter(email="alix@test.example").count() == 0


def test_wrong_method_is_refused(client, db):
    assert client.put(URL).status_code == 405
