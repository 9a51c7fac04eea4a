"""The advisor's and the operator's journeys in a real browser, the core journey in English
on a phone, and a domain page answered with the keyboard alone."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

import audit
from accounts.models import User
from diagnostics import services as diagnostic_services
from diagnostics.scoring import AnswerValue
from observatory.services import refresh_observatory
from reports import services as report_services
from reports.models import ActionPlan, FundingRules, PlanItem, Report
from tests.journeys.conftest import PASSWORD, ROOT, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The filters whose chosen value is wider than the box that shows it: [name, text, box].
FILTERS_CUT_OFF = """() => [...document.querySelectorAll("main form select")].map(select => {
    const style = getComputedStyle(select);
    const context = document.createElement("canvas").getContext("2d");
    context.font = style.font;
    const text = select.options[select.selectedIndex].text;
    const box = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return [select.name, text, Math.round(context.measureText(text).width), Math.floor(box)];
}).filter(([, , width, box]) => width > box)"""


# The tables whose box scrolls sideways (wider than the box): the headings of their sections.
TABLES_SCROLLING = """() => [...document.querySelectorAll("main .table-responsive")]
    .filter(box => box.scrollWidth > box.clientWidth + 1)
    .map(box => box.closest("section")?.querySelector("h2")?.textContent)"""


@pytest.fixture
def followed(published, company_a, advisor):
    """Company A's submitted diagnostic of the default questionnaire, followed by the
    advisor; everyone's password is the journeys' one."""
    for user in (company_a.admin, company_a.member, advisor):
        user.set_password(PASSWORD)
        user.save()
    membership = company_a.admin.memberships.get(company=company_a.company)
    diagnostic = diagnostic_services.start_diagnostic(
        membership=membership, questionnaire=published, mode="collective"
    )
    for question in published.spec.questions():
        if question.kind == "maturity":
            diagnostic_services.save_answer(
                diagnostic=diagnostic,
                question_code=question.code,
                answer=AnswerValue(1),
                user=company_a.admin,
                base_version=0,
            )
    report_services.submit(diagnostic=diagnostic, user=company_a.admin)
    return diagnostic


def give_six_figure_first_year(diagnostic) -> None:
    """The plan's first-year figures in the hundreds of thousands of euros: the widest the
    portfolio's columns of figures get."""
    ActionPlan.objects.filter(diagnostic=diagnostic).update(
        year1_cost_min=124530,
        year1_cost_max=242650,
        year1_funding_min=12090,
        year1_funding=23625,
        year1_remaining_min=112440,
        year1_remaining_max=219025,
    )


