"""E-mail subjects are plain text: a name typed with "&", "<" or quotes reads as typed
there, not as its HTML escape (S9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string

from reports import services as report_services
from reports.tasks import notify_ready

NAME = 'Dupont & Fils <Atelier "Nord">'
SUBJECTS = sorted(
    str(path.relative_to(settings.BASE_DIR / "templates"))
    for path in (settings.BASE_DIR / "templates").glob("*/email/*_subject.txt")
)


@pytest.mark.quality("S9")
def test_the_report_e_mail_subject_shows_the_name_as_typed(company_a, submitted):
    company_a.company.name = NAME
    company_a.company.save()
    report = report_services.request_report(
        diagnostic=submitted, user=company_a.admin, language="fr"
    )
    notify_ready(report.pk)
    [message] = mail.outbox
    assert message.subject == f"Votre rapport Autodiag pour {NAME} est prêt"


@pytest.mark.quality("S9")
@pytest.mark.parametrize("template", SUBJECTS)
def test_no_subject_template_escapes_what_it_shows(template):
    company = type("Company", (), {"name": NAME})()
    context = {
        "company": NAME,
        "invitation": type("Invitation", (), {"company": company})(),
        "report": type("Report", (), {"company": company})(),
        "lines": [1],
    }
    subject = render_to_string(template, context)
    assert "&amp;" not in subject
    assert "&lt;" not in subject
    if "company" in Path(settings.BASE_DIR / "templates" / template).read_text():
        assert NAME in subject
