"""The legal pages in a real browser: reached from the footer with the keyboard, checked
with axe-core, on a computer screen and a phone screen."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINKS = {
    "Mentions légales": "Mentions légales",
    "Données personnelles": "Données personnelles",
    "Accessibilité : non conforme": "Déclaration d’accessibilité",
}


@pytest.mark.parametrize("width", [1280, 360])
def test_a_visitor_reaches_each_legal_page_from_the_footer(live_server, browser, a11y, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = context.new_page()
    for link, heading in LINKS.items():
        page.goto(live_server.url + "/login/")
        page.locator("footer").get_by_role("link", name=link).focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        a11y.check(page, f"{width}-{heading}")
    context.close()