@pytest.mark.live_worker
def test_advisor_reviews_validates_and_the_company_gets_the_validated_pdf(
    live_server, live_worker, browser, followed, company_a, advisor, a11y
):
    base = live_server.url
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, advisor.email)
    # Six-figure plans: the portfolio still fits a laptop's width (the default 1280 px),
    # its review column in view.
    give_six_figure_first_year(followed)
    page.goto(base + "/advisor/")
    a11y.check(page, "portfolio")
    table = page.locator(".portfolio-table")
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    # Newer funding rules than the plan's are published: the review offers them.
    rules_v2 = (ROOT / "reports/funding/funding-2026-v2.yaml").read_text()
    newer, _ = FundingRules.publish(text=rules_v2)
    page.goto(base + "/advisor/queue/")
    a11y.check(page, "queue")
    page.get_by_role("link", name=re.compile("Relire|Start the review")).first.click()
    page.wait_for_url(re.compile(r".*/advisor/reviews/[0-9a-f-]+/$"))
    a11y.check(page, "review")
    page.get_by_role("button", name="Estimer le plan selon les règles version 2").click()
    page.locator(".alert-success").first.wait_for()
    assert ActionPlan.objects.get(diagnostic=followed).funding_rules == newer
    assert page.locator("[data-newer-rules]").count() == 0
    comments = page.locator("#review-form")
    comments.locator("textarea").first.fill("Commencer par la sécurité, <b>puis</b> le lean.")
    comments.locator("textarea").nth(1).fill("Former deux référents 5S.")
    comments.locator("button[value=validate]").click()
    page.locator(".alert-success").first.wait_for()
    a11y.check(page, "review-validated")
    plan = ActionPlan.objects.get(diagnostic=followed)
    assert plan.validated_by == advisor
    report = Report.objects.filter(diagnostic=followed).order_by("-number").first()

    # The company admin sees the validated plan and downloads the PDF made by the worker.
    admin = browser.new_context(locale="fr-FR").new_page()
    admin.set_default_timeout(15_000)
    log_in(admin, base, company_a.admin.email)
    admin.goto(f"{base}/reports/diagnostics/{followed.public_id}/plan/")
    a11y.check(admin, "validated-plan")
    assert advisor.full_name in admin.locator("main").inner_text()
    admin.goto(f"{base}/reports/{report.public_id}/")
    download = admin.locator(f"a[href$='{report.public_id}/download/']")
    download.first.wait_for(timeout=90_000)
    with admin.expect_download() as info:
        download.first.click()
    with open(info.value.path(), "rb") as pdf_file:
        reader = PdfReader(io.BytesIO(pdf_file.read()))
    text = re.sub(r"\s+", "", " ".join(p.extract_text() for p in reader.pages))
    assert "<b>puis</b>" in text  # the advisor's text, as text
    assert re.sub(r"\s+", "", advisor.full_name) in text

    # The company changes how many people a line trains: the plan is no longer validated,
    # it is back in the advisor's queue, and the review lists the change.
    admin.goto(f"{base}/reports/diagnostics/{followed.public_id}/plan/")
    admin.locator("#year1-h ~ * details summary").first.click()
    people = admin.locator("#year1-h ~ * input[name$='-people']").first
    before = people.input_value()
    people.fill(str(int(before) + 2))
    admin.get_by_role("button", name="Enregistrer le plan").click()
    admin.locator("[data-changed-since-validation]").wait_for()
    a11y.check(admin, "changed-plan")
    page.goto(base + "/advisor/queue/")
    page.locator("[data-changed]").wait_for()
    a11y.check(page, "queue-changed")
    page.get_by_role("link", name=re.compile("Relire|Start the review")).first.click()
    changes = page.locator("[data-changes]")
    assert f"personnes à former : {before} → {int(before) + 2}" in changes.inner_text()
    a11y.check(page, "review-changes")
    # A priority changed on the page is validated with it, not lost.
    priority = page.locator("#review-form select[name$='-priority']").first
    line_pk = int(priority.get_attribute("name").split("-")[1])
    wanted = "3" if priority.input_value() != "3" else "1"
    priority.select_option(wanted)
    page.locator("#review-form button[value=validate]").click()
    page.locator(".alert-success").first.wait_for()
    assert page.locator("[data-changes]").count() == 0
    assert not ActionPlan.objects.get(diagnostic=followed).changed_since_validation
    assert PlanItem.objects.get(pk=line_pk).priority == int(wanted)


def test_operator_opens_the_observatory_and_downloads_an_export(
    live_server, browser, followed, a11y, settings
):
    operator = User.objects.create_user(
        email="operateur@test.example",
        full_name="Opératrice",
        password=PASSWORD,
        is_staff=True,
        is_superuser=True,  # the administration too, as the demo's operator
    )
    settings.BENCHMARK_MIN_COMPANIES = 1  # the one company's figures fill the tables
    refresh_observatory()
    base = live_server.url
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, operator.email)
    page.goto(base + "/observatory/")
    a11y.check(page, "observatory-needs")
    # At 1280 px, every table shows all its columns (none scrolls inside its box), on
    # both pages.
    page.set_viewport_size({"width": 1280, "height": 800})
    for url in ("/observatory/funding/", "/observatory/"):
        page.goto(base + url)
        assert page.locator("main .table-responsive table").count() >= 5
        assert page.evaluate(TABLES_SCROLLING) == [], url
    # The filters show their values whole (the longest region's name too).
    page.select_option("#f-region", "93")  # Provence-Alpes-Côte d'Azur
    assert page.evaluate(FILTERS_CUT_OFF) == []
    page.goto(base + "/observatory/funding/")
    a11y.check(page, "observatory-funding")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export (CSV)").or_(
            page.get_by_role("link", name="Exporter (CSV)")
        ).first.click()
    with open(info.value.path(), encoding="utf-8-sig") as export:
        rows = export.read().splitlines()
    assert rows[0] == "Sélection"  # what the file counts comes first
    assert any(row.startswith("Dernière actualisation;") for row in rows)
    assert any(row.startswith("Code;Libellé;Statut;") for row in rows)

    # The published funding rules, in the operator's administration.
    page.goto(base + "/operator/reports/fundingrules/")
    a11y.check(page, "admin-funding-rules")
    assert "Règles de financement de la formation 2026" in page.locator("#result_list").inner_text()


