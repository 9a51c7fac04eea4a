"""bulk_insert (accounts/rows.py) stores what bulk_create stores, in one statement."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from accounts.rows import bulk_insert
from diagnostics.models import Score
from reports.models import ActionPlan, PlanItem

HOSTILE = {"why": 'a "quoted" \\ back\\slash, {braces}, [brackets], é, 😀, \n', "n": [1, 2.5]}


def stored(model, objs):
    return [
        {k: v for k, v in model_to_dict(row).items() if k not in {"id", "public_id"}}
        for row in model.objects.filter(pk__in=[o.pk for o in objs]).order_by("pk")
    ]


def plan_items(plan, actions, suffix):
    return [
        PlanItem(
            company_id=plan.company_id,
            plan=plan,
            competency_code=f"C.{i}",
            competencies=[f"C.{i}", 'quote"d'],
            action=action,
            priority=i % 3 + 1,
            reasons={**HOSTILE, "i": i, "suffix": suffix},
            notes="line\twith\ttabs" if i else "",
            done_at=datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC) if i == 1 else None,
            position=i,
        )
        for i, action in enumerate(actions)
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement insert")
def test_bulk_insert_stores_what_bulk_create_stores_in_one_statement(submitted):
    plan = ActionPlan.objects.get(diagnostic=submitted)
    actions = [item.action for item in PlanItem.objects.filter(plan=plan).select_related("action")]
    assert len(actions) >= 2
    PlanItem.objects.filter(plan=plan).delete()
    created = PlanItem.objects.bulk_create(plan_items(plan, actions, "x"))
    expected = stored(PlanItem, created)
    PlanItem.objects.filter(plan=plan).delete()

    inserted = plan_items(plan, actions, "x")
    with CaptureQueriesContext(connection) as ctx:
        bulk_insert(inserted)
    assert len(ctx) == 1
    assert all(obj.pk and not obj._state.adding for obj in inserted)
    assert stored(PlanItem, inserted) == expected
    assert [o.pk for o in inserted] == sorted(o.pk for o in inserted)  # in the given order
    assert PlanItem.objects.get(pk=inserted[1].pk).done_at.microsecond == 123456

    scores = list(Score.objects.filter(diagnostic=submitted).order_by("pk"))
    again = [
        Score(
            company_id=s.company_id,
            diagnostic_id=s.diagnostic_id,
            level=s.level,
            code=f"{s.code}-again",
            score=s.score,
            target=s.target,
            gap=s.gap,
        )
        for s in scores
    ]
    bulk_insert(again)
    assert [(r["code"], r["score"], r["target"], r["gap"]) for r in stored(Score, again)] == [
        (f"{s.code}-again", s.score, s.target, s.gap) for s in scores
    ]
    assert any(s.target is None for s in scores)  # NULLs too


def test_bulk_insert_of_nothing_does_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk_insert([])
