"""Error tracking through a Sentry-compatible service, initialised only when SENTRY_DSN is
set: web requests, tasks and ERROR log records, without personal data."""

from __future__ import annotations

from typing import Any


def init_sentry(dsn: str, *, environment: str, **options: Any) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Users by id only; no request bodies (answers), local variables or SQL parameters.
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        max_request_body_size="never",
        traces_sample_rate=0,
        **options,
    )
