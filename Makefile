# Rumbo — two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run dev test lint setup setup-dev messages bench clean

## Install everything into .venv, migrate, load reference data and the demo, start web + worker.
run: setup
	@bash scripts/run.sh

## The same with debug pages and autoreload, for people who change the code.
dev: setup
	@bash scripts/run.sh --dev

## The whole suite on SQLite and on a throwaway PostgreSQL, browser tests included.
test: setup-dev
	@bash scripts/test.sh

## ruff, mypy, import-linter, migrations and the Spanish catalogue.
lint: setup-dev
	@bash scripts/lint.sh

## Benchmarks (print their figures).
bench: setup-dev
	$(PY) bench/plan_tree.py
	$(PY) bench/monitoring.py
	$(PY) bench/investments.py

## 50 concurrent clients for 60 s against gunicorn, runserver and granian (ADR 0011).
bench-load: setup-dev
	$(VENV)/bin/pip install -q -r requirements/bench.txt
	$(PY) bench/load.py

setup: $(VENV)/.base-installed
setup-dev: $(VENV)/.dev-installed

$(VENV)/.base-installed: requirements/base.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/base.txt
	@touch $@

$(VENV)/.dev-installed: requirements/dev.txt requirements/base.txt $(VENV)/.base-installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

## Regenerate the gettext catalogues after changing user-facing strings.
messages: setup-dev
	$(PY) manage.py makemessages --locale es --locale en --ignore .venv --ignore var --ignore bench --no-obsolete
	$(PY) manage.py compilemessages --ignore .venv

clean:
	rm -rf $(VENV) var/static
