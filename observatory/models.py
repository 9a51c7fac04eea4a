"""The observatory's precomputed tables, rebuilt by a periodic task (observatory.tasks).

`PlanLineFact` is one line of the latest action plan of each open company per questionnaire
version, with the company's profile and the line's funding estimate already computed;
`Aggregate` sums the facts for every figure the operator's pages show. Pages read them and
never recompute a plan or an estimate per request.
"""

from __future__ import annotations

from django.db import models


class PlanLineFact(models.Model):
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    questionnaire = models.ForeignKey(
        "diagnostics.Questionnaire", on_delete=models.CASCADE, related_name="+"
    )
    period = models.PositiveSmallIntegerField()  # the year the diagnostic was submitted
    section = models.CharField(max_length=1)
    region = models.CharField(max_length=2)
    headcount_band = models.CharField(max_length=10)
    idcc = models.CharField(max_length=4, blank=True)
    domain_code = models.CharField(max_length=40)
    competency_code = models.CharField(max_length=60)
    action_code = models.CharField(max_length=40)
    priority = models.PositiveSmallIntegerField()
    quarter = models.CharField(max_length=7)  # the target quarter, else the horizon
    status = models.CharField(max_length=10)
    route = models.CharField(max_length=40, blank=True)  # the best eligible route
    # The funding rules the line was estimated under: the pk of the plan's FundingRules as
    # text (an Aggregate key), blank for a plan made before any rules were published.
    funding_rules_key = models.CharField(max_length=20, blank=True, default="")
    hours = models.FloatField()  # duration x people
    cost_min = models.PositiveIntegerField()
    cost_max = models.PositiveIntegerField()
    funding_min = models.PositiveIntegerField()
    funding_max = models.PositiveIntegerField()
    remaining_min = models.PositiveIntegerField()
    remaining_max = models.PositiveIntegerField()
    # Eligible under its best route, whose rule gives no amount: its funding is not
    # estimated (0 here), which the pages say rather than "0 €".
    uncosted = models.BooleanField(default=False, db_default=False)

    class Meta:
        indexes = [
            models.Index(fields=["company", "questionnaire"]),
            # One region and one branch at once: summed from the facts on each request.
            models.Index(fields=["questionnaire", "region", "idcc"]),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.action_code} ({self.status})"


class Aggregate(models.Model):
    """One figure of the observatory: the facts of a questionnaire version and period
    (0: every period), of every region or of one, of every branch or of one, grouped by one
    dimension (domain, competency, route...) and key, for the counted lines (status blank,
    by priority, 0 for all) or for one status. One region and one branch at once are not
    precomputed (observatory.tables sums them from the facts)."""

    questionnaire = models.ForeignKey(
        "diagnostics.Questionnaire", on_delete=models.CASCADE, related_name="+"
    )
    period = models.PositiveSmallIntegerField()
    # The companies of one region only (INSEE code), or of every region (blank).
    region = models.CharField(max_length=2, blank=True, default="")
    # The companies of one branch only (IDCC), or of every branch (blank).
    branch = models.CharField(max_length=4, blank=True, default="")
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=60)
    status = models.CharField(max_length=10, blank=True)
    priority = models.PositiveSmallIntegerField()
    companies = models.PositiveIntegerField()
    lines = models.PositiveIntegerField()
    hours = models.FloatField()
    cost_min = models.BigIntegerField()
    cost_max = models.BigIntegerField()
    funding_min = models.BigIntegerField()
    funding_max = models.BigIntegerField()
    remaining_min = models.BigIntegerField()
    remaining_max = models.BigIntegerField()
    uncosted_lines = models.BigIntegerField(default=0, db_default=0)  # of `lines`
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["questionnaire", "period", "region", "branch", "dimension"])
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.key} {self.status} p{self.priority}"
