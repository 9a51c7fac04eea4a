"""factory_boy factories; related objects stay in the same company."""

from __future__ import annotations

import itertools

import factory

from accounts.models import Company, HeadcountBand, Membership, Region, User
from accounts.validators import luhn_ok

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
