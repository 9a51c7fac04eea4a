"""The legal notice, the privacy notice and the accessibility statement: public pages,
filled from the settings, linked from every page's footer."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, hash_token

PUBLISHER = {
    "PUBLISHER_NAME": "Opco <b>Exemple</b> & Cie",
    "PUBLISHER_ADDRESS": "1 rue de l’Exemple\n75000 Paris",
    "PUBLISHER_PHONE": "01 00 00 00 00",
    "PUBLISHER_EMAIL": "contact@opco.example",
    "PUBLISHER_REGISTRATION": "SIREN 000 000 000",
    "PUBLICATION_DIRECTOR": "Claire Exemple",
    "HOST_NAME": "Hébergeur Exemple",
    "HOST_ADDRESS": "2 avenue de l’Exemple, 69000 Lyon",
    "HOST_PHONE": "04 00 00 00 00",
}
NOTHING = dict.fromkeys(PUBLISHER, "") | {"PRIVACY_CONTACT": ""}
TO_COMPLETE = "à compléter par l’éditeur du site"
PAGES = ("legal:notice", "legal:privacy", "legal:accessibility")


def text(response) -> str:
    """The page's text, tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_public_and_read_only(client, name):
    assert client.get(reverse(name)).status_code == 200
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.django_db
@override_settings(**PUBLISHER)
def test_the_legal_notice_names_the_publisher_the_director_and_the_host(client):
    page = client.get(reverse("legal:notice"))
    html = page.content.decode()
    assert "Opco &lt;b&gt;Exemple&lt;/b&gt; &amp; Cie" in html  # escaped
    assert "1 rue de l’Exemple<br>75000 Paris" in html  # lines kept
    body = text(page)
    for value in ("01 00 00 00 00", "SIREN 000 000 000", "Claire Exemple", "Hébergeur Exemple"):
        assert value in body
    assert "2 avenue de l’Exemple, 69000 Lyon" in body
    assert 'href="mailto:contact@opco.example"' in html
    assert "loi n° 2004-575" in body
    assert TO_COMPLETE not in body


@pytest.mark.django_db
@override_settings(**NOTHING)
def test_a_missing_value_is_shown_as_to_be_completed_not_left_blank(client):
    body = text(client.get(reverse("legal:notice")))
    # name, office, phone, e-mail, director; host name, address and phone
    assert body.count(TO_COMPLETE) == 8
    assert "SIREN" not in body  # the registration is optional: no line at all


@pytest.mark.django_db
@override_settings(**PUBLISHER, LANGUAGE_CODE="en")
def test_the_pages_speak_english_too(client):
    for name, heading in zip(
        PAGES, ("Legal notice", "Personal data", "Accessibility statement"), strict=True
    ):
        body = text(client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en"))
        assert f"{heading} · Autodiag" in body
        assert "Mentions légales" not in body


@pytest.mark.django_db
@override_settings(
    **PUBLISHER,
    PRIVACY_CONTACT="dpo@opco.example",
    AUDIT_RETENTION=timedelta(days=200),
    INVITATION_RETENTION=timedelta(days=45),
    SUPERSEDED_REPORT_RETENTION=timedelta(days=400),
    COMPANY_CLOSURE_GRACE=timedelta(days=20),
    SESSION_COOKIE_AGE=8 * 3600,
    SESSION_COOKIE_NAME="autodiag_session",
    BENCHMARK_MIN_COMPANIES=7,
)
def test_the_privacy_notice_states_what_the_settings_do(client):
    page = client.get(reverse("legal:privacy"))
    body = text(page)
    html = page.content.decode()
    assert 'href="mailto:dpo@opco.example"' in html  # the DPO before the publisher
    assert "200 jours" in body  # the audit log
    assert "45 jours après l’expiration de son lien" in body
    assert "400 jours après la création d’une version plus récente" in body
    assert "puis encore 20 jours avant leur suppression" in body
    assert "8 heures après votre connexion" in body
    for cookie in ("autodiag_session", "csrftoken", "django_language"):
        assert cookie in body
    assert "moins de 7 entreprises" in body
    assert "les entreprises que vous suivez voient votre nom et votre adresse e-mail" in body
    assert "Hébergeur Exemple" in body
    for url in (reverse("privacy:my_data"), reverse("accounts:profile")):
        assert f'href="{url}"' in html
    assert f'href="{reverse("privacy:delete_account")}"' in html
    assert "https://www.cnil.fr/fr/plaintes" in html


@pytest.mark.django_db
@override_settings(**NOTHING)
def test_without_a_privacy_contact_the_notice_says_where_to_write(client):
    body = text(client.get(reverse("legal:privacy")))
    assert "écrivez à l’éditeur du site (voir les mentions légales)" in body


@pytest.mark.django_db
@override_settings(**PUBLISHER)
def test_the_privacy_contact_falls_back_to_the_publisher_address(client):
    html = client.get(reverse("legal:privacy")).content.decode()
    assert 'href="mailto:contact@opco.example"' in html


def footer_status(client, url: str) -> str:
    html = client.get(url).content.decode()
    footer = html[html.index("<footer") :]
    return re.search(r"Accessibilité : ([^<]+)</a>", footer).group(1)


@pytest.mark.django_db
@override_settings(**PUBLISHER, ACCESSIBILITY_AUDIT_DATE=None, ACCESSIBILITY_AUDIT_RATE=None)
def test_without_an_audit_the_site_is_declared_not_compliant(client):
    page = client.get(reverse("legal:accessibility"))
    body = text(page)
    assert 'data-conformity="none"' in page.content.decode()
    assert "Autodiag est non conforme avec le référentiel" in body
    assert "Aucun audit de conformité n’a encore été réalisé" in body
    assert "Opco &lt;b&gt;Exemple&lt;/b&gt; &amp; Cie s’engage" in page.content.decode()
    assert 'href="mailto:contact@opco.example"' in page.content.decode()
    assert footer_status(client, reverse("accounts:login")) == "non conforme"


@pytest.mark.django_db
def test_an_audit_gives_its_status_on_the_statement_and_in_every_footer(client, settings):
    settings.ACCESSIBILITY_AUDIT_DATE = timezone.localdate() - timedelta(days=100)
    settings.ACCESSIBILITY_AUDIT_RATE = 75
    settings.ACCESSIBILITY_AUDITOR = "Cabinet Exemple"
    body = text(client.get(reverse("legal:accessibility")))
    assert "Autodiag est partiellement conforme avec le référentiel" in body
    assert "75 % des critères du RGAA sont respectés" in body
    assert "Il a été réalisé par Cabinet Exemple." in body
    assert footer_status(client, reverse("home")) == "partiellement conforme"

    settings.ACCESSIBILITY_AUDIT_DATE = timezone.localdate() - timedelta(days=3 * 366)
    body = text(client.get(reverse("legal:accessibility")))
    assert "Autodiag est non conforme" in body
    assert "a plus de trois ans" in body
    assert footer_status(client, reverse("accounts:signup")) == "non conforme"


@pytest.mark.django_db
def test_every_page_links_to_the_three_legal_pages(client, client_for, company_a):
    urls = [
        reverse("home"),
        reverse("accounts:login"),
        reverse("accounts:signup"),
        "/no-such-page/",
    ]
    for url in urls:
        html = client.get(url).content.decode()
        for name in PAGES:
            assert f'href="{reverse(name)}"' in html, (url, name)
    signed_in = client_for(company_a.admin)
    for url in (reverse("home"), reverse("diagnostics:list"), reverse("accounts:members")):
        html = signed_in.get(url).content.decode()
        assert all(f'href="{reverse(name)}"' in html for name in PAGES), url


@pytest.mark.django_db
def test_sign_up_and_invitation_forms_say_where_personal_data_is_explained(client, company_a):
    privacy = f'href="{reverse("legal:privacy")}"'
    assert privacy in client.get(reverse("accounts:signup")).content.decode()
    token = Invitation.new_token()
    Invitation.objects.create(
        company=company_a.company,
        email="guest@test.example",
        role="member",
        invited_by=company_a.admin,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=3),
    )
    page = client.get(reverse("accounts:invitation", args=[token])).content.decode()
    start = page.index('<form method="post" novalidate')
    form = page[start : page.index("</form>", start)]
    assert privacy in form  # next to the button that creates the account


