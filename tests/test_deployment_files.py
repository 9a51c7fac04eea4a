from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_describes_the_production_stack():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    web = services["web"]["command"]
    # Migrations, then the figures older plans lack, then the server.
    steps = [web.index(step) for step in ("migrate", "refresh_plan_figures --missing", "gunicorn")]
    assert steps == sorted(steps)
    assert "celery -A config worker" in services["worker"]["command"]
    assert "celery -A config beat" in services["beat"]["command"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DJANGO_ENV"] == "production"
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379")


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci/run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert readme.index("make run") < 600
    assert readme.index("make test") < 600
