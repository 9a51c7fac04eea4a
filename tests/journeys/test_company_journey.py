"""The company's journey in a real browser: sign up, invite, answer together (one colleague
without JavaScript), submit, edit the plan, and get the PDF made by the worker."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from accounts.models import Company, Membership
from diagnostics.models import Answer, Diagnostic
from reports.models import PlanItem, Report
from tests.conftest import wait_for
from tests.factories import next_siret
from tests.journeys.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live_worker,
    pytest.mark.django_db(transaction=True),
]


# The smallest horizontal gap, in pixels, between the text of two neighbouring cells of
# the rows of the tables matching a selector.
SMALLEST_GAP_BETWEEN_CELLS = """selector => {
  const edges = cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const rects = [...range.getClientRects()].filter(r => r.width > 0);
    if (!rects.length) return null;
    return [Math.min(...rects.map(r => r.left)), Math.max(...rects.map(r => r.right))];
  };
  let smallest = Infinity;
  for (const row of document.querySelectorAll(`${selector} tbody tr`)) {
    const cells = [...row.children].map(edges);
    for (let i = 1; i < cells.length; i++) {
      if (cells[i - 1] && cells[i]) smallest = Math.min(smallest, cells[i][0] - cells[i - 1][1]);
    }
  }
  return smallest;
}"""


def sign_up(page, base: str, a11y, siret: str) -> None:
    page.goto(base + "/signup/")
    a11y.check(page, "signup")
    form = page.locator("main form")
    form.locator("input[name$=siret]").fill("12345678901234")  # fails the checksum
    form.locator("input[name$=name]").first.fill("Chaudronnerie du Parcours")
    form.locator("input[name$=naf_code]").fill("25.11Z")
    form.locator("select[name$=headcount_band]").select_option("10_49")
    form.locator("select[name$=region]").select_option("53")
    form.locator("input[name$=full_name]").fill("Claire Parcours")
    form.locator("input[name$=email]").fill("claire@parcours.example")
    form.locator("input[name$=password1]").fill(PASSWORD)
    form.locator("input[name$=password2]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    # A wrong SIRET is refused: the error is announced (role=alert) and tied to its field
    # (aria-invalid, aria-describedby naming the message), and nothing is created.
    assert page.locator("main [role=alert]").first.is_visible()
    field = page.locator("input[name$=siret]")
    assert field.get_attribute("aria-invalid") == "true"
    described = (field.get_attribute("aria-describedby") or "").split()
    messages = " ".join(page.locator(f"[id='{i}']").inner_text() for i in described)
    assert "n’est pas valide" in messages
    assert not Company.objects.exists()
    a11y.check(page, "signup-error")
    page.locator("input[name$=siret]").fill(siret)
    page.locator("input[name$=password1]").fill(PASSWORD)
    page.locator("input[name$=password2]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(base + "/")
    a11y.check(page, "home")


def answer_the_page(page) -> None:
    """Answer every question of a domain page the way a hurried person would: the middle
    level, the first choice, a small number (works without JavaScript)."""
    for fieldset in page.locator("fieldset.question").all():
        if not fieldset.is_visible():  # a question its conditions hide
            continue
        radios = fieldset.locator("input[type=radio]")
        if radios.count():
            radios.nth(min(2, radios.count() - 1)).check()
            continue
        boxes = fieldset.locator("input[type=checkbox]:not([name$='-dk']):not([name$='-na'])")
        if boxes.count():
            boxes.first.check()
            continue
        number = fieldset.locator("input[inputmode=decimal]")
        if number.count():
            number.fill("10")


def invitation_link(mail_dir) -> str | None:
    for path in sorted(mail_dir.glob("*")) if mail_dir.exists() else []:
        found = re.search(r"https?://\S+/invitations/\S+/", path.read_text(errors="replace"))
        if found:
            return found.group(0)
    return None


def test_company_journey_from_sign_up_to_the_pdf(
    live_server, live_worker, browser, published, a11y, settings
):
    base = live_server.url
    settings.SITE_URL = base
    admin = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    admin.set_default_timeout(15_000)

    # 1. Sign up (SIRET checked), invite a colleague, who accepts from the e-mail's link.
    sign_up(admin, base, a11y, next_siret())
    company = Company.objects.get(name="Chaudronnerie du Parcours")
    admin.goto(base + "/company/members/")
    a11y.check(admin, "members")
    invite = admin.locator("form[action$='/invite/']")
    invite.locator("input[name=email]").fill("marc@parcours.example")
    invite.locator("button[type=submit]").click()
    admin.get_by_text("marc@parcours.example").first.wait_for()
    link = wait_for(lambda: invitation_link(live_worker.var_dir / "mail"), timeout=60)
    link = base + link[link.index("/invitations/") :]

    checker = browser.new_context(locale="fr-FR").new_page()
    checker.goto(link)
    a11y.check(checker, "invitation")
    no_js = browser.new_context(locale="fr-FR", java_script_enabled=False)
    colleague = no_js.new_page()
    colleague.set_default_timeout(15_000)
    colleague.goto(link)
    colleague.locator("input[name$=full_name]").fill("Marc Parcours")
    colleague.locator("input[name$=password1]").fill(PASSWORD)
    colleague.locator("input[name$=password2]").fill(PASSWORD)
    colleague.locator("main form button[type=submit]").click()
    colleague.wait_for_url(base + "/")
    assert Membership.objects.filter(company=company, user__email="marc@parcours.example").exists()

    # 2. The admin starts the diagnostic; both answer at the same time, the colleague
    #    without JavaScript (the Save button), the admin with autosave.
    admin.goto(base + "/diagnostics/")
    a11y.check(admin, "diagnostics")
    admin.locator("form[action$='/start/'] button[type=submit]").click()
    admin.wait_for_url(re.compile(r".*/diagnostics/[0-9a-f-]+/$"))
    diagnostic = Diagnostic.objects.get(company=company)
    spec = diagnostic.questionnaire.spec
    first, second = spec.domains[0], spec.domains[1]
    domain_url = f"{base}/diagnostics/{diagnostic.public_id}/domains/"
    admin.goto(domain_url + first.code + "/")
    a11y.check(admin, "domain-autosave")
    answered = []
    for question in [q for c in first.competencies for q in c.questions][:4]:
        if question.kind == "maturity":
            admin.locator(f"[id='q-{question.code}-2']").check()
            answered.append(question.code)
    for code in answered:
        admin.locator(f"[id='q-{code}'] .save-status").filter(has_text="Enregistré").wait_for()
    assert Answer.objects.filter(diagnostic=diagnostic).count() == len(answered)
    # Reloading mid-way: the answers are there.
    admin.reload()
    for code in answered:
        assert admin.locator(f"[id='q-{code}-2']").is_checked()

    colleague.goto(domain_url + second.code + "/")
    a11y.check(colleague, "domain-no-js", scripts=False)
    for domain in spec.domains[1:]:
        colleague.goto(domain_url + domain.code + "/")
        answer_the_page(colleague)
        colleague.locator("main form button[type=submit]").first.click()
        colleague.wait_for_load_state()
        assert "enregistrées" in colleague.locator("body").inner_text(), domain.code
    assert Answer.objects.filter(diagnostic=diagnostic).count() > 30

    # 3. Submit; results with the radar chart and its table; edit the plan; the PDF.
    admin.goto(f"{base}/diagnostics/{diagnostic.public_id}/")
    a11y.check(admin, "overview")
    admin.get_by_role("link", name="Valider le diagnostic").click()
    # The confirmation names who has answered what before the diagnostic closes for good.
    admin.wait_for_url(re.compile(r".*/submit/$"))
    assert admin.locator("main [data-respondents]").is_visible()
    assert Diagnostic.objects.get(pk=diagnostic.pk).is_draft
    a11y.check(admin, "confirm-submit")
    admin.locator("main form[action$='/submit/'] button[type=submit]").click()
    admin.wait_for_url(re.compile(r".*/results/$"))
    assert admin.locator("svg").first.is_visible()
    assert admin.locator("table").count() >= 1
    a11y.check(admin, "results")
    admin.goto(f"{base}/reports/diagnostics/{diagnostic.public_id}/plan/")
    a11y.check(admin, "plan")
    # Side by side, two figures never read as one ("1" person, "1 200 – 1 800 €"): wider
    # apart than the thousands separator and the padding of a small table.
    assert admin.evaluate(SMALLEST_GAP_BETWEEN_CELLS, ".plan-table") >= 14
    items = list(PlanItem.objects.filter(plan__diagnostic=diagnostic).order_by("position"))
    assert len(items) >= 2
    for item, status in ((items[0], "accepted"), (items[1], "dropped")):
        row = admin.locator(f"#line-{item.public_id}")
        row.locator("summary").click()
        row.locator(f"select[name='item-{item.pk}-status']").select_option(status)
    admin.get_by_role("button", name="Enregistrer le plan").click()
    admin.wait_for_load_state()
    assert {i.status for i in PlanItem.objects.filter(pk__in=[items[0].pk, items[1].pk])} == {
        "accepted",
        "dropped",
    }
    admin.get_by_role("button", name="Créer le PDF").click()
    admin.wait_for_url(re.compile(r".*/reports/[0-9a-f-]+/$"))
    a11y.check(admin, "report-status")
    # The status page refreshes itself until the PDF is ready.
    download = admin.get_by_role("link", name=re.compile("Télécharger"))
    download.first.wait_for(timeout=90_000)
    a11y.check(admin, "report-ready")
    with admin.expect_download() as info:
        download.first.click()
    pdf = PdfReader(io.BytesIO(open(info.value.path(), "rb").read()))  # noqa: SIM115
    text = " ".join(page.extract_text() for page in pdf.pages)
    flat = re.sub(r"\s+", "", text)
    assert "ChaudronnerieduParcours" in flat
    accepted = items[0].action.title["fr"]
    assert re.sub(r"\s+", "", accepted)[:30] in flat
    assert "FinancementOPCOestimé" in flat
    assert "sousréservedel’accorddel’OPCO" in flat
    assert Report.objects.get(diagnostic=diagnostic).status == "ready"