@pytest.mark.django_db
def test_the_statement_links_to_the_multi_year_plan_when_there_is_one(client, settings):
    settings.ACCESSIBILITY_PLAN_URL = ""
    assert "schéma pluriannuel" not in text(client.get(reverse("legal:accessibility")))
    settings.ACCESSIBILITY_PLAN_URL = "https://opco.example/accessibilite?annee=2026&v=2"
    page = client.get(reverse("legal:accessibility"))
    assert "Son schéma pluriannuel de mise en accessibilité" in text(page)
    assert 'href="https://opco.example/accessibilite?annee=2026&amp;v=2"' in page.content.decode()


@pytest.mark.django_db
def test_the_footer_follows_the_day_and_the_language(client, settings, monkeypatch):
    localdate = "legal.templatetags.legal.timezone.localdate"
    monkeypatch.setattr(localdate, lambda: date(2026, 12, 5))
    settings.ACCESSIBILITY_AUDIT_DATE = date(2023, 12, 6)  # valid until 5 December 2026
    settings.ACCESSIBILITY_AUDIT_RATE = 100
    assert footer_status(client, reverse("accounts:login")) == "totalement conforme"
    english = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Accessibility: fully compliant</a>" in english.content.decode()
    # The next day the audit is three years old: every footer says so at once.
    monkeypatch.setattr(localdate, lambda: date(2026, 12, 6))
    assert footer_status(client, reverse("accounts:login")) == "non conforme"


@pytest.mark.django_db
def test_an_audit_dated_in_the_future_is_not_called_too_old(client, settings):
    settings.ACCESSIBILITY_AUDIT_DATE = timezone.localdate() + timedelta(days=10)
    settings.ACCESSIBILITY_AUDIT_RATE = 90
    body = text(client.get(reverse("legal:accessibility")))
    assert "Autodiag est non conforme" in body
    assert "a plus de trois ans" not in body
    assert "Aucun audit de conformité n’a encore été réalisé" in body


@pytest.mark.django_db
@override_settings(CSRF_COOKIE_AGE=None, LANGUAGE_COOKIE_AGE=30 * 86400)
def test_the_cookie_lifetimes_follow_the_settings(client):
    html = client.get(reverse("legal:privacy")).content.decode()
    rows = {
        name: " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for name, row in re.findall(r"<tr>\s*<td><code>([^<]+)</code></td>(.*?)</tr>", html, re.S)
    }
    assert rows["csrftoken"].endswith("Jusqu’à la fermeture du navigateur")
    assert rows["django_language"].endswith("30 jours")
    assert rows["sessionid"].endswith("12 heures")
