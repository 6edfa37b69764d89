#!/usr/bin/env bash
# `make run` (production settings, gunicorn) and `make dev` (`--dev`: debug, autoreload).
# Prepares the database (idempotent), then scripts/serve.py runs the web server and the worker.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [ "${1:-}" = "--dev" ]; then
  export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.dev}"
  mode=(--dev)
else
  export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.prod}"
  mode=()
fi
export PORT="${PORT:-8000}" HOST="${HOST:-127.0.0.1}"

$PY manage.py compilemessages --ignore .venv -v 0 >/dev/null 2>&1 || true
$PY manage.py migrate --no-input -v 0
$PY manage.py collectstatic --no-input -v 0
$PY manage.py rumbo_setup   # reference territories, plan types, demo plan, administrator
exec $PY scripts/serve.py "${mode[@]}"
