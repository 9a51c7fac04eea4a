"""`crispy_blank` (accounts/templatetags/blank_forms.py): the crispy HTML of an unbound
form, kept per process by what it depends on; a bound form is always rendered afresh."""

from __future__ import annotations

from unittest import mock

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.urls import reverse
from django.utils import translation

from accounts.templatetags import blank_forms
from diagnostics import services
from diagnostics.forms import StartDiagnosticForm
from diagnostics.models import Diagnostic
from tests.samples import SMALL_V2

pytestmark = pytest.mark.quality("P4")


@pytest.fixture(autouse=True)
def _empty_cache():
    blank_forms._KEPT.clear()
    yield
    blank_forms._KEPT.clear()


def blank(company, language="fr"):
    with translation.override(language):
        form = StartDiagnosticForm(company_id=company.pk)
        return str(blank_forms.crispy_blank(form)), str(as_crispy_form(form))


def test_gives_what_crispy_gives_in_each_language(company_a, small_questionnaire):
    for language in ("fr", "en"):
        kept, crispy = blank(company_a.company, language)
        assert kept == crispy
        kept_again, _ = blank(company_a.company, language)
        assert kept_again == crispy
    assert blank(company_a.company, "fr")[0] != blank(company_a.company, "en")[0]


def test_renders_an_unbound_form_once(company_a, small_questionnaire):
    with mock.patch.object(blank_forms, "as_crispy_form", wraps=as_crispy_form) as render:
        for _ in range(3):
            blank(company_a.company)
    assert render.call_count == 1


def test_follows_the_published_versions_and_the_company_history(
    company_a, small_questionnaire, request
):
    first, _ = blank(company_a.company)
    assert f'value="{small_questionnaire.pk}"' in first
    assert 'name="copy_previous"' not in first

    newer, _ = services.import_questionnaire(text=SMALL_V2)
    second, crispy = blank(company_a.company)
    assert second == crispy
    assert f'value="{newer.pk}"' in second
    assert f'value="{small_questionnaire.pk}"' not in second

    request.getfixturevalue("submitted")  # the company's first diagnostic, submitted
    assert Diagnostic.objects.latest_submitted(company_a.company.pk) is not None
    third, crispy = blank(company_a.company)
    assert third == crispy
    assert 'name="copy_previous"' in third


def test_a_bound_form_shows_its_errors(client_for, company_a, small_questionnaire):
    client = client_for(company_a.admin)
    client.get(reverse("diagnostics:list"))  # an unbound form is kept
    response = client.post(reverse("diagnostics:start"), {"questionnaire": "", "mode": "nope"})
    assert response.status_code == 400
    assert "is-invalid" in response.text
    page = client.get(reverse("diagnostics:list")).text
    assert "is-invalid" not in page
