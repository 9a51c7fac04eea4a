"""What the operator's pipeline page shows: reports by status, the oldest waiting and
running ones, the failures of the last 24 hours, the broker queue and the last sweep."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from reports.models import Report, SweeperRun

OLDEST = 10
FAILURES_WINDOW = timedelta(hours=24)
FAILURES_SHOWN = 50


@dataclass
class Pipeline:
    now: datetime
    counts: list[tuple[str, str, int]] = field(default_factory=list)  # status, label, count
    oldest_pending: list[Report] = field(default_factory=list)
    oldest_running: list[Report] = field(default_factory=list)
    failures: list[Report] = field(default_factory=list)
    queue_length: int | None = None
    sweeper: SweeperRun | None = None


def queue_length() -> int | None:
    """Messages waiting in the Celery queue (Redis LLEN); None when it cannot be known."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return int(client.llen(queue))
    except redis.RedisError:
        return None
    finally:
        client.close()


def pipeline_state() -> Pipeline:
    now = timezone.now()
    by_status = dict(
        Report.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    reports = Report.objects.select_related("company")
    return Pipeline(
        now=now,
        counts=[(s.value, s.label, by_status.get(s.value, 0)) for s in Report.Status],
        oldest_pending=list(
            reports.filter(status=Report.Status.PENDING).order_by("created_at")[:OLDEST]
        ),
        oldest_running=list(
            reports.filter(status=Report.Status.RUNNING).order_by("started_at")[:OLDEST]
        ),
        failures=list(
            reports.filter(
                status=Report.Status.FAILED, finished_at__gte=now - FAILURES_WINDOW
            ).order_by("-finished_at")[:FAILURES_SHOWN]
        ),
        queue_length=queue_length(),
        sweeper=SweeperRun.objects.filter(name="sweep_reports").first(),
    )
