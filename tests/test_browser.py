from __future__ import annotations

import pytest

from accounts.models import Company
from tests.factories import next_siret


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_up_a_company_with_the_keyboard_and_labels(live_server, page, tmp_path):
    errors: list[str] = []  # the browser's console: a missing icon or script shows here
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(live_server.url + "/signup/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.keyboard.press("Tab")
    assert page.locator(".skip-link").evaluate("el => el === document.activeElement")
    page.get_by_label("SIRET").fill(next_siret())
    page.get_by_label("Nom de l’entreprise").fill("Chaudronnerie Navigateur")
    page.get_by_label("Code NAF").fill("25.11Z")
    page.get_by_label("Effectif").select_option("10_49")
    page.get_by_label("Région").select_option("53")
    page.get_by_label("Nom complet").fill("Léa Testeuse")
    page.get_by_label("Adresse e-mail").fill("lea@test.example")
    page.get_by_label("Mot de passe*", exact=True).fill("un-secret-bien-long")
    page.get_by_label("Mot de passe (confirmation)").fill("un-secret-bien-long")
    page.get_by_role("button", name="S’inscrire").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", name="Chaudronnerie Navigateur").is_visible()
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    assert Company.objects.filter(name="Chaudronnerie Navigateur").exists()
    assert errors == []
