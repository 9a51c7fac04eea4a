"""The scale data set of bench/observatory.py, made small: every insert fits the schema."""

from __future__ import annotations

import io

from django.core.management import call_command

from accounts.models import Company
from diagnostics.models import Diagnostic
from observatory.models import PlanLineFact
from reports.models import ActionPlan, PlanItem


def test_the_scale_data_set_loads(db):
    for command in ("load_questionnaire", "load_catalogue", "load_funding"):
        call_command(command, stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_scale", "--companies", "6", "--per-company", "2", "--lines", "3", stdout=out)
    companies = Company.objects.filter(siret__startswith="7")
    assert companies.count() == 6
    assert Diagnostic.objects.filter(company__in=companies, status="submitted").count() == 12
    assert ActionPlan.objects.filter(company__in=companies).count() == 12
    assert PlanItem.objects.filter(company__in=companies).count() == 36
    assert PlanLineFact.objects.exists()  # the observatory was refreshed
    assert "plan lines" in out.getvalue()
