"""Real-browser journeys: a live server, a real Celery worker, Debian's Chromium, and
axe-core on every page a journey visits.

Screenshots of each journey's key pages and, on a failure, the axe report go to
test-results/journeys/ (not committed); the failing test's output names the files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from diagnostics import services as diagnostic_services
from reports import services as report_services
from reports.models import FundingRules

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-results" / "journeys"
PASSWORD = "un-secret-bien-long-2026"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


class Accessibility:
    """Runs axe-core on a page and keeps the serious and critical violations."""

    def __init__(self, test_name: str) -> None:
        self.axe = Axe()
        self.test_name = re.sub(r"[^a-z0-9_-]+", "-", test_name.lower())
        self.found: list[dict] = []
        self.pages: list[str] = []

    def check(self, page, name: str, *, scripts: bool = True) -> None:
        """Check the page as it stands and save a screenshot of it under `name`. A page of
        a context without JavaScript (`scripts=False`) is only photographed: axe needs
        JavaScript, so its journey checks the same page in a context that has it."""
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"{self.test_name}-{name}.png"), full_page=True)
        if not scripts:
            return
        result = self.axe.run(
            page,
            options={"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": WCAG}},
        )
        self.pages.append(f"{name}: {page.url}")
        title = page.title()
        if not re.fullmatch(r".+ · Autodiag", title):  # the page, then the product
            self.found.append({"page": name, "url": page.url, "rule": "page-title", "title": title})
        for violation in result.response["violations"]:
            if violation["impact"] in BLOCKING:
                self.found.append(
                    {
                        "page": name,
                        "url": page.url,
                        "rule": violation["id"],
                        "impact": violation["impact"],
                        "help": violation["help"],
                        "nodes": [n["target"] for n in violation["nodes"]][:10],
                    }
                )

    def report(self) -> str:
        path = OUTPUT / f"{self.test_name}-axe.json"
        path.write_text(json.dumps({"pages": self.pages, "violations": self.found}, indent=2))
        return str(path)


@pytest.fixture
def a11y(request):
    """axe-core on the pages a journey checks; the test fails on any serious or critical
    violation, naming the report and the screenshots."""
    checker = Accessibility(request.node.name)
    yield checker
    if checker.found:
        report = checker.report()
        rules = sorted({v["rule"] for v in checker.found})
        pytest.fail(f"accessibility violations {rules}: see {report} and {OUTPUT}")


@pytest.fixture
def published(transactional_db):
    """The default questionnaire, catalogue and funding rules, committed for the server."""
    questionnaire, _ = diagnostic_services.import_questionnaire(
        text=(ROOT / "diagnostics/questionnaires/competences-industrie-v1.yaml").read_text()
    )
    report_services.import_catalogue(
        text=(ROOT / "reports/catalogue/catalogue-v1.yaml").read_text()
    )
    FundingRules.publish(text=(ROOT / "reports/funding/funding-2026.yaml").read_text())
    return questionnaire


def log_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login/")
    page.locator("main").get_by_label("Mot de passe", exact=False).first.fill(password)
    page.locator("main input[name=username]").fill(email)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)
