from __future__ import annotations

import pytest
from django.urls import reverse

from diagnostics.models import Answer
from tests.conftest import wait_for

PASSWORD = "correct-horse-battery"


def log_in(page, live_server, user):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server.url + "/")


def stored(code):
    return Answer.objects.filter(question__code=code).values_list("value", flat=True).first()


@pytest.mark.browser
@pytest.mark.quality("D1", "D2")
@pytest.mark.django_db(transaction=True)
def test_autosave_keeps_typed_text_through_an_expired_session(
    live_server, page, company_a, diagnostic, tmp_path
):
    log_in(page, live_server, company_a.member)
    url = live_server.url + reverse("diagnostics:domain", args=[diagnostic.public_id, "B"])
    page.goto(url)
    page.get_by_label("Pratiques en place ?", exact=False)  # fieldset legend present
    saves = []

    def note_save(request):
        if "/answers/" in request.url:
            saves.append(request.headers.get("content-type", ""))

    page.on("request", note_save)
    page.locator("#q-B\\.TWO\\.Q1-input").fill("40")
    page.locator("#q-B\\.TWO\\.Q1-input").blur()
    page.locator("#q-B\\.TWO\\.Q3-a").check()
    wait_for(lambda: stored("B.TWO.Q3") == ["a"])
    wait_for(lambda: stored("B.TWO.Q1") == 40)
    page.locator("#q-B\\.TWO\\.Q3 .save-status").filter(has_text="Enregistré").wait_for()
    # Form-encoded, the cheaper body for the server to read.
    assert saves
    assert all(t.startswith("application/x-www-form-urlencoded") for t in saves), saves
    page.screenshot(path=str(tmp_path / "answering.png"), full_page=True)

    # The session expires while the person types.
    page.context.clear_cookies()
    page.locator("#q-B\\.TWO\\.Q2-input").fill("Former deux soudeurs")
    status = page.locator("#q-B\\.TWO\\.Q2 .save-status")
    status.filter(has_text="session").wait_for()
    assert stored("B.TWO.Q2") is None

    # Logging in again and coming back: the typed text is still there and gets saved.
    log_in(page, live_server, company_a.member)
    page.goto(url)
    assert page.locator("#q-B\\.TWO\\.Q2-input").input_value() == "Former deux soudeurs"
    wait_for(lambda: stored("B.TWO.Q2") == "Former deux soudeurs")


@pytest.mark.browser
@pytest.mark.quality("D4")
@pytest.mark.django_db(transaction=True)
def test_two_browsers_same_question_conflict_is_shown(live_server, browser, company_a, diagnostic):
    alice = browser.new_context(locale="fr-FR").new_page()
    bob = browser.new_context(locale="fr-FR").new_page()
    log_in(alice, live_server, company_a.admin)
    log_in(bob, live_server, company_a.member)
    url = live_server.url + reverse("diagnostics:domain", args=[diagnostic.public_id, "A"])
    alice.goto(url)
    bob.goto(url)
    alice.locator("#q-A\\.ONE\\.Q1-1").check()
    wait_for(lambda: stored("A.ONE.Q1") == 1)
    bob.locator("#q-A\\.ONE\\.Q1-4").check()
    conflict = bob.locator("#q-A\\.ONE\\.Q1 .conflict")
    conflict.wait_for()
    assert "Un peu" in conflict.inner_text()
    assert stored("A.ONE.Q1") == 1
    bob.get_by_role("button", name="Remplacer par ma réponse").click()
    wait_for(lambda: stored("A.ONE.Q1") == 4)
