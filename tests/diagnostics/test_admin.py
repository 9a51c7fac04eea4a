"""The operator's read-only lists of questionnaire versions and diagnostics read what
they show: never a version's YAML source or definition, nor a diagnostic's results."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diagnostics.models import Diagnostic

HEAVY = (
    '"diagnostics_questionnaire"."source"',
    '"diagnostics_questionnaire"."definition"',
    '"diagnostics_diagnostic"."results"',
)


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        email="op@test.example", password="x-long-password"
    )
    client.force_login(user)
    return client


def heavy_reads(client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    sql = [q["sql"] for q in captured]
    return response.content.decode(), [s for s in sql if any(column in s for column in HEAVY)]


@pytest.mark.quality("P4")
def test_the_diagnostics_list_reads_no_source_definition_or_results(
    operator, submitted, diagnostic, default_questionnaire, start
):
    start(default_questionnaire)
    assert Diagnostic.objects.count() >= 2
    page, heavy = heavy_reads(operator, reverse("admin:diagnostics_diagnostic_changelist"))
    assert heavy == []
    assert submitted.questionnaire.display_title("fr") in page  # each row names its version


@pytest.mark.quality("P4")
def test_the_versions_list_reads_no_source_or_definition(
    operator, small_questionnaire, default_questionnaire
):
    page, heavy = heavy_reads(operator, reverse("admin:diagnostics_questionnaire_changelist"))
    assert heavy == []
    assert default_questionnaire.display_title("fr") in page


def test_a_version_page_still_shows_its_source(operator, small_questionnaire):
    url = reverse("admin:diagnostics_questionnaire_change", args=[small_questionnaire.pk])
    page = operator.get(url).content.decode()
    first_line = small_questionnaire.source.strip().splitlines()[0]
    assert first_line.split(":")[0] in page
