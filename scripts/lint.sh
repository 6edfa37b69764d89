#!/usr/bin/env bash
# `make lint`: style, types, dependency direction, migrations, translation catalogue.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=config.settings.test
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/mypy
$BIN/lint-imports
$PY manage.py makemigrations --check --dry-run
$PY scripts/check_messages.py
echo "lint: ok"
