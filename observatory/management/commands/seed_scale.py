"""A scale data set for the benchmarks and observatory bench (bench/observatory.py):
--companies invented companies (100,000 by default), --per-company submitted diagnostics
each (3), with their overall, domain and competency scores and an action plan of
--lines lines (8), then the benchmarks and the observatory refreshed as the periodic
tasks would. Everything is inserted by INSERT … SELECT over generate_series, in the
database of DATABASE_URL: point it at a database of its own (autodiag_scale), never at
one you care about. It refuses to run in production. Prints the time of each step.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from diagnostics.benchmarks import refresh_benchmarks
from diagnostics.forms import latest_questionnaires
from reports.models import Catalogue, FundingRules, TrainingAction

from ...services import refresh_observatory

NAF = ["25.62B", "25.11Z", "22.22Z", "28.41Z", "10.71C", "20.16Z", "29.32Z", "33.12Z",
       "24.10Z", "16.23Z", "46.69B", "43.22A", "71.12B"]  # fmt: skip
BANDS = ["1_9", "10_49", "10_49", "50_249", "250_499", "500_plus"]
REGIONS = ["84", "27", "53", "24", "44", "32", "11", "28", "75", "76", "52", "93"]
IDCCS = ["3248", "3248", "1516", "0292", ""]
SIRET_START = 70_000_000_000_000  # scale companies' SIRETs: 7 then 13 digits


class Command(BaseCommand):
    help = "Seed a scale data set (bulk SQL) for bench/observatory.py."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--companies", type=int, default=100_000)
        parser.add_argument("--per-company", type=int, default=3)
        parser.add_argument("--lines", type=int, default=8)
        parser.add_argument("--no-refresh", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The scale data set is never loaded in production.")
        questionnaire = latest_questionnaires().filter(key="competences-industrie").first()
        catalogue = Catalogue.objects.order_by("-published_at").first()
        rules = FundingRules.latest()
        if questionnaire is None or catalogue is None:
            raise CommandError("Run load_questionnaire, load_catalogue and load_funding first.")
        spec = questionnaire.spec
        domains = [d.code for d in spec.domains]
        competencies = [c.code for c in spec.competencies()]
        actions = list(
            TrainingAction.objects.filter(catalogue=catalogue).values_list("pk", "competencies")
        )
        n, per, lines = options["companies"], options["per_company"], options["lines"]
        params = {
            "n": n,
            "per": per,
            "lines": min(lines, len(actions)),
            "naf": NAF,
            "bands": BANDS,
            "regions": REGIONS,
            "idccs": IDCCS,
            "start": SIRET_START,
            "q": questionnaire.pk,
            "catalogue": catalogue.pk,
            "rules": rules.pk if rules else None,
            "domains": domains,
            "competencies": competencies,
            "action_ids": [pk for pk, _c in actions],
            "action_comps": [c[0] if c else "" for _pk, c in actions],
            "actions": len(actions),
        }
        total = time.perf_counter()
        for label, sql in STEPS:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.rowcount
            self.stdout.write(f"{label}: {rows} rows in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if not options["no_refresh"]:
            started = time.perf_counter()
            rows = refresh_benchmarks()
            self.stdout.write(f"benchmarks: {rows} rows in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            rows = refresh_observatory()
            self.stdout.write(
                f"observatory: {rows} plan line facts in {time.perf_counter() - started:.1f} s"
            )
        self.stdout.write(f"total: {time.perf_counter() - total:.1f} s")


STEPS = [
    (
        "companies",
        """
        INSERT INTO accounts_company
            (public_id, siret, name, naf_code, headcount_band, region, idcc, created_at)
        SELECT gen_random_uuid(), (%(start)s + i)::text, 'Entreprise échelle ' || i,
               (%(naf)s::text[])[1 + i %% cardinality(%(naf)s::text[])],
               (%(bands)s::text[])[1 + (i / 7) %% cardinality(%(bands)s::text[])],
               (%(regions)s::text[])[1 + (i / 3) %% cardinality(%(regions)s::text[])],
               (%(idccs)s::text[])[1 + (i / 11) %% cardinality(%(idccs)s::text[])],
               now()
        FROM generate_series(1, %(n)s) AS i
        """,
    ),
    (
        "diagnostics",
        """
        INSERT INTO diagnostics_diagnostic
            (public_id, company_id, questionnaire_id, mode, status, sector, headcount_band,
             created_at, submitted_at, results)
        SELECT gen_random_uuid(), c.id, %(q)s, 'collective', 'submitted',
               substr(c.naf_code, 1, 2), c.headcount_band,
               now() - make_interval(days => 400 * (k - 1) + (c.id %% 300)::int),
               now() - make_interval(days => 400 * (k - 1) + (c.id %% 300)::int),
               -- One diagnostic in ten with too few known answers for reliable scores.
               jsonb_build_object(
                   'results', jsonb_build_object('reliable', (c.id + k) %% 10 <> 0)
               )
        FROM accounts_company c CROSS JOIN generate_series(1, %(per)s) AS k
        WHERE c.siret::bigint > %(start)s AND c.siret ~ '^7'
        """,
    ),
    (
        "scores",
        """
        INSERT INTO diagnostics_score
            (company_id, diagnostic_id, level, code, score, target, gap, reliable)
        SELECT d.company_id, d.id, s.level, s.code,
               (20 + abs(hashint8(d.id * 31 + s.n)) %% 64)::float, 3, 1,
               -- The diagnostic's reliability overall; one domain score in twenty on too
               -- few known answers.
               CASE s.level WHEN 'overall' THEN d.scores_reliable
                            WHEN 'domain' THEN abs(hashint8(d.id * 17 + s.n)) %% 20 <> 0
                            ELSE true END
        FROM diagnostics_diagnostic d
        JOIN accounts_company c ON c.id = d.company_id AND c.siret ~ '^7'
        CROSS JOIN (
            SELECT 'overall' AS level, '' AS code, 0 AS n
            UNION ALL SELECT 'domain', code, n
                FROM unnest(%(domains)s::text[]) WITH ORDINALITY AS t(code, n)
            UNION ALL SELECT 'competency', code, 100 + n
                FROM unnest(%(competencies)s::text[]) WITH ORDINALITY AS t(code, n)
        ) AS s
        """,
    ),
    (
        "plans",
        """
        INSERT INTO reports_actionplan
            (public_id, company_id, diagnostic_id, catalogue_id, funding_rules_id, revision,
             advisor_comment, domain_comments, open_gaps, validated_state, created_at,
             updated_at)
        SELECT gen_random_uuid(), d.company_id, d.id, %(catalogue)s, %(rules)s, 1, '',
               '{}'::jsonb, '[]'::jsonb, '{}'::jsonb, d.submitted_at, d.submitted_at
        FROM diagnostics_diagnostic d
        JOIN accounts_company c ON c.id = d.company_id AND c.siret ~ '^7'
        """,
    ),
    (
        "plan lines",
        """
        INSERT INTO reports_planitem
            (public_id, company_id, plan_id, competency_code, competencies, action_id,
             horizon, priority, status, target_quarter, owner, people, notes, drop_reason,
             reasons, position)
        SELECT gen_random_uuid(), p.company_id, p.id, (%(action_comps)s::text[])[x.ix],
               jsonb_build_array((%(action_comps)s::text[])[x.ix]),
               (%(action_ids)s::bigint[])[x.ix], CASE WHEN j <= 4 THEN 'year1' ELSE 'later' END,
               CASE WHEN j <= 2 THEN 1 WHEN j <= 4 THEN 2 ELSE 3 END,
               (ARRAY['proposed', 'proposed', 'accepted', 'accepted', 'postponed',
                      'dropped'])[1 + abs(hashint8(p.id * 10 + j)) %% 6],
               CASE WHEN j %% 3 = 0 THEN '2027-T' || (1 + j %% 4) ELSE '' END, '',
               1 + (p.id + j) %% 3, '', '', '{}'::jsonb, j
        FROM reports_actionplan p
        JOIN accounts_company c ON c.id = p.company_id AND c.siret ~ '^7'
        CROSS JOIN generate_series(1, %(lines)s) AS j
        CROSS JOIN LATERAL (SELECT 1 + (p.id * 7 + j * 5) %% %(actions)s AS ix) AS x
        """,
    ),
]
