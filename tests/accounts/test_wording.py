"""French elision of the names put after "de": pages, e-mails and messages; durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership
from accounts.templatetags.wording import elide, since
from reports import services as report_services
from reports.tasks import notify_ready

NAME = "Atelier Martin & Fils"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Résultats de Atelier Martin", "Résultats d’Atelier Martin"),
        ("Réponse de Émilie Roux, le 3 mars", "Réponse d’Émilie Roux, le 3 mars"),
        ("De Orano", "D’Orano"),
        ("Le plan de formation de Imerys.", "Le plan de formation d’Imerys."),
        ("Résultats de Hutchinson", "Résultats de Hutchinson"),  # h aspiré: left alone
        ("Résultats de Yoplait", "Résultats de Yoplait"),
        ("Résultats de 3M", "Résultats de 3M"),
        ("Rôle de Bernard", "Rôle de Bernard"),
        ("la garde Acme", "la garde Acme"),  # "de" inside a word
    ],
)
def test_de_is_elided_before_a_vowel_in_french(text, expected):
    assert elide(text, "fr") == expected


def test_nothing_is_elided_in_english():
    assert elide("Results de Atelier", "en") == "Results de Atelier"
    with translation.override("en"):
        assert elide("de Atelier") == "de Atelier"
    with translation.override("fr"):
        assert elide("de Atelier") == "d’Atelier"


@pytest.fixture
def atelier(company_a):
    company_a.company.name = NAME
    company_a.company.save()
    return company_a


@pytest.mark.quality("S9")
def test_pages_elide_the_company_s_name_and_keep_it_as_text(client_for, atelier, submitted):
    client = client_for(atelier.admin)
    results = client.get(reverse("diagnostics:results", args=[submitted.public_id])).text
    assert "<h1>Résultats d’Atelier Martin &amp; Fils</h1>" in results
    plan = client.get(reverse("reports:plan", args=[submitted.public_id])).text
    assert "<h1>Plan d’action de formation d’Atelier Martin &amp; Fils</h1>" in plan
    members = client.get(reverse("accounts:members")).text
    assert "<h1>Membres d’Atelier Martin &amp; Fils</h1>" in members
    client.cookies["django_language"] = "en"
    results = client.get(reverse("diagnostics:results", args=[submitted.public_id])).text
    assert "<h1>Results of Atelier Martin &amp; Fils</h1>" in results


@pytest.mark.quality("S9")
def test_the_report_e_mail_elides_the_name(atelier, submitted):
    report = report_services.request_report(diagnostic=submitted, user=atelier.admin, language="fr")
    notify_ready(report.pk)
    [message] = mail.outbox
    assert f"Le plan d’action PDF d’{NAME} (version 1) est prêt." in message.body


def test_the_role_message_elides_a_person_s_name(client_for, atelier):
    member = Membership.objects.get(user=atelier.member, company=atelier.company)
    member.user.full_name = "Isabelle Roux"
    member.user.save()
    client = client_for(atelier.admin)
    response = client.post(
        reverse("accounts:change_role", args=[member.public_id]), {"role": "admin"}, follow=True
    )
    assert "Le rôle d’Isabelle Roux a été modifié." in response.text


NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "then", "expected"),
    [
        # Django's own French says "1 année" but "2 ans".
        ("fr", datetime(2025, 5, 1, 9, 0, tzinfo=UTC), "1\xa0an, 7\xa0mois"),
        ("fr", datetime(2024, 10, 20, 9, 0, tzinfo=UTC), "2\xa0ans, 1\xa0mois"),
        ("fr", NOW - timedelta(days=9), "1\xa0semaine, 2\xa0jours"),
        ("fr", NOW - timedelta(hours=1, minutes=5), "1\xa0heure, 5\xa0minutes"),
        ("fr", NOW - timedelta(seconds=20), "0\xa0minute"),
        ("en", datetime(2025, 5, 1, 9, 0, tzinfo=UTC), "1\xa0year, 7\xa0months"),
        ("en", NOW - timedelta(days=1), "1\xa0day"),
    ],
)
def test_durations_are_worded_in_each_language(language, then, expected):
    with translation.override(language):
        assert since(then, NOW) == expected


def test_no_date_gives_no_duration():
    assert since(None, NOW) == ""
