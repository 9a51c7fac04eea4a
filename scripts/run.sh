#!/usr/bin/env bash
# Serves the demo on http://127.0.0.1:8000 with a Celery worker; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# The demo's publisher, for the legal pages (README, "Legal pages"); a real deployment
# sets its own.
export PUBLISHER_NAME="${PUBLISHER_NAME:-Opérateur de compétences de démonstration}"
export PUBLISHER_ADDRESS="${PUBLISHER_ADDRESS:-1 rue de l’Exemple, 75000 Paris}"
export PUBLISHER_PHONE="${PUBLISHER_PHONE:-01 00 00 00 00}"
export PUBLISHER_EMAIL="${PUBLISHER_EMAIL:-contact@opco-demo.example}"
export PUBLICATION_DIRECTOR="${PUBLICATION_DIRECTOR:-Claire Exemple}"
export HOST_NAME="${HOST_NAME:-Hébergeur de démonstration}"
export HOST_ADDRESS="${HOST_ADDRESS:-2 avenue de l’Exemple, 69000 Lyon}"
export HOST_PHONE="${HOST_PHONE:-04 00 00 00 00}"
mkdir -p var/mail var/log
$PY manage.py migrate --noinput
$PY manage.py load_questionnaire
$PY manage.py load_catalogue
$PY manage.py load_funding
$PY manage.py seed_demo
$PY manage.py seed_demo_diagnostics
$PY manage.py seed_demo_companies
$PY manage.py refresh_plan_figures --missing  # plans kept before a figure was added

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

.venv/bin/celery -A config worker --concurrency=2 --loglevel=INFO >var/log/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A config beat --schedule var/celerybeat-schedule --loglevel=INFO >var/log/beat.log 2>&1 &
pids+=($!)
echo "Celery worker and beat started (logs: var/log/); broker: ${CELERY_BROKER_URL:-embedded (var/celery)}"
echo "E-mails are written to var/mail/. Serving on http://127.0.0.1:8000 — Ctrl-C stops everything."
$PY manage.py runserver 127.0.0.1:8000 &
pids+=($!)
wait -n "${pids[@]}"
