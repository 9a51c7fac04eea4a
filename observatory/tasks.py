"""Periodic rebuilds of the precomputed benchmarks and observatory tables (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from diagnostics.benchmarks import refresh_benchmarks as rebuild_benchmarks

from .services import refresh_observatory as rebuild_observatory


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def refresh_benchmarks() -> int:
    """Rebuild the benchmark table; a closed company counts no more from this run on."""
    return rebuild_benchmarks()


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1860)
def refresh_observatory() -> int | None:
    """Rebuild the plan line facts and the observatory's aggregates."""
    return rebuild_observatory()
