"""factory_boy factories; related objects stay in the same company."""

from __future__ import annotations

import itertools

import factory

from accounts.models import Company, HeadcountBand, Membership, Region, User
from accounts.validators import luhn_ok
from diagnostics import services as diagnostic_services
from diagnostics.models import Diagnostic
from diagnostics.scoring import AnswerValue
from reports.models import Report

_siret_seq = itertools.count(1)


def next_siret() -> str:
    """A fresh, valid (Luhn) SIRET that cannot clash with the demo one."""
    base = f"8{next(_siret_seq):012d}"
    for digit in "0123456789":
        if luhn_ok(base + digit):
            return base + digit
    raise AssertionError("unreachable")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@test.example")
    full_name = factory.Faker("name", locale="fr_FR")
    preferred_language = "fr"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: object = None) -> None:
        if create:
            instance.save()


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    siret = factory.LazyFunction(next_siret)
    name = factory.Sequence(lambda n: f"Entreprise Test {n}")
    naf_code = "25.62B"
    headcount_band = HeadcountBand.B10_49
    region = Region.ARA


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Membership.Role.MEMBER


class DiagnosticFactory(factory.django.DjangoModelFactory):
    """A diagnostic in progress of `company` on `questionnaire`, as start_diagnostic makes
    it but without looking for one in progress first: for tests that need several."""

    class Meta:
        model = Diagnostic

    mode = "collective"
    sector = factory.LazyAttribute(lambda diagnostic: diagnostic.company.sector)
    headcount_band = factory.LazyAttribute(lambda diagnostic: diagnostic.company.headcount_band)


class ReportFactory(factory.django.DjangoModelFactory):
    """A version of a diagnostic's PDF, waiting unless told otherwise; nothing is enqueued
    (services.request_report makes one version of a PDF at a time)."""

    class Meta:
        model = Report

    company = factory.LazyAttribute(lambda report: report.diagnostic.company)
    number = factory.Sequence(lambda n: n + 1)
    language = "fr"
    source_fingerprint = "test"


# Answers to the small questionnaire (tests/samples.py) that leave a gap on both competencies.
GAP_ANSWERS = (("A.ONE.Q1", 0), ("A.ONE.Q2", "no"), ("B.TWO.Q1", 10), ("B.TWO.Q3", ["a"]))


def save_answers(diagnostic, user, answers=GAP_ANSWERS) -> None:
    """Save each (question code, value or AnswerValue) as `user` would, one after the
    other."""
    for code, value in answers:
        diagnostic_services.save_answer(
            diagnostic=diagnostic,
            question_code=code,
            answer=value if isinstance(value, AnswerValue) else AnswerValue(value),
            user=user,
            base_version=0,
        )


def add_plan_line(plan, action_code: str, competency: str, *, people: int = 1):
    """A line added to `plan` by hand, last, low priority, in the first 12 months."""
    from reports.models import PlanItem

    return PlanItem.objects.create(
        plan=plan,
        company=plan.company,
        action=plan.catalogue.actions.get(code=action_code),
        competency_code=competency,
        competencies=[competency],
        priority=3,
        horizon=PlanItem.Horizon.YEAR1,
        position=99,
        people=people,
    )
