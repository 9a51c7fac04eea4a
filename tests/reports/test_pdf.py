"""The PDF report: template, print CSS and the renderer that fetches nothing but our files.

Most tests need no database: the template context is built from plain objects
(`sample_context()`, also handy to render a realistic sample by hand). The last test
renders the context reports.document builds from a submitted diagnostic.
"""

from __future__ import annotations

import gc
import io
import logging
import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest
import weasyprint.pdf
from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import BooleanObject
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from diagnostics.charts import RadarAxis, radar_svg
from diagnostics.scoring import CompetencyResult, DomainResult
from reports.pdf import RefusedURL, RenderedPdf, StaticOnlyFetcher, render_pdf
from tests.markup import header_cells

# A 1×1 PNG.
PNG_DATA_URL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)

DOMAIN_NAMES = [
    "Production et méthodes",
    "Qualité, hygiène, sécurité, environnement",
    "Maintenance",
    "Achats et logistique",
    "Commercial et relation client",
    "Numérique et données industrielles",
    "Management et organisation",
    "Ressources humaines et compétences",
]
COMPETENCY_NAMES = [
    "Standardisation des postes de travail",
    "Résolution de problèmes (PDCA, 8D)",
    "Pilotage par indicateurs",
    "Amélioration continue et lean",
    "Transmission des savoir-faire",
]
ACTIONS = [
    "Lean management : les fondamentaux",
    "Animer un point quotidien de performance (SQCDP)",
    "Méthode 8D et résolution de problèmes",
    "Maintenance préventive de premier niveau (TPM)",
    "Tuteur en entreprise : transmettre son savoir-faire",
    "Tableaux de bord de production avec un tableur",
    "Cybersécurité des systèmes industriels : sensibilisation",
    "Habilitation électrique B0/H0",
    "Manager de proximité : les premiers pas",
    "Négocier avec ses fournisseurs",
    "Gestion des stocks et approvisionnements",
    "Entretien professionnel : le conduire et le suivre",
]


def competency_result(i: int, j: int, *, unknown: bool = False) -> CompetencyResult:
    target = 2 + (i + j) % 3
    level = None if unknown else round(((i * 7 + j * 3) % 9) / 2, 2)
    return CompetencyResult(
        code=f"D{i}.C{j}",
        domain=f"D{i}",
        weight=1 + j % 3,
        target=target,
        level=level,
        score=None if level is None else round(level * 25, 2),
        gap=None if level is None else round(max(0.0, target - level), 2),
        visible=4,
        known=0 if unknown else 3 + (j % 2),
        dont_know=4 if unknown else 1 - (j % 2),
        unanswered=0,
    )