def test_core_journey_in_english_on_a_phone(live_server, browser, followed, company_a, a11y):
    base = live_server.url
    # A name longer than a phone is wide, in an entry of the audit log.
    company_a.member.full_name = "Hubert Wolfeschlegelsteinhausenbergerdorff"
    company_a.member.save(update_fields=["full_name"])
    audit.record(
        "invitation_revoked",
        actor=company_a.admin,
        subject=company_a.member,
        company=company_a.company,
    )
    phone = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 780})
    page = phone.new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, company_a.admin.email)
    page.locator("#language-switch").select_option("en")
    page.locator("form[action$='/language/'] button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    for name, url in (
        ("home-en", "/"),
        ("overview-en", "/diagnostics/"),
        ("results-en", f"/diagnostics/{followed.public_id}/results/"),
        ("audit-log-en", "/company/log/"),
        ("plan-en", f"/reports/diagnostics/{followed.public_id}/plan/"),
    ):
        page.goto(base + url)
        a11y.check(page, name)
        # Nothing wider than the phone: wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 361, name
    assert "The first 12 months" in page.locator("main").inner_text()


# The results page's tables per domain: each one's header cells, [left, width] from the
# table's left edge, and the figures' cells not aligned to the right.
DOMAIN_TABLES = """() => {
    const tables = [...document.querySelectorAll("section[aria-labelledby=details-h] table")];
    return {
        columns: tables.map(table => [...table.querySelectorAll("thead th")].map(th => {
            const box = th.getBoundingClientRect();
            const left = box.left - table.getBoundingClientRect().left;
            return [Math.round(left), Math.round(box.width)];
        })),
        leftAligned: tables.flatMap(table => [...table.querySelectorAll("td")])
            .filter(td => !["right", "end"].includes(getComputedStyle(td).textAlign)).length,
        // Cells whose text runs out of their content box (into their padding or beyond).
        cramped: tables.flatMap(table => [...table.querySelectorAll("th, td")]).filter(cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            const text = range.getBoundingClientRect();
            const box = cell.getBoundingClientRect();
            const style = getComputedStyle(cell);
            return text.left < box.left + parseFloat(style.paddingLeft) - 1
                || text.right > box.right - parseFloat(style.paddingRight) + 1;
        }).map(cell => cell.textContent),
    };
}"""


def test_the_results_page_s_domain_tables_share_their_columns(
    live_server, browser, followed, company_a
):
    """One table per domain, one under the other: the same columns in each (not each
    table's own widths from its text), the figures right-aligned under their header, every
    header within its column; on a phone the competency keeps its width and the table
    scrolls inside its box."""
    base = live_server.url
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, company_a.admin.email)
    for width, competency in ((1280, 400), (800, 192), (360, 192)):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/diagnostics/{followed.public_id}/results/")
        tables = page.evaluate(DOMAIN_TABLES)
        columns = tables["columns"]
        assert len(columns) == len(followed.questionnaire.spec.domains) > 1
        assert all(c == columns[0] for c in columns), (width, columns)
        assert columns[0][0][1] >= competency, (width, columns[0])
        assert tables["leftAligned"] == 0
        assert tables["cramped"] == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    # From a small laptop up, no table of the page scrolls sideways (the chart's data
    # beside the chart neither).
    for width in (1024, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/diagnostics/{followed.public_id}/results/")
        assert page.evaluate(TABLES_SCROLLING) == [], width


def test_a_domain_page_is_answered_and_saved_with_the_keyboard_alone(
    live_server, page, company_a, diagnostic
):
    company_a.member.set_password(PASSWORD)
    company_a.member.save()
    base = live_server.url
    log_in(page, base, company_a.member.email)
    page.goto(f"{base}/diagnostics/{diagnostic.public_id}/domains/A/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")  # skip to the content
    first = page.locator("[id='q-A.ONE.Q1-0']")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q-A.ONE.Q1-0":
            break
    else:
        pytest.fail("the first answer cannot be reached with Tab")
    # The focus is visible: Bootstrap's focus ring on the focused control.
    ring = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert ring not in ("", "none")
    page.keyboard.press("ArrowRight")  # the next level of the radio group
    assert page.locator("[id='q-A.ONE.Q1-1']").is_checked()
    assert not first.is_checked()
    save = page.locator("main form button[type=submit]").first
    for _ in range(80):
        page.keyboard.press("Tab")
        if save.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the Save button cannot be reached with Tab (a keyboard trap?)")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert diagnostic.answers.get(question__code="A.ONE.Q1").value == 1


def test_the_operator_s_administration_forms_pass_axe(
    live_server, browser, company_a, advisor, a11y
):
    """The forms operators fill in Django's administration: every box has a name (the
    two-list selector's search boxes, the date and time boxes, a company's members). A
    searched list's link back to every row is told from its text by more than colour."""
    operator = User.objects.create_user(
        email="operateur@test.example",
        full_name="Opératrice",
        password=PASSWORD,
        is_staff=True,
        is_superuser=True,
    )
    base = live_server.url
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, operator.email)
    company = f"/operator/accounts/company/{company_a.company.pk}/change/"
    for name, url in (
        ("admin-company", company),
        ("admin-company-add", "/operator/accounts/company/add/"),
        ("admin-user", f"/operator/accounts/user/{company_a.admin.pk}/change/"),
        ("admin-invitation-add", "/operator/accounts/invitation/add/"),
        ("admin-group-add", "/operator/auth/group/add/"),
    ):
        page.goto(base + url, wait_until="load")  # the selectors are built on load
        a11y.check(page, name)
    # A searched list on a small laptop, where axe weighs its "(N in all)" link in its line.
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(f"{base}/operator/accounts/company/?q=introuvable")  # no row, "(N in all)"
    assert page.locator("#changelist-search .quiet a").count() == 1
    a11y.check(page, "admin-companies-searched")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + company, wait_until="load")
    search = page.get_by_role(
        "textbox", name=re.compile("filtrer la liste des « conseillers » disponibles")
    )
    assert search.count() == 1
    page.goto(base + "/operator/accounts/invitation/add/")
    assert page.get_by_role("textbox", name="Date :").count() == 2  # expiry and revocation


