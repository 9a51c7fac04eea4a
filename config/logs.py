"""Logs with a request id: one line per request and per task, plain text or JSON.

The request id comes from a sane incoming X-Request-ID header or is made here; it is put
on every log record of the request (and of the tasks it enqueues), sent back in the
X-Request-ID response header and shown on the error pages, so that a user can quote it.
Log lines carry ids only: never names, e-mail addresses or answers.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
request_id: ContextVar[str] = ContextVar("request_id", default="-")
current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)
request_logger = logging.getLogger("autodiag.request")
task_logger = logging.getLogger("autodiag.task")

# Attributes every LogRecord has; anything else was passed through `extra=`.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def new_request_id() -> str:
    return uuid.uuid4().hex


def sane_request_id(value: str | None) -> str | None:
    """The incoming id if it is short and made of safe characters, else None."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return None


class RequestIdFilter(logging.Filter):
    """Puts the current request (or task) id on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key != "request":
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _ids(request: HttpRequest) -> tuple[int | None, int | None]:
    """The user and company ids of a request whose user is known (never looked up here)."""
    user = getattr(request, "_cached_user", None)
    if user is None or not user.is_authenticated:
        return None, None
    try:
        from accounts.access import current_membership

        membership = current_membership(request)  # cached on the request
    except Exception:  # e.g. the database is down: log what is known
        membership = getattr(request, "_current_membership", None)
    return user.pk, membership.company_id if membership is not None else None


class RequestLogMiddleware:
    """First middleware: gives the request its id and logs one line when it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = rid
        token = request_id.set(rid)
        request_token = current_request.set(request)
        start = time.monotonic()
        try:
            response = self.get_response(request)
            duration_ms = round((time.monotonic() - start) * 1000, 1)
            response[REQUEST_ID_HEADER] = rid
            user_id, company_id = _ids(request)
            request_logger.info(
                "%s %s %s %sms user=%s company=%s",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                user_id if user_id is not None else "-",
                company_id if company_id is not None else "-",
                extra={
                    "request_id": rid,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": user_id,
                    "company_id": company_id,
                },
            )
            return response
        finally:
            request_id.reset(token)
            current_request.reset(request_token)


# --- Celery: the ids travel with the task, one line per task run ----------------------------

_task_starts: dict[str, list[tuple[float, Any, Any, Any]]] = {}


def _header_id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def add_log_headers(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """before_task_publish: the task carries the ids of the request that enqueued it."""
    current = request_id.get()
    if headers is None or current == "-":
        return
    headers.setdefault("request_id", current)
    request = current_request.get()
    if request is not None:
        user_id, company_id = _ids(request)
        headers.setdefault("log_user_id", user_id)
        headers.setdefault("log_company_id", company_id)


def task_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """task_prerun: the task's log records carry the enqueuing request's id (or its own)."""
    if task_id is None:
        return
    context = task.request if task is not None else None
    rid = sane_request_id(getattr(context, "request_id", None))
    token = request_id.set(rid or task_id)
    user_id = _header_id(getattr(context, "log_user_id", None))
    company_id = _header_id(getattr(context, "log_company_id", None))
    _task_starts.setdefault(task_id, []).append((time.monotonic(), token, user_id, company_id))


def task_finished(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    """task_postrun: one line with the task's name, outcome, duration and ids."""
    runs = _task_starts.get(task_id or "")
    if not runs:
        return
    start, token, user_id, company_id = runs.pop()  # a retry run eagerly nests in its parent
    if not runs:
        del _task_starts[task_id or ""]
    duration_ms = round((time.monotonic() - start) * 1000, 1)
    name = getattr(task, "name", "?")
    task_logger.info(
        "task %s %s %s %sms user=%s company=%s",
        name,
        task_id,
        state,
        duration_ms,
        user_id if user_id is not None else "-",
        company_id if company_id is not None else "-",
        extra={
            "task": name,
            "task_id": task_id,
            "state": state,
            "duration_ms": duration_ms,
            "user_id": user_id,
            "company_id": company_id,
        },
    )
    try:
        request_id.reset(token)
    except ValueError:  # reset from another context: forget it instead
        request_id.set("-")
