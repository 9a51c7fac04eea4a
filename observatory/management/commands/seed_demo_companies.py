"""About sixty invented companies for `make run`, so that benchmarks, the advisor's queue and
the observatory show real figures: each with an admin (an @demo.example address), a
submitted diagnostic with invented answers and its action plan, some lines accepted,
postponed or given a quarter; part of them followed by the demo advisor. Every name is
invented (quality bar G5). Running it again changes nothing. It refuses to run in production.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Company, HeadcountBand, Membership, Region, User
from accounts.validators import luhn_ok
from diagnostics.benchmarks import refresh_benchmarks
from diagnostics.forms import latest_questionnaires
from diagnostics.models import Answer, Diagnostic, Question
from reports import services as report_services
from reports.management.commands.seed_demo_diagnostics import _random_answer
from reports.models import ActionPlan, PlanItem

from ...services import refresh_observatory

COUNT = 60
ADVISOR = "sophie.bernard@demo.example"
SIRET_PREFIX = "9020"  # the demo companies' SIRET start: 9020 + 9 digits + the Luhn key
PASSWORD = "demo-autodiag-2026"  # noqa: S105 - the local demo's shared password
TRADES = (
    "Mécanique",
    "Usinage",
    "Chaudronnerie",
    "Plasturgie",
    "Fonderie",
    "Décolletage",
    "Électronique",
    "Emballages",
    "Menuiserie industrielle",
    "Textiles techniques",
    "Agroalimentaire",
    "Traitements de surface",
)
PLACES = ("des Trois Vallées", "du Plateau", "de la Combe", "des Forges Neuves", "du Val Clair")
FORMS = ("SAS", "SARL", "SA")
# (NAF code, weight): mostly manufacturing (section C), some trade, construction, services.
NAF_CODES = (
    ("25.62B", 6),
    ("25.11Z", 3),
    ("22.22Z", 3),
    ("28.41Z", 2),
    ("10.71C", 2),
    ("20.16Z", 2),
    ("29.32Z", 2),
    ("33.12Z", 2),
    ("24.10Z", 1),
    ("16.23Z", 1),
    ("27.12Z", 1),
    ("13.92Z", 1),
    ("46.69B", 2),
    ("43.22A", 2),
    ("71.12B", 1),
)
REGIONS = (
    Region.ARA,
    Region.ARA,
    Region.IDF,
    Region.GES,
    Region.HDF,
    Region.PDL,
    Region.NAQ,
    Region.OCC,
    Region.BFC,
    Region.BRE,
    Region.NOR,
)
BANDS = (
    HeadcountBand.B1_9,
    HeadcountBand.B10_49,
    HeadcountBand.B10_49,
    HeadcountBand.B50_249,
    HeadcountBand.B250_499,
)
IDCCS = ("3248", "3248", "1516", "0292", "")
FIRST = ("Alix", "Bastien", "Chloé", "Dorian", "Elsa", "Fabien", "Gaëlle", "Hugo", "Inès", "Jules")
LAST = ("Demoulin", "Exemplaire", "Fictif", "Imaginé", "Modèle", "Témoin")


def demo_siret(index: int) -> str:
    base = f"{SIRET_PREFIX}{index:09d}"
    return next(base + d for d in "0123456789" if luhn_ok(base + d))


class Command(BaseCommand):
    help = "Create about sixty invented companies with submitted diagnostics and plans."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, default=COUNT, help="How many companies.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is not loaded in production.")
        questionnaire = latest_questionnaires().filter(key="competences-industrie").first()
        if questionnaire is None:
            raise CommandError("Run load_questionnaire, load_catalogue and load_funding first.")
        advisor = User.objects.filter(email=ADVISOR, is_advisor=True).first()
        rng = random.Random(60)  # noqa: S311 - demo data, not security
        made, count = 0, options["count"]
        for index in range(count):
            siret = demo_siret(index)
            profile = self._profile(index, rng)
            if Company.objects.filter(siret=siret).exists():
                continue
            with transaction.atomic():
                self._company(index, siret, profile, questionnaire, advisor, rng)
            made += 1
        refresh_benchmarks()
        refresh_observatory()
        self.stdout.write(f"Demo companies: {made} created, {count - made} already there.")

    def _profile(self, index: int, rng: random.Random) -> dict[str, Any]:
        """Always drawn, so the same index gets the same profile on every run. The first
        eight are like the demo company (25.62B, 10-49, ARA) so its benchmark shows."""
        naf = rng.choices([c for c, _w in NAF_CODES], [w for _c, w in NAF_CODES])[0]
        profile = {
            "naf_code": naf,
            "region": rng.choice(REGIONS),
            "headcount_band": rng.choice(BANDS),
            "idcc": rng.choice(IDCCS),
            "name": f"{rng.choice(TRADES)} {rng.choice(PLACES)} {rng.choice(FORMS)}",
            "shift": rng.choice([-1, 0, 0, 1]),
            "days_ago": rng.randint(5, 600),
            "seed": rng.randint(0, 10**9),
        }
        if index < 8:
            profile.update(
                naf_code="25.62B", region=Region.ARA, headcount_band=HeadcountBand.B10_49
            )
        return profile

    def _company(
        self,
        index: int,
        siret: str,
        profile: dict[str, Any],
        questionnaire: Any,
        advisor: User | None,
        rng: random.Random,
    ) -> None:
        local = random.Random(profile["seed"])  # noqa: S311 - demo data
        company = Company.objects.create(
            siret=siret,
            name=f"{profile['name']} ({index + 1:02d})",
            naf_code=profile["naf_code"],
            headcount_band=profile["headcount_band"],
            region=profile["region"],
            idcc=profile["idcc"],
        )
        user = User.objects.create_user(
            email=f"entreprise{index + 1:02d}@demo.example",
            password=PASSWORD,
            full_name=f"{FIRST[index % len(FIRST)]} {LAST[index % len(LAST)]}",
        )
        Membership.objects.create(user=user, company=company, role=Membership.Role.ADMIN)
        if advisor is not None and index % 3 != 2:
            company.advisors.add(advisor)
        diagnostic = Diagnostic.objects.create(
            company=company,
            questionnaire=questionnaire,
            mode=Diagnostic.Mode.COLLECTIVE,
            sector=company.sector,
            headcount_band=company.headcount_band,
            started_by=user,
        )
        ids = dict(Question.objects.filter(questionnaire=questionnaire).values_list("code", "pk"))
        rows = []
        for question in questionnaire.spec.questions():
            answer = _random_answer(question, local, shift=profile["shift"])
            rows.append(
                Answer(
                    company=company,
                    diagnostic=diagnostic,
                    question_id=ids[question.code],
                    value=answer.value,
                    dont_know=answer.dont_know,
                    answered_by=user,
                )
            )
        Answer.objects.bulk_create(rows)
        report_services.submit(diagnostic=diagnostic, user=user, notify_advisors=False)
        when = timezone.now() - timedelta(days=profile["days_ago"])
        Diagnostic.objects.filter(pk=diagnostic.pk).update(created_at=when, submitted_at=when)
        year = timezone.now().year
        for item in PlanItem.objects.filter(company=company).order_by("position"):
            draw = local.random()
            if draw < 0.35:
                item.status = PlanItem.Status.ACCEPTED
                item.target_quarter = f"{year + local.randint(0, 1)}-T{local.randint(1, 4)}"
            elif draw < 0.45:
                item.status = PlanItem.Status.POSTPONED
            elif draw < 0.5:
                item.status = PlanItem.Status.DROPPED
            item.save(update_fields=["status", "target_quarter"])
        # The statuses changed behind the services' back: the plan's kept first-year
        # figures (the portfolio, the home page) follow them as they would in use.
        report_services.refresh_year1_summary(ActionPlan.objects.get(diagnostic=diagnostic))
