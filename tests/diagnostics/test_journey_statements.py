"""The SQL statements of each page of a respondent's journey (P4), as bench/journey.py
counts them: the list, "start", the overview, each domain page's GET and POST, the
submission and the results. BEGIN and COMMIT count (a savepoint in a test's transaction)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diagnostics.models import Diagnostic
from reports.models import PlanItem
from reports.services import DEFAULT_CATALOGUE_DIR, import_catalogue

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's save statements"
)

# Per request of each kind; a domain page's GET and POST are the same for every domain.
# Each request starts with one statement: its session, read with the user and their
# memberships (accounts.sessions).
EXPECTED = {
    # the session, the number of diagnostics (pages), a page of them, the start form's
    # questionnaires (read once for the select's two walks), the last submitted diagnostic
    # (whether to offer starting from its answers)
    "list": 5,
    # the session, the last submitted diagnostic, the chosen questionnaire, BEGIN, the
    # company (locked), its diagnostic in progress on that version, the INSERT, COMMIT
    "start": 8,
    # the session, the diagnostic with the answers
    "overview": 2,
    "domain GET": 2,
    # the session, then one statement: the draft (share-locked, with its company and
    # status), the stored answers (row-locked), the UPDATE and the INSERT; the diagnostic's
    # fixed facts are kept per process from its first read
    "domain POST": 2,
    # the session, the diagnostic, BEGIN, the diagnostic (locked), the answers, UPDATE, the
    # scores, the catalogue (without its definition, parsed once per process), the plan's
    # actions, the funding rules (the same), the plan with its first-year totals, its
    # lines, COMMIT
    "submit": 13,
    # the session, the diagnostic, the benchmark, the previous diagnostic, the free-text
    # answers
    "results": 5,
}


def answer_fields(domain):
    fields = {}
    for competency in domain.competencies:
        for q in competency.questions:
            fields[f"q-{q.code}-v"] = "0"
            if q.kind == "maturity":
                fields[f"q-{q.code}"] = "2"
            elif q.kind == "yesno":
                fields[f"q-{q.code}"] = "yes"
            elif q.kind in ("single", "multiple"):
                fields[f"q-{q.code}"] = q.choices[0].code
            elif q.kind == "number":
                fields[f"q-{q.code}"] = str(int(q.min or 0) + 1)
            else:
                fields[f"q-{q.code}"] = "Réponse"
    return fields


def journey(client, questionnaire):
    """One completion; the statements of each request, by page kind."""
    counts = defaultdict(list)

    def send(kind, method, path, data=None):
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(client, method)(path, data or {})
        counts[kind].append(len(ctx))
        return response

    assert send("list", "get", reverse("diagnostics:list")).status_code == 200
    data = {"questionnaire": questionnaire.pk, "mode": "collective"}
    response = send("start", "post", reverse("diagnostics:start"), data)
    assert response.status_code == 302
    diagnostic = Diagnostic.objects.latest("created_at")
    assert send("overview", "get", response["Location"]).status_code == 200
    domains = questionnaire.spec.domains
    for i, domain in enumerate(domains):
        url = reverse("diagnostics:domain", args=[diagnostic.public_id, domain.code])
        assert send("domain GET", "get", url).status_code == 200
        following = domains[min(i + 1, len(domains) - 1)].code
        fields = {**answer_fields(domain), "next_domain": following}
        assert send("domain POST", "post", url, fields).status_code == 302
    submit = reverse("reports:submit", args=[diagnostic.public_id])
    response = send("submit", "post", submit, {"confirm": "1"})
    assert response.status_code == 302
    assert send("results", "get", response["Location"]).status_code == 200
    return counts


@pytest.mark.quality("P4")
def test_each_page_of_the_journey_runs_a_fixed_number_of_statements(
    client_for, company_a, default_questionnaire, funding_rules
):
    # the default catalogue of the questionnaire's version, so the plan has lines
    import_catalogue(text=(DEFAULT_CATALOGUE_DIR / "catalogue-v1.yaml").read_text())
    client = client_for(company_a.admin)
    journey(client, default_questionnaire)  # the session and the per-process caches
    counts = journey(client, default_questionnaire)
    assert PlanItem.objects.filter(plan__diagnostic__company=company_a.company).count() > 2
    assert {kind: set(values) for kind, values in counts.items()} == {
        kind: {expected} for kind, expected in EXPECTED.items()
    }
