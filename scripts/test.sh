#!/usr/bin/env bash
# Lint, migrations, the dependency audit, then the whole suite against PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TEST_DATABASE_URL:-}" ] || [ -z "${TEST_REDIS_URL:-}" ]; then
  scripts/services.sh
fi
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/autodiag}
export CELERY_BROKER_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/14}
unset DJANGO_ENV DJANGO_DEBUG
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Models changed without a migration: run 'manage.py makemigrations'." >&2; exit 1; }
if [ "${SKIP_DEPENDENCY_AUDIT:-}" = 1 ]; then
  echo "Dependency audit SKIPPED (SKIP_DEPENDENCY_AUDIT=1): never in CI." >&2
else
  .venv/bin/python scripts/dependency_audit.py
fi
exec .venv/bin/pytest "$@"
