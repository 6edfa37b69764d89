#!/usr/bin/env bash
# `make test`: the whole suite on SQLite, then on a throwaway PostgreSQL 15 cluster.
# Installs Debian's chromium (browser tests) and PostgreSQL 15 when missing and possible.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}
need_pkgs=()
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
PG_BIN=/usr/lib/postgresql/15/bin
[ -x "$PG_BIN/initdb" ] || need_pkgs+=(postgresql-15)
command -v msgfmt >/dev/null || need_pkgs+=(gettext)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "Instalando paquetes de Debian: ${need_pkgs[*]}"
  if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null; }; then
    echo "ERROR: faltan ${need_pkgs[*]} y no se pueden instalar sin root (sudo apt-get install ${need_pkgs[*]})." >&2
    exit 1
  fi
fi

export DJANGO_SETTINGS_MODULE=config.settings.test
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # playwright's sync API runs an event loop in the test thread
$PY manage.py compilemessages --ignore .venv -v 0 >/dev/null

echo "== SQLite =="
status=0
unset DATABASE_URL
$PY -m pytest -q "$@" || status=$?

echo "== PostgreSQL 15 =="
pgdir=$(mktemp -d)
pgport=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  run_pg "$PG_BIN/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
run_pg "$PG_BIN/initdb" -D "$pgdir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
run_pg "$PG_BIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w start \
  -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$pgport/postgres"
$PY -m pytest -q "$@" || status=$?

if [ $status -ne 0 ]; then echo "FALLÓ / FAILED"; fi
exit $status
