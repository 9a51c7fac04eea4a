"""Settings as a fresh process reads them from its environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings_value(expression: str, **env: str) -> str:
    """What `expression` (Python, on `settings`) prints in a new process with this one's
    environment, `env` over it, and the project's settings module."""
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
