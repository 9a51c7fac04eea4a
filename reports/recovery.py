"""Reports left RUNNING by a worker that died as a whole (SIGKILL, out of memory, restart).

A renderer marks the row it claims with "host:pid" and the time of the claim. When a
worker starts on a host, every RUNNING row claimed on that host by a process that no
longer exists (or whose pid now belongs to a process started after the claim) is put
back to PENDING and enqueued at once, instead of waiting for the lease to run out and the
next sweep (about four minutes). The guarantee stays the same: the claim and the final
update are compare-and-set on the row, so one renderer wins and one PDF is kept.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Report

logger = logging.getLogger(__name__)
# /proc gives a process's start time to the tick, the boot time to the second.
_CLOCK_SLACK = timedelta(seconds=1)


def _process_started_at(pid: int) -> datetime | None:
    """When process `pid` started, None if there is no such (live) process.

    Linux's /proc; elsewhere, the epoch for a live process (its start is unknown).
    """
    stat = Path(f"/proc/{pid}/stat")
    if not Path("/proc/stat").exists():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return datetime.fromtimestamp(0, tz=UTC)
    try:
        fields = stat.read_text().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    if fields[0] in {"Z", "X"}:  # dead, not reaped yet
        return None
    ticks = int(fields[19])  # field 22, counted after "pid (comm)"
    boot = next(
        int(line.split()[1])
        for line in Path("/proc/stat").read_text().splitlines()
        if line.startswith("btime ")
    )
    return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), tz=UTC)


def renderer_is_gone(claimed_by: str, claimed_at: datetime | None) -> bool:
    """True when the "host:pid" that claimed a row at `claimed_at` is known to be dead.

    Only processes of this host can be judged; a pid now used by a process started after
    the claim is not the renderer (pids are reused, above all in a restarted container).
    """
    host, _sep, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    started = _process_started_at(int(pid))
    if started is None:
        return True
    return claimed_at is not None and started > claimed_at + _CLOCK_SLACK


def reclaim_orphans() -> list[int]:
    """Put back to PENDING (and enqueue) the RUNNING rows whose renderer is gone; fail
    those already at the attempts limit. Returns the ids enqueued again."""
    from .tasks import enqueue_report

    reclaimed = []
    running = Report.objects.filter(status=Report.Status.RUNNING).exclude(claimed_by="")
    for report in running.only("pk", "claimed_by", "started_at", "attempts", "language"):
        if not renderer_is_gone(report.claimed_by, report.started_at):
            continue
        theirs = Report.objects.filter(
            pk=report.pk, status=Report.Status.RUNNING, claimed_by=report.claimed_by
        )
        if report.attempts >= settings.REPORT_MAX_ATTEMPTS:
            with translation.override(report.language):
                message = _("The report could not be made after several attempts.")
            theirs.update(status=Report.Status.FAILED, message=message, finished_at=timezone.now())
            logger.warning("Report %s: its renderer is gone and no attempt is left.", report.pk)
        elif theirs.update(status=Report.Status.PENDING, enqueued_at=None):
            logger.warning(
                "Report %s: its renderer %s is gone; made again now.", report.pk, report.claimed_by
            )
            enqueue_report(report.pk)
            reclaimed.append(report.pk)
    return reclaimed


def on_worker_ready(**_: Any) -> None:
    """worker_ready: a (re)started worker takes over what a dead worker of its host left."""
    try:
        reclaim_orphans()
    except Exception:
        logger.exception("Reports left running by a dead worker could not be reclaimed.")
    finally:
        # The pool forks new children from this process: leave them no connection.
        connections.close_all()
