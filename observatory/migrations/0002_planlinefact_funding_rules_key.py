from django.db import migrations, models

# The facts already written get the rules of the plan they were written from (the latest
# submitted diagnostic of the company on that questionnaire version, as the refresh reads
# them); the aggregates gain their "rules" figures at the next refresh.
FILL = """
UPDATE observatory_planlinefact SET funding_rules_key = COALESCE((
    SELECT CAST(p.funding_rules_id AS VARCHAR(20))
    FROM reports_actionplan p JOIN diagnostics_diagnostic d ON d.id = p.diagnostic_id
    WHERE d.company_id = observatory_planlinefact.company_id
      AND d.questionnaire_id = observatory_planlinefact.questionnaire_id
      AND d.status = 'submitted'
    ORDER BY d.submitted_at DESC, d.id DESC
    LIMIT 1
), '')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("observatory", "0001_initial"),
        ("reports", "0005_plan_funding_rules_and_salary_cost"),
    ]

    operations = [
        migrations.AddField(
            model_name="planlinefact",
            name="funding_rules_key",
            field=models.CharField(blank=True, default="", max_length=20),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
    ]