# The ranges of amounts laid out on more than one line in the page's tables.
RANGES_WRAPPED = """() => [...document.querySelectorAll("main td.text-end")]
    .filter(cell => cell.firstChild?.nodeType === Node.TEXT_NODE && cell.textContent.includes("–"))
    .filter(cell => {
        const range = document.createRange();
        range.selectNodeContents(cell.firstChild);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
    }).map(cell => cell.textContent.trim())"""


def test_the_portfolio_the_review_and_the_plan_fit_a_small_laptop(
    live_server, browser, followed, company_a, advisor, a11y
):
    """At 1,024 px (a small laptop, a tablet held sideways) every column of the portfolio,
    of the review's plan lines (the priority, the horizon and the drop with its reason
    included) and of the plan's tables is in view: none scrolls sideways. The ranges of
    amounts break after their dash there, and keep to one line from 1,200 px."""
    give_six_figure_first_year(followed)
    # Forty people on every line: five- and six-figure ranges in the plan and its totals.
    PlanItem.objects.filter(plan__diagnostic=followed).update(people=40)
    base = live_server.url
    advisor_page = browser.new_context(locale="fr-FR").new_page()
    log_in(advisor_page, base, advisor.email)
    company_page = browser.new_context(locale="fr-FR").new_page()
    log_in(company_page, base, company_a.admin.email)
    pages = [
        (advisor_page, "/advisor/"),
        (advisor_page, f"/advisor/reviews/{followed.public_id}/"),
        (company_page, f"/reports/diagnostics/{followed.public_id}/plan/"),
    ]
    for page, path in pages:
        page.set_viewport_size({"width": 1024, "height": 900})
        page.goto(base + path)
        assert page.locator("main .table-responsive").count() > 0, path
        assert page.evaluate(TABLES_SCROLLING) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024, path
    a11y.check(advisor_page, "review at 1,024 px")
    lines = advisor_page.locator(".review-lines tbody tr")
    assert lines.count() > 1
    first = lines.first
    title = first.locator("th .fw-semibold").inner_text()
    # Each control named with its line's action (what a screen reader says), in view.
    for role, name in (
        ("combobox", f"Priorité de « {title} »"),
        ("combobox", f"Horizon de « {title} »"),
        ("checkbox", f"Abandonner {title}"),
        ("textbox", f"Motif de l’abandon de « {title} »"),
    ):
        assert first.get_by_role(role, name=name, exact=True).is_visible(), name
    for page, path in pages[1:]:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(base + path)
        assert page.evaluate(RANGES_WRAPPED) == [], path
