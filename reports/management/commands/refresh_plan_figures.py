"""manage.py refresh_plan_figures: store again the first-year figures of every plan."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q

from reports.models import ActionPlan
from reports.services import refresh_year1_summary

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Compute again the first-year cost, estimated funding, remaining cost, funding "
        "requests to file and lines whose funding is not estimated that each plan keeps for "
        "the advisors' portfolio and the company's home: once after upgrading (plans made "
        "before these figures were kept show none, or only some), or to follow dated funding "
        "rules. Changes nothing else; running it twice gives the same figures. A plan whose "
        "figures cannot be computed is logged and left as it is: the web tier runs this at "
        "start-up, which one plan's data must not stop."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only the plans whose figures are missing or incomplete.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plans = ActionPlan.objects.select_related(
            "diagnostic__questionnaire", "catalogue", "funding_rules", "company"
        ).filter(company__closed_at__isnull=True)
        if options["missing"]:
            plans = plans.filter(
                Q(year1_cost_max__isnull=True)
                | Q(year1_funding_min__isnull=True)
                | Q(year1_requests_to_file__isnull=True)
                | Q(year1_uncosted_lines__isnull=True)
            )
        count = failed = 0
        for plan in plans.iterator(chunk_size=200):
            try:
                refresh_year1_summary(plan)
            except Exception:
                logger.exception("First-year figures of plan %s could not be computed.", plan.pk)
                failed += 1
                continue
            count += 1
        self.stdout.write(f"First-year figures stored for {count} plan(s).")
        if failed:
            self.stderr.write(
                f"{failed} plan(s) could not be computed and keep their figures: see the log."
            )