def sample_context(
    *,
    n_domains: int = 8,
    n_items: int = 12,
    reliable: bool = True,
    company_name: str = "Mécanique de Précision du Val d’Oise",
    owner: str = "Claire Dubois",
    notes: str = "À planifier après l’audit client de mars.\nPrévoir un remplaçant sur la ligne 2.",
    advisor_comment: str = (
        "Bon diagnostic d’ensemble. Priorité à la résolution de problèmes et à la "
        "maintenance préventive.\nLes actions P3 peuvent attendre le second semestre."
    ),
) -> dict[str, Any]:
    """A realistic French report context (the shape reports.document.report_context makes)."""
    domains = []
    for i in range(n_domains):
        comps = [
            {
                "title": COMPETENCY_NAMES[j],
                "result": competency_result(i, j, unknown=(i == 5 and j == 0)),
            }
            for j in range(3 + i % 3)
        ]
        known_levels = [c["result"].level for c in comps if c["result"].level is not None]
        level = round(sum(known_levels) / len(known_levels), 2) if known_levels else None
        target = round(sum(c["result"].target for c in comps) / len(comps), 2)
        domains.append(
            {
                "code": f"D{i}",
                "title": DOMAIN_NAMES[i % len(DOMAIN_NAMES)],
                "result": DomainResult(
                    code=f"D{i}",
                    level=level,
                    score=None if level is None else round(level * 25, 2),
                    target=target,
                    gap=None if level is None else round(max(0.0, target - level), 2),
                    visible=sum(c["result"].visible for c in comps),
                    known=sum(c["result"].known for c in comps),
                    dont_know=sum(c["result"].dont_know for c in comps),
                    unanswered=0,
                ),
                "benchmark": 55.4 + i if i % 2 == 0 else None,
                "benchmark_count": 7 + i if i % 2 == 0 else None,
                "competencies": comps,
            }
        )
    scored = [d for d in domains if d["result"].score is not None]
    ranked = sorted(scored, key=lambda d: -d["result"].score)
    chart = radar_svg(
        [
            RadarAxis(label=d["title"], score=d["result"].score, target=d["result"].target * 25)
            for d in domains
        ],
        title="Score et cible par domaine",
        score_label="Score",
        target_label="Cible",
    )
    fundings = ["OPCO 2i (plan de développement)", "FNE-Formation", "Fonds propres"]
    plan_items = [
        {
            "priority": 1 + k * 3 // n_items,
            "competencies": [COMPETENCY_NAMES[k % len(COMPETENCY_NAMES)]],
            "horizon_label": "12 premiers mois" if k < n_items // 2 else "Plus tard",
            "compliance": [],
            "best_route": {
                "label": fundings[k % 3],
                "eligible": k % 3 != 2 or k % 6 == 5,
                "reason": "réservé aux entreprises de 1 à 49 salariés",
                "uncertain": k % 3 == 0 or k % 6 == 5,
            },
            "estimated_funding": [420, 630, 0][k % 3],
            "not_estimated": k % 6 == 5,  # eligible, but the rule gives no amount
            "funding_min": [420, 300, 0][k % 3],
            "remaining_min": [480, 570, 450][k % 3],
            "remaining_max": [1080, 570, 800][k % 3],
            "action_code": f"ACT-{k + 1:03d}",
            "action_title": ACTIONS[k % len(ACTIONS)],
            "modality": ["Intra-entreprise", "Inter-entreprises", "E-learning"][k % 3],
            "duration_hours": [14, 21, 7, 35, 3.5][k % 5],
            "cost_min": [900, 1200, 450, 2400, 300][k % 5],
            "cost_max": [1500, 1200, 800, 3600, 300][k % 5],
            "people": 1 + k % 4,
            "funding": fundings[k % 3],
            "status": ["Proposée", "Acceptée", "Reportée"][k % 3],
            "target_quarter": f"2027-T{1 + k % 4}",
            "owner": owner,
            "notes": notes if k % 3 == 0 else "",
            "reasons": [
                "L’écart à la cible est de 2 niveaux sur une compétence importante.",
                "« Les postes de travail ont-ils des standards écrits ? » : niveau 1",
                "« Les problèmes sont-ils analysés jusqu’à la cause racine ? » : niveau 1,5",
            ][: 1 + k % 3],
        }
        for k in range(n_items)
    ]
    return {
        "lang": "fr",
        "generated_at": datetime(2026, 11, 23, 14, 5, tzinfo=UTC),
        "report_number": 3,
        "company": SimpleNamespace(
            name=company_name,
            siret="73282932000074",
            naf_code="25.62B",
            get_headcount_band_display="50 à 249 salariés",
            get_region_display="Île-de-France",
        ),
        "questionnaire_title": "Diagnostic des compétences industrielles",
        "questionnaire_version": 2,
        "submitted_at": datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        "respondents": ["Claire Dubois", "Karim Benali", "Sophie Martin"],
        "res": SimpleNamespace(
            overall_score=63.4 if reliable else 41.0,
            known_share=0.87 if reliable else 0.35,
            reliable=reliable,
        ),
        "strongest": [{"title": d["title"], "score": d["result"].score} for d in ranked[:3]],
        "weakest": [{"title": d["title"], "score": d["result"].score} for d in ranked[::-1][:3]],
        "chart": chart,
        "domains": domains,
        "plan_items": plan_items,
        "plan_now": plan_items[: (n_items + 1) // 2],
        "plan_later": plan_items[(n_items + 1) // 2 :],
        "totals": {
            "label": "Total",
            "hours": 493.5,
            "cost_min": 14250,
            "cost_max": 21600,
            "funding": 5250,
            "remaining_min": 9000,
            "remaining_max": 16350,
            "by_horizon": [],
            "by_horizon_title": "Par horizon",
            "by_route_title": "Par financement",
            "by_route": [
                {
                    "label": f,
                    "hours": 164.5,
                    "cost_min": 4750,
                    "cost_max": 7200,
                    "funding": 1750,
                    "remaining_min": 3000,
                    "remaining_max": 5450,
                }
                for f in fundings
            ],
            "has_funding": True,
            "uncertain": True,
            "rules": SimpleNamespace(version=1, checked_on=date(2026, 11, 24)),
        },
        "advisor_comment": advisor_comment,
        "validated_by": "Jean Moreau",
        "validated_at": datetime(2026, 11, 22, 16, 0, tzinfo=UTC),
    }


def render_html(context: dict[str, Any], lang: str = "fr") -> str:
    with translation.override(lang):
        return render_to_string("reports/pdf.html", context)


def pdf_text(pdf: RenderedPdf) -> str:
    reader = PdfReader(io.BytesIO(pdf.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def squeeze(text: str) -> str:
    """Text without any whitespace: lines wrap anywhere in narrow table cells."""
    return re.sub(r"\s+", "", text)


def image_count(pdf: RenderedPdf) -> int:
    reader = PdfReader(io.BytesIO(pdf.content))
    return sum(len(page.images) for page in reader.pages)


def font_names(pdf: RenderedPdf) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf.content))
    return {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


class SpyFetcher(StaticOnlyFetcher):
    """Records every URL WeasyPrint asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        self.asked.append(url)
        return super().fetch(url, headers)


# --- (a) Content ---------------------------------------------------------------------------


def test_report_content():
    pdf = render_pdf(render_html(sample_context()))
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.pages >= 3
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == pdf.pages
    text = pdf_text(pdf)
    flat = squeeze(text)
    assert squeeze("Mécanique de Précision du Val d’Oise") in flat
    assert "63/100" in flat  # the overall index
    assert squeeze("Lean management : les fondamentaux") in flat
    assert "Page 1 / " in text
    assert f"Page {pdf.pages} / {pdf.pages}" in text
    assert "Autodiag — Mécanique" in text  # the running header, on pages after the cover
    # Euros in the French way: "1 200 €" (non-breaking space as thousands separator).
    assert re.search(r"14\s250\s–\s21\s600\s€", text)
    assert "Jean Moreau" in text  # the validation line
    # Funding: each line's estimate and remaining cost, the totals, and the notice.
    assert re.search(r"about 420\s€|environ 420\s€", text)
    # At the low end of the cost range the same route funds less: both ends are shown.
    assert re.search(r"environ\s300\s–\s630\s€", text)
    # A route whose rule gives no amount is eligible, not "about 0 €".
    assert squeeze("Fonds propres : éligible, montant non chiffré*") in flat
    assert not re.search(r"environ\s0\s€", text)
    # A remaining cost whose ends are equal is one figure, not "570 – 570 €".
    assert re.search(r"Reste\sà\scharge\s:\s570\s€", text)
    assert not re.search(r"570\s–\s570", text)
    assert re.search(r"16\s350\s€", text)  # the remaining cost of the whole plan
    assert squeeze("sous réserve de l’accord de l’OPCO") in flat
    # The rules are dated by the day their facts were checked, not by the day loaded.
    assert squeeze("vérifiées auprès de leurs sources le 24/11/2026") in flat
    assert squeeze("à confirmer auprès de votre OPCO") in flat
    # DejaVu Sans everywhere, the page header and footer (margin boxes) included.
    assert all("DejaVu-Sans" in name for name in font_names(pdf))


def test_every_header_cell_of_the_report_has_text():
    """The tagged PDF names each column by its header: none is left empty."""
    cells = header_cells(render_html(sample_context()))
    assert "Actions comptées" in cells
    assert [cell for cell in cells if not cell] == []


def laid_out(html: str) -> weasyprint.document.Document:
    """The report laid out as render_pdf lays it out (the same stylesheet and fetcher)."""
    from weasyprint import CSS, HTML

    fetcher = StaticOnlyFetcher()
    return HTML(string=html, base_url="static:", url_fetcher=fetcher).render(
        stylesheets=[CSS(url="static:css/report.css", url_fetcher=fetcher)]
    )


def text_outside_its_table_cell(html: str) -> list[str]:
    """The pieces of text that run past the right edge of their table cell (its padding
    box: into its border or the next cell), as laid out by render_pdf."""
    from weasyprint.formatting_structure import boxes

    outside = []
    for page in laid_out(html).pages:
        for cell in page._page_box.descendants():
            if not isinstance(cell, boxes.TableCellBox):
                continue
            right = cell.padding_box_x() + cell.padding_width()
            outside += [
                text.text
                for text in cell.descendants()
                if isinstance(text, boxes.TextBox) and text.position_x + text.width > right + 0.5
            ]
    return outside


def words_broken_in_header_cells(html: str) -> list[str]:
    """The header cells whose text render_pdf breaks inside a word ("Targe" then "t" on the
    next line; "Score /" then "100" is a break between words), as laid out with the
    report's stylesheet."""
    from weasyprint.formatting_structure import boxes

    broken = []
    for page in laid_out(html).pages:
        for group in page._page_box.descendants():
            if not (isinstance(group, boxes.TableRowGroupBox) and group.is_header):
                continue
            for cell in group.descendants():
                if not isinstance(cell, boxes.TableCellBox):
                    continue
                lines = [
                    "".join(t.text for t in line.descendants() if isinstance(t, boxes.TextBox))
                    for line in cell.descendants()
                    if isinstance(line, boxes.LineBox)
                ]
                words = re.findall(r"\w+", "".join(cell.element.itertext()))
                if re.findall(r"\w+", " ".join(lines)) != words:
                    broken.append(" / ".join(lines))
    return broken


def test_large_amounts_stay_in_their_columns():
    """Ranges of five-figure amounts wrap at their dash, and "12 personnes" before its
    noun, instead of running into the next column (the plan, its totals, its "later"
    lines)."""
    context = sample_context()
    totals = context["totals"]
    for row in [totals, *totals["by_route"]]:
        row.update(
            cost_min=32960,
            cost_max=56870,
            funding_min=20605,
            funding=26719,
            remaining_min=12355,
            remaining_max=30151,
        )
    for item in context["plan_items"]:
        item.update(
            cost_min=32960, cost_max=56870, remaining_min=12355, remaining_max=30151, people=12
        )
    html = render_html(context)
    assert "20\u202f605\xa0– 26\u202f719" in html or "20\xa0605\xa0– 26\xa0719" in html
    assert text_outside_its_table_cell(html) == []
    english = render_html(context, "en")
    assert "20,605\xa0– 26,719" in english
    assert text_outside_its_table_cell(english) == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_column_header_is_broken_inside_a_word(language):
    """Every column is wide enough for the longest word of its header in both languages
    ("Target", "Duration", "Réponses"): a header reads "Targe" then "t" otherwise."""
    html = render_html(sample_context(n_domains=2), language)
    assert words_broken_in_header_cells(html) == []


def test_domains_share_pages_and_end_with_their_whole_domain_line():
    context = sample_context(n_domains=8, n_items=0, advisor_comment="")
    context.update(totals=None, validated_by=None)
    html = render_html(context)
    # One line per competency and one for the whole domain, in the same table.
    assert html.count('<tr class="total">') == 8
    pdf = render_pdf(html)
    # Cover, summary, chart, the 8 domains at least two to a page, the plan.
    assert pdf.pages <= 8
    flat = squeeze(pdf_text(pdf))
    assert flat.count(squeeze("Ensemble du domaine")) == 8


def test_the_company_s_own_words_come_before_the_plan_on_the_last_domain_s_page():
    """What the company said, then what is proposed; and no page of its own for a few
    answers when the last domain's page has room."""
    context = sample_context(n_domains=8)
    context["free_texts"] = [
        {"question": "Quels sont vos principaux besoins ?", "respondent": "", "answer": "Former"},
        {"question": "Quels métiers recrutez-vous ?", "respondent": "", "answer": "Régleurs"},
    ]
    html = render_html(context)
    assert "{#" not in html  # no template comment printed
    pdf = render_pdf(html)
    pages = [squeeze(p.extract_text()) for p in PdfReader(io.BytesIO(pdf.content)).pages]
    needs = next(i for i, text in enumerate(pages) if squeeze("Besoins exprimés") in text)
    plan = next(i for i, text in enumerate(pages) if squeeze("Plan de formation par") in text)
    last_domain = squeeze(DOMAIN_NAMES[7 % len(DOMAIN_NAMES)])
    assert needs < plan
    assert last_domain in pages[needs]


def test_unreliable_results_show_a_notice_instead_of_the_index():
    html = render_html(sample_context(reliable=False, n_domains=3, n_items=2), lang="en")
    assert "Overall index" not in html
    flat = squeeze(pdf_text(render_pdf(html)))
    assert squeeze("Not reliable enough: no overall index") in flat
    assert squeeze("Share of known answers") in flat
    assert squeeze("35%") in flat


def test_english_report_renders():
    context = sample_context(n_domains=3, n_items=1)
    context["lang"] = "en"
    html = render_html(context, lang="en")
    assert '<html lang="en">' in html
    assert "<title>Competency diagnostic — Mécanique" in html
    assert render_pdf(html).pages >= 3


def test_empty_plan_and_no_respondents():
    context = sample_context(n_domains=3, n_items=0, advisor_comment="")
    context.update(respondents=[], totals=None, validated_by=None, validated_at=None)
    html = render_html(context, lang="en")
    assert "The plan has no training action yet." in html
    assert "respondents not listed" in html
    assert "Advisor's review" not in html
    assert render_pdf(html).pages >= 3


# --- (b) Hostile user text is text --------------------------------------------------------

HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/hostname">',
    "<script>alert(1)</script>",
]


@pytest.mark.quality("S9", "S10")
def test_html_in_user_text_is_printed_as_text():
    hostile = " ".join(HOSTILE)
    fields = {
        "company_name": "ACME " + hostile,
        "owner": "OWNER " + hostile,
        "notes": "NOTES " + hostile,
        "advisor_comment": "COMMENT " + hostile,
    }
    html = render_html(sample_context(n_domains=3, n_items=2, **fields))
    assert '<img src="file:' not in html
    assert "<link rel=" not in html
    assert "<script>" not in html
    spy = SpyFetcher()
    pdf = render_pdf(html, fetcher=spy)
    flat = squeeze(pdf_text(pdf))
    for value in fields.values():
        assert squeeze(value) in flat, value  # printed as typed, markup included
    reader = PdfReader(io.BytesIO(pdf.content))
    assert reader.metadata is not None
    assert "<script>" in (reader.metadata.title or "")
    assert not reader.attachments
    assert b"/EmbeddedFile" not in pdf.content
    assert image_count(pdf) == 0
    assert spy.asked == ["static:css/report.css"]  # the markup asked for nothing


# --- (c) Nothing is fetched even when escaping is bypassed --------------------------------


class CountingServer:
    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.1:{outer.port}/x.png")
                    self.end_headers()
                    return
                body = b"body { color: red }" if self.path.endswith(".css") else b"x"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[CountingServer]:
    srv = CountingServer()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def hostile_document(srv: CountingServer) -> str:
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Hostile</title>
<base href="{srv.url("/base/")}">
<link rel="stylesheet" href="{srv.url("/y.css")}">
<link rel="stylesheet" href="static:../../etc/passwd">
<link rel="attachment" href="file:///etc/hostname">
<link rel="attachment" href="{srv.url("/attachment.txt")}">
<link rel="stylesheet" href="data:text/css,@import url({srv.url("/in-data.css")});">
<style>
@import url({srv.url("/z.css")});
@import url(file:///etc/passwd);
@font-face {{ font-family: Remote; src: url({srv.url("/font.woff")}); }}
body {{ background: url({srv.url("/background.png")}); }}
</style>
</head><body>
<h1>Escaping bypassed</h1>
<p style="font-family: Remote">Text.</p>
<img src="{srv.url("/x.png")}" alt="remote">
<img src="{srv.url("/redirect")}" alt="redirect">
<img src="https://127.0.0.1:{srv.port}/s.png" alt="https">
<img src="ftp://127.0.0.1:1/f.png" alt="ftp">
<img src="file:///etc/passwd" alt="file">
<img src="/etc/passwd" alt="absolute path">
<img src="../../../../etc/passwd" alt="relative path">
<img src="static:../../etc/passwd" alt="escaping static path">
<object data="{srv.url("/object.svg")}" type="image/svg+xml">object</object>
<img src="relative.png" alt="relative to the base">
<svg width="20" height="20"><image href="{srv.url("/svg.png")}" width="20" height="20"/></svg>
<svg width="20" height="20"><style>@import url({srv.url("/svg.css")});</style></svg>
<img alt="svg" src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='9' \
height='9'%3E%3Cimage href='{srv.url("/in-data-svg.png")}' width='9' height='9'/%3E%3C/svg%3E">
<img src="{PNG_DATA_URL}" alt="inline">
</body></html>"""


@pytest.mark.quality("S10")
def test_nothing_is_fetched_even_with_escaping_bypassed(server):
    # The server works and the default fetcher would use it.
    HTML(string=f'<img src="{server.url("/control.png")}">', url_fetcher=URLFetcher()).render()
    assert server.requests == ["/control.png"]
    server.requests.clear()

    spy = SpyFetcher()
    pdf = render_pdf(hostile_document(server), fetcher=spy)

    assert server.requests == []
    reader = PdfReader(io.BytesIO(pdf.content))
    assert not reader.attachments
    assert b"/EmbeddedFile" not in pdf.content
    # Only the inline data: image was embedded, and our stylesheet was served.
    assert image_count(pdf) == 1
    assert "static:css/report.css" in spy.served
    assert any(url.startswith("data:image/png") for url in spy.served)
    assert all(url == "static:css/report.css" or url.startswith("data:") for url in spy.served)
    # WeasyPrint did ask for the hostile URLs: the fetcher refused them.
    asked = "\n".join(spy.asked)
    for needle in (
        "/y.css",
        "/z.css",
        "/in-data.css",
        "/x.png",
        "/redirect",
        "/base/relative.png",
        "file:///etc/hostname",
        "/svg.png",
        "/in-data-svg.png",
    ):
        assert needle in asked, needle
    # report.css was applied: DejaVu Sans everywhere (WeasyPrint's default is a serif).
    assert font_names(pdf)
    assert all("DejaVu-Sans" in name for name in font_names(pdf))


@pytest.mark.quality("S10")
def test_fetcher_follows_no_redirect_and_logs_refusals(server, caplog):
    fetcher = StaticOnlyFetcher()
    caplog.set_level(logging.WARNING, logger="reports.pdf")
    for url in (server.url("/redirect"), server.url("/x.png"), "file:///etc/hostname"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert server.requests == []
    assert server.url("/redirect") in caplog.text
    assert "file:///etc/hostname" in caplog.text
    long_url = server.url("/" + "a" * 500)
    with pytest.raises(RefusedURL):
        fetcher.fetch(long_url)
    assert long_url not in caplog.text  # truncated


# --- (d) Static paths ----------------------------------------------------------------------


@pytest.mark.quality("S10")
@pytest.mark.parametrize(
    "url",
    [
        "static:../../etc/passwd",
        "static:css/../../../etc/passwd",
        "static:%2e%2e/%2e%2e/etc/passwd",
        "static:/etc/passwd",
        "static://etc/passwd",
        "static:css\\..\\..\\etc\\passwd",
        "static:",
        "static:css/",
        "static:css/missing.css",
        "static:css/report.css?x=1",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "http://127.0.0.1:1/x.png",
        "https://example.com/x.png",
        "ftp://127.0.0.1:1/x",
        "gopher://127.0.0.1:1/x",
        "css/report.css",
        "/etc/passwd",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses(url):
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher().fetch(url)


def test_fetcher_serves_static_files_and_data_urls():
    fetcher = StaticOnlyFetcher()
    response = fetcher.fetch("static:css/report.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    response = fetcher.fetch(PNG_DATA_URL)
    assert response.read().startswith(b"\x89PNG")
    assert fetcher.served == ["static:css/report.css", PNG_DATA_URL]


def test_missing_stylesheet_is_an_error():
    with pytest.raises(Exception, match="static file"):
        render_pdf("<html lang=fr><title>x</title><p>x</p></html>", stylesheets=["css/nope.css"])


# --- (e) Tagged PDF -----------------------------------------------------------------------


def test_pdf_is_tagged_and_titled():
    pdf = render_pdf(render_html(sample_context(n_domains=3, n_items=3)))
    reader = PdfReader(io.BytesIO(pdf.content))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "fr"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert reader.metadata is not None
    title = "Diagnostic des compétences — Mécanique de Précision du Val d’Oise"
    assert reader.metadata.title == title
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp  # declared PDF/UA-1 in its XMP metadata


def test_falls_back_to_an_untagged_pdf_when_the_variant_fails(monkeypatch, caplog):
    """Tagging fails half-way through writing (as WeasyPrint's tagger can on odd layouts)."""

    def failing_add_tags(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("tagging failed")

    monkeypatch.setattr(weasyprint.pdf, "add_tags", failing_add_tags)
    caplog.set_level(logging.WARNING, logger="reports.pdf")
    pdf = render_pdf(render_html(sample_context(n_domains=3, n_items=2)))
    assert pdf.pages >= 3
    reader = PdfReader(io.BytesIO(pdf.content))
    assert "/MarkInfo" not in reader.trailer["/Root"]
    assert "Page 1 / " in pdf_text(pdf)
    assert "falling back" in caplog.text


# --- (f) The garbage collector during a render ---------------------------------------------


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection the cyclic garbage collector runs, in order."""
    seen: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.collect()  # nothing left over from the tests before
    gc.callbacks.append(record)
    yield seen
    gc.callbacks.remove(record)


def test_a_render_sets_off_no_collection_and_frees_its_cycles_when_done(collections):
    """Left on, the collector runs hundreds of times during the demo report's render, full
    collections of the whole process included, for the cycles the render makes."""
    html = render_html(sample_context(n_domains=3, n_items=3))
    collections.clear()
    pdf = render_pdf(html)
    assert pdf.pages >= 3
    assert collections == [1]  # the young generations, once, when the render is done
    assert gc.isenabled()
    assert gc.collect() < 100  # the render's cycles (thousands) are already freed


def test_the_collector_comes_back_when_a_render_fails(collections):
    with pytest.raises(Exception, match="static file"):
        render_pdf("<html lang=fr><title>x</title><p>x</p></html>", stylesheets=["css/nope.css"])
    assert gc.isenabled()
    assert collections == [1]


def test_a_collector_turned_off_by_the_caller_stays_off(collections):
    html = render_html(sample_context(n_domains=1, n_items=1))
    collections.clear()
    gc.disable()
    try:
        render_pdf(html)
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert collections == []


# --- With real data -----------------------------------------------------------------------


def test_report_of_a_submitted_diagnostic(submitted):
    """The template against the context reports.document builds from the database."""
    from reports.document import report_context

    for lang in ("fr", "en"):
        with translation.override(lang):
            context = report_context(submitted, lang, 1)
            html = render_to_string("reports/pdf.html", context)
        pdf = render_pdf(html)
        assert pdf.pages >= 3
        text = pdf_text(pdf)
        assert squeeze(submitted.company.name) in squeeze(text)
        assert "Page 1 / " in text


def test_the_summary_gives_the_first_year_s_cost_funding_and_remaining_cost(
    funding_rules, submitted
):
    """The summary page says what the plan's first 12 months cost, what the OPCO may fund
    and what stays with the company: the figures of the first-year row of the costs table,
    from the counted lines only (a dropped line leaves them)."""
    from diagnostics.templatetags.figures import amounts
    from reports import services
    from reports.document import report_context
    from reports.models import ActionPlan, PlanItem

    plan = ActionPlan.objects.get(diagnostic=submitted)
    year1 = PlanItem.objects.filter(plan=plan, horizon=PlanItem.Horizon.YEAR1)
    assert year1.count() > 1
    dropped = year1.order_by("position").first()
    services.update_plan_items(
        plan=plan, changes={dropped.pk: {"status": "dropped", "drop_reason": "Déjà fait"}}
    )
    with translation.override("fr"):
        context = report_context(submitted, "fr", 1)
        html = render_to_string("reports/pdf.html", context)
        totals = context["totals"]
        first = totals["year1"]
        assert totals["has_funding"]  # an amount, not "not estimated"
        assert first["lines"] == year1.count() - 1
        assert first == next(t for t in totals["by_horizon"] if t["label"] == first["label"])
        figures = [
            amounts(first["cost_min"], first["cost_max"]),
            amounts(first["funding_min"], first["funding"]),
            amounts(first["remaining_min"], first["remaining_max"]),
        ]
    summary = squeeze(PdfReader(io.BytesIO(render_pdf(html).content)).pages[1].extract_text())
    assert squeeze("Les 12 premiers mois du plan") in summary
    assert squeeze(f"Actions de formation {first['lines']} ·") in summary
    for figure in figures:
        assert squeeze(f"{figure} €") in summary, figure


def test_dropped_lines_are_apart_with_their_reason_and_not_counted(submitted):
    """A dropped line is not among the actions the company takes to its OPCO: it is listed
    apart with its reason; a postponed one is with the lines for later; the count and the
    totals leave out the dropped line, and the totals name their two breakdowns."""
    from reports import services
    from reports.document import report_context
    from reports.models import ActionPlan, PlanItem

    plan = ActionPlan.objects.get(diagnostic=submitted)
    one, two = PlanItem.objects.filter(plan=plan).order_by("position")[:2]
    services.update_plan_items(
        plan=plan,
        changes={
            one.pk: {"status": "dropped", "drop_reason": "Déjà suivie en 2026"},
            two.pk: {"status": "postponed", "horizon": "year1"},
        },
    )
    with translation.override("en"):
        context = report_context(submitted, "en", 1)
        html = render_to_string("reports/pdf.html", context)
    assert [i["pk"] for i in context["plan_dropped"]] == [one.pk]
    assert one.pk not in {i["pk"] for i in context["plan_now"] + context["plan_later"]}
    assert two.pk in {i["pk"] for i in context["plan_later"]}
    assert len(context["plan_items"]) == PlanItem.objects.filter(plan=plan).count() - 1
    text = squeeze(pdf_text(render_pdf(html)))
    assert squeeze("Actions dropped from the plan, with the reason given") in text
    assert squeeze("Déjà suivie en 2026") in text
    assert squeeze(context["totals"]["by_horizon_title"]) in text
    assert squeeze(context["totals"]["by_route_title"]) in text
