from __future__ import annotations

import pytest

from accounts.models import Membership
from diagnostics import services as diagnostic_services
from diagnostics.scoring import AnswerValue
from reports import services as report_services
from tests.factories import MembershipFactory

ANSWERS = (("A.ONE.Q1", 0), ("A.ONE.Q2", "no"), ("B.TWO.Q1", 10), ("B.TWO.Q3", ["a"]))


@pytest.fixture
def submit_companies(small_questionnaire, catalogue, funding_rules):
    """Make `count` companies with a submitted diagnostic and its plan; their Party-like
    (company, admin) pairs."""

    def make(count, **company):
        made = []
        for _ in range(count):
            admin = MembershipFactory(
                role=Membership.Role.ADMIN, **{f"company__{k}": v for k, v in company.items()}
            )
            diagnostic = diagnostic_services.start_diagnostic(
                membership=admin, questionnaire=small_questionnaire, mode="collective"
            )
            for code, value in ANSWERS:
                diagnostic_services.save_answer(
                    diagnostic=diagnostic,
                    question_code=code,
                    answer=AnswerValue(value),
                    user=admin.user,
                    base_version=0,
                )
            report_services.submit(diagnostic=diagnostic, user=admin.user)
            made.append(admin.company)
        return made

    return make
