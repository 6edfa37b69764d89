#!/usr/bin/env bash
# `make run`: prepare the database (idempotent) and start the web server and the worker.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.dev}"
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"

$PY manage.py compilemessages --ignore .venv -v 0 >/dev/null 2>&1 || true
$PY manage.py migrate --no-input -v 0
$PY manage.py collectstatic --no-input -v 0
$PY manage.py rumbo_setup   # reference territories, plan types, demo plan, administrator

$PY manage.py db_worker --interval 0.5 &
worker=$!
trap 'kill $worker 2>/dev/null || true; wait $worker 2>/dev/null || true' EXIT INT TERM
echo "Rumbo: http://$HOST:$PORT/  (Ctrl+C para detener / to stop)"
$PY manage.py runserver --noreload "$HOST:$PORT"
