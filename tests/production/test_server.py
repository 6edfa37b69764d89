"""The production server as `make run` starts it — scripts/run.sh's steps, then scripts/serve.py
with gunicorn and the worker — on a database of its own (a SQLite file, or a new database on the
throwaway PostgreSQL of `make test`), driven over HTTP like a browser: pages, sign-in, a plan
import carried out by the worker, health, a killed worker, and a clean stop.

So the deployment recipe cannot rot: what fails here fails for an office.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PY = sys.executable

pytestmark = [pytest.mark.server]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    var: Path
    password: str
    log: Path

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(self.url + path, timeout=30, allow_redirects=False, **kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: Any) -> Iterator[str]:
    """A database of the server's own: never the test database, which pytest holds open."""
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgres"):
        yield f"sqlite:///{tmp_path_factory.mktemp('server-db') / 'rumbo.sqlite3'}"
        return
    import psycopg

    name = f"rumbo_server_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield server_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_healthy(url: str, process: subprocess.Popen[str], log: Path, seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped:\n" + log.read_text()[-4000:]
        try:
            response = requests.get(url + "/health/", timeout=5)
            body = response.json()
            if response.status_code == 200:
                return body
        except (requests.ConnectionError, requests.Timeout, ValueError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"not healthy after {seconds} s: {body}\n" + log.read_text()[-4000:])


@pytest.fixture(scope="module")
def server(tmp_path_factory: Any, database_url: str) -> Iterator[Server]:
    var = tmp_path_factory.mktemp("server-var")
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
        and not key.startswith("RUMBO_")
        and not key.startswith("PYTEST")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DATABASE_URL=database_url,
        RUMBO_VAR_DIR=str(var),
        HOST="127.0.0.1",
        PORT=str(port),
        RUMBO_WEB_WORKERS="2",
    )
    log = var / "server.log"

    def manage(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 — our own manage.py
            [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    # scripts/run.sh, step by step (its last line execs serve.py)
    manage("migrate", "--no-input", "-v", "0")
    manage("collectstatic", "--no-input", "-v", "0")
    setup = manage("rumbo_setup")
    password = re.search(r"contraseña / password:\s*(\S+)", setup)
    assert password, setup
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 — our own supervisor
            [PY, "scripts/serve.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield Server(url=url, process=process, var=var, password=password.group(1), log=log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_pages_come_from_the_production_server(server: Server) -> None:
    home = server.get("/")
    assert home.status_code == 200 and home.headers["Server"] == "gunicorn"
    assert "WSGIServer" not in home.headers.get("Server", "")
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]
    assert "Rumbo" in home.text and 'lang="es"' in home.text
    head = requests.head(server.url + "/", timeout=10)
    assert head.status_code == 200 and head.content == b""
    missing = server.get("/no-existe/")
    assert missing.status_code == 404 and "Traceback" not in missing.text and "URLconf" not in missing.text
    # static files by WhiteNoise: hashed names, compressed, cached for a year
    css = re.search(r'href="(/static/rumbo/rumbo\.[0-9a-f]{12}\.css)"', home.text)
    assert css, "the stylesheet is not served under a hashed name"
    sheet = server.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert sheet.status_code == 200 and "max-age=315360000" in sheet.headers["Cache-Control"]
    assert sheet.headers.get("Content-Encoding") in ("gzip", "br")
    api = server.get("/api/v1/plans")
    assert api.status_code == 200 and len(api.json()) >= 1


def test_health_is_ok_with_every_part(server: Server) -> None:
    response = server.get("/health/")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok", body
    assert body["worker"]["alive"] == 1 and body["migrations"]["pending"] == 0


def test_a_signed_in_planner_imports_a_tree_through_the_worker(server: Server) -> None:
    session = requests.Session()
    session.get(server.url + "/entrar/", timeout=10)
    signed_in = session.post(
        server.url + "/entrar/",
        data={
            "username": "admin",
            "password": server.password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": server.url + "/entrar/"},
        timeout=10,
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[-2000:]
    plans = session.get(server.url + "/api/v1/plans", timeout=10).json()
    plan_id = plans[0]["id"]
    form = session.get(f"{server.url}/planes/{plan_id}/importar/", timeout=10)
    assert form.status_code == 200
    csv = "codigo;titulo;codigo_padre\r\nZ9;Eje importado por el servidor;\r\nZ9.1;Objetivo importado;Z9\r\n"
    sent = session.post(
        f"{server.url}/planes/{plan_id}/importar/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        files={"file": ("arbol.csv", csv.encode("cp1252"), "text/csv")},
        headers={"Referer": f"{server.url}/planes/{plan_id}/importar/"},
        timeout=30,
        allow_redirects=False,
    )
    # the upload leads to the preview, and confirming it to the job
    assert sent.status_code == 302 and "?job=" in sent.headers["Location"], sent.text[-2000:]
    preview = session.get(server.url + sent.headers["Location"], timeout=10)
    assert preview.status_code == 200 and "Eje importado por el servidor" in preview.text
    job_id = sent.headers["Location"].rsplit("=", 1)[1]
    confirmed = session.post(
        f"{server.url}/planes/{plan_id}/importar/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"], "job": job_id, "confirm": job_id},
        headers={"Referer": f"{server.url}/planes/{plan_id}/importar/"},
        timeout=30,
        allow_redirects=False,
    )
    assert confirmed.status_code == 302 and "/trabajos/" in confirmed.headers["Location"], confirmed.text[
        -2000:
    ]
    job_url = server.url + confirmed.headers["Location"]
    deadline = time.monotonic() + 60
    status = ""
    while time.monotonic() < deadline:
        page = session.get(job_url, timeout=10)
        found = re.search(r'data-status="(\w+)"', page.text)
        status = found.group(1) if found else ""
        if status in ("succeeded", "failed"):
            break
        time.sleep(0.5)
    assert status == "succeeded", page.text[-3000:]
    tree = session.get(f"{server.url}/planes/{plan_id}/", timeout=10).text
    assert "Eje importado por el servidor" in tree and "Objetivo importado" in tree


def test_a_killed_worker_is_started_again(server: Server) -> None:
    beats = sorted((server.var / "run" / "workers").glob("*.json"))
    assert len(beats) == 1
    pid = json.loads(beats[0].read_text())["pid"]
    os.kill(pid, signal.SIGKILL)
    # the supervisor starts another worker, and health is ok again with its heartbeat
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = server.get("/health/").json()
        pids = [json.loads(p.read_text())["pid"] for p in (server.var / "run" / "workers").glob("*.json")]
        if body["status"] == "ok" and pids and pid not in pids:
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"the worker was not started again: {body}\n" + server.log.read_text()[-3000:])


def test_ctrl_c_stops_everything_cleanly(server: Server) -> None:
    os.killpg(server.process.pid, signal.SIGINT)
    assert server.process.wait(timeout=40) == 0, server.log.read_text()[-3000:]
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/", timeout=3)
