"""The WSGI application as a server process loads it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, child_env


def test_the_loaded_application_is_left_out_of_later_garbage_collections():
    code = "import gc, config.wsgi; print(gc.get_freeze_count(), gc.isenabled())"
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    frozen, enabled = int(out[0]), out[1]
    # The application's modules, models and URL patterns: tens of thousands of objects.
    assert frozen > 50_000
    # The collector still runs for what the requests make.
    assert enabled == "True"
