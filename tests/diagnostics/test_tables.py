"""The table rows built in Python (P4): what the results page and the diagnostics lists show
in their cells, escaped, with the figures written as the templates wrote them."""

from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import translation

from diagnostics.tables import body_rows, diagnostic_rows, results_rows

PARIS = ZoneInfo("Europe/Paris")


def cells(html: str) -> list[list[str]]:
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in html.split("</tr>")[:-1]]


def test_body_rows_escape_every_cell_and_head_each_row():
    html = body_rows([("<b>Soudage</b>", 'a "quoted" & cell', 3)])
    assert html == (
        '<tr><th scope="row">&lt;b&gt;Soudage&lt;/b&gt;</th>'
        "<td>a &quot;quoted&quot; &amp; cell</td><td>3</td></tr>"
    )


def _result(**values):
    return SimpleNamespace(**values)


def test_results_rows_write_the_figures_as_the_page_did():
    competency = _result(score=62.5, level=2.55, target=3, known=4, visible=5, dont_know=1)
    unknown = _result(score=None, level=None, target=2, known=0, visible=2, dont_know=2)
    context = {
        "domains": [
            {
                "title": "Maintenance",
                "result": _result(score=41.25, target=8 / 3, gap=0.95),
                "benchmark": None,
                "competencies": [
                    {"title": "Préventive", "result": competency},
                    {"title": "Curative", "result": unknown},
                ],
            }
        ],
        "gaps": [("Préventive", _result(level=2.55, target=3, gap=0.45, weight=1))],
        "evolution": [
            {"title": "Maintenance", "before": 30.0, "now": 41.25, "delta": 11.3},
            {"title": "Qualité", "before": 50.0, "now": 45.0, "delta": -5.0},
            {"title": "Énergie", "before": None, "now": 20.0, "delta": None},
        ],
    }
    with translation.override("fr"):
        rows = results_rows(context)
    # Score 0 places half up, target 8/3 of 4 levels out of 100, gap 1 place, no benchmark.
    assert cells(rows["score_rows"]) == [["Maintenance", "41", "67", "1,0", "—"]]
    assert cells(context["domains"][0]["rows"]) == [
        ["Préventive", "63", "2,6", "3", "4/5", "1"],
        ["Curative", "—", "—", "2", "0/2", "2"],
    ]
    assert cells(rows["gap_rows"]) == [["Préventive", "2,6", "3", "0,5", "×1"]]
    assert cells(rows["evolution_rows"]) == [
        ["Maintenance", "30", "41", "+11"],
        ["Qualité", "50", "45", "-5"],
        ["Énergie", "—", "20", "—"],
    ]
    with translation.override("en"):
        assert cells(results_rows(context)["gap_rows"]) == [["Préventive", "2.6", "3", "0.5", "×1"]]


def _diagnostic(status, created, submitted=None, title="Compétences industrie"):
    return SimpleNamespace(
        public_id="6f1c1f0e-8d4b-4a53-9a5e-3f0c2b9d7a10",
        questionnaire=title,
        status=status,
        is_draft=status == "draft",
        created_at=created,
        submitted_at=submitted,
    )


def test_diagnostic_rows_link_a_draft_to_its_answers_only_for_its_members():
    draft = _diagnostic("draft", datetime(2026, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC")))
    with translation.override("fr"):
        mine = cells(diagnostic_rows([draft], answer_links=True))
        followed = cells(diagnostic_rows([draft], answer_links=False))
    overview = reverse("diagnostics:overview", args=[draft.public_id])
    # 23:30 UTC on 31 March is 1 April in Paris, as the template's date filter wrote it.
    assert mine == [
        ["Compétences industrie", "01/04/2026", "En cours", f'<a href="{overview}">Répondre</a>']
    ]
    assert followed[0][3] == "—"


def test_diagnostic_rows_link_a_submitted_one_to_its_results_and_plan():
    done = _diagnostic(
        "submitted",
        datetime(2026, 1, 5, 9, tzinfo=PARIS),
        datetime(2026, 2, 10, 9, tzinfo=PARIS),
        title="<i>Skills</i>",
    )
    with translation.override("en"):
        (row,) = cells(diagnostic_rows([done], answer_links=True))
    results = reverse("diagnostics:results", args=[done.public_id])
    plan = reverse("reports:plan", args=[done.public_id])
    assert row == [
        "&lt;i&gt;Skills&lt;/i&gt;",
        "05/01/2026",
        "Submitted (10/02/2026)",
        f'<a href="{results}">Results</a> · <a href="{plan}">Action plan and PDF</a>',
    ]


def test_a_page_masks_its_csrf_token_once(client_for, company_a):
    """The header's forms (log out, language) and the page's own carry the same token."""
    text = client_for(company_a.admin).get(reverse("diagnostics:list")).text
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    assert len(tokens) >= 3  # the header's two forms and the start form
    assert len(set(tokens)) == 1


def test_pages_name_the_questionnaire_in_the_reader_s_language(client_for, company_a, diagnostic):
    client = client_for(company_a.admin)
    assert "Petit questionnaire (v1)" in client.get(reverse("diagnostics:list")).text
    client.cookies["django_language"] = "en"
    for url in (
        reverse("diagnostics:list"),
        reverse("diagnostics:overview", args=[diagnostic.public_id]),
    ):
        text = client.get(url).text
        assert "Small questionnaire (v1)" in text
        assert "Petit questionnaire" not in text
