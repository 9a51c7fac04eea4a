"""A PDF's fingerprint now covers the plan's funding rules (a plan can be estimated again
under newer ones). Each PDF that was up to date under the old fingerprint gets the new one
of the same state, so that it stays up to date; the others stay out of date."""

import hashlib
import json

from django.db import migrations

PLAN_FIELDS = (
    "status",
    "horizon",
    "priority",
    "target_quarter",
    "owner",
    "people",
    "notes",
    "drop_reason",
)


def _fingerprints(apps, diagnostic, language):
    """(before, after) of reports.services.fingerprint for one diagnostic and language."""
    ActionPlan = apps.get_model("reports", "ActionPlan")
    PlanItem = apps.get_model("reports", "PlanItem")
    plan = ActionPlan.objects.filter(diagnostic=diagnostic).first()
    items = (
        list(PlanItem.objects.filter(plan=plan).order_by("pk").values_list("pk", *PLAN_FIELDS))
        if plan
        else []
    )
    result = []
    for with_rules in (False, True):
        plan_state = None
        if plan:
            plan_state = [
                plan.advisor_comment,
                str(plan.validated_at),
                str(plan.hourly_salary_cost),
                plan.domain_comments,
            ]
            if with_rules:
                plan_state.append(plan.funding_rules_id)
        state = {
            "results": diagnostic.results,
            "language": language,
            "plan": plan_state,
            "items": items,
        }
        data = json.dumps(state, sort_keys=True, default=str).encode()
        result.append(hashlib.sha256(data).hexdigest())
    return result


def _move(apps, forward):
    Report = apps.get_model("reports", "Report")
    Diagnostic = apps.get_model("diagnostics", "Diagnostic")
    pairs = Report.objects.order_by().values_list("diagnostic_id", "language").distinct()
    for diagnostic_id, language in list(pairs):
        diagnostic = Diagnostic.objects.get(pk=diagnostic_id)
        before, after = _fingerprints(apps, diagnostic, language)
        old, new = (before, after) if forward else (after, before)
        Report.objects.filter(
            diagnostic_id=diagnostic_id, language=language, source_fingerprint=old
        ).update(source_fingerprint=new)


def keep_current_pdfs_current(apps, schema_editor):
    _move(apps, forward=True)


def back_to_the_old_fingerprint(apps, schema_editor):
    _move(apps, forward=False)


class Migration(migrations.Migration):

    dependencies = [
        ("diagnostics", "0004_reassessment"),
        ("reports", "0008_plan_year1_funding_min"),
    ]

    operations = [
        migrations.RunPython(keep_current_pdfs_current, back_to_the_old_fingerprint),
    ]
