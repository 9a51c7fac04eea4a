"""The operator's read-only pages of the published catalogues and funding rules."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import ActionPlan, Catalogue, FundingRules

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        email="op@test.example", password="x-long-password"
    )
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def rows(page: str) -> list[list[str]]:
    """The change list's rows, each as its cells' text (a boolean as "yes" or "no")."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    result = []
    for row in re.findall(r"<tr.*?</tr>", body, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        text = [re.sub(r'<img[^>]*alt="(True|False)"[^>]*>', r"\1", c) for c in cells]
        text = [re.sub(r"<[^>]+>", "", c).strip() for c in text]
        result.append([{"True": "yes", "False": "no"}.get(c, c) for c in text])
    return result


@pytest.mark.quality("D5")
def test_funding_rules_versions_say_which_one_new_plans_use_and_how_many_plans_use_each(
    operator, funding_rules, submitted, monkeypatch
):
    newer, _ = FundingRules.publish(
        text=(ROOT / "reports/funding/funding-2026-v2.yaml").read_text()
    )
    assert ActionPlan.objects.get(diagnostic=submitted).funding_rules == funding_rules
    # The rules' own year (checked on 24/11/2026): the test does not depend on today's date.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 24))
    page = operator.get(reverse("admin:reports_fundingrules_changelist")).text
    assert "Autodiag operator" in page  # not "Django administration"
    first, second = rows(page)  # newest version first
    # title, version, facts checked on, published, used for new plans, plans
    assert first[:3] + first[4:] == [str(newer), "2", "24/11/2026", "yes", "0"]
    assert second[:2] + second[4:] == [str(funding_rules), "1", "no", "1"]
    assert "to check again" not in page
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2027, 1, 4))
    page = operator.get(reverse("admin:reports_fundingrules_changelist")).text
    assert "24/11/2026 — to check again: every amount is to be confirmed" in page

    url = reverse("admin:reports_fundingrules_change", args=[newer.pk])
    assert operator.get(url).status_code == 200
    operator.post(url, {"key": "changed", "version": 9})
    newer.refresh_from_db()
    assert (newer.key, newer.version) == ("financement-opco", 2)
    delete = reverse("admin:reports_fundingrules_delete", args=[newer.pk])
    assert operator.post(delete, {"post": "yes"}).status_code == 403
    assert operator.get(reverse("admin:reports_fundingrules_add")).status_code == 403


def test_catalogue_versions_list_their_plans(
    operator, catalogue, submitted, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        page = operator.get(reverse("admin:reports_catalogue_changelist")).text
    (row,) = rows(page)
    assert row[:2] + row[3:] == [str(catalogue), "1", "yes", "1"]
    assert Catalogue.objects.count() == 1
