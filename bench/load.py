"""Benchmark: many citizens at once against the server `make run` starts, beside the floor to beat.

Prepares an installation as `make run` does (a temporary var/ with SQLite, or DATABASE_URL when
set; migrate, collectstatic, rumbo_setup with its demo plans), starts each server in turn on
loopback, and drives it with --clients concurrent keep-alive clients for --seconds:

  40 %  the public page of the demo plan          GET /planes/<id>/
  30 %  its monitoring dashboard                   GET /seguimiento/planes/<id>/tablero/
  20 %  the API list of plans                      GET /api/v1/plans
  10 %  a citizen's initiative                     POST /inversiones/proponer/ (saved: 302)

Each client is one visitor with an address of its own (X-Forwarded-For behind one trusted proxy),
and each initiative comes from a new address, as many citizens' would: the per-address limits
(API 300/min, five initiatives an hour) are not what is measured. Prints requests per second,
p50/p95/p99 latency per request kind and overall, and the error count (anything but 200, or
302 for the initiative; a refused connection). Exits 0 whatever the figures are.

Servers: `gunicorn` (what make run and the systemd unit run: config/gunicorn.py), `runserver`
(Django's development server, the floor), and `granian` when installed
(`.venv/bin/pip install -r requirements/bench.txt`), measured for ADR 0011.

Run: `.venv/bin/python bench/load.py [--seconds 60] [--clients 50] [--servers gunicorn,runserver,granian]`
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(Path(sys.executable))
BIN = Path(sys.executable).parent
MIX = [("plan", 40), ("dashboard", 30), ("api", 20), ("initiative", 10)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "PYTEST_CURRENT_TEST"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        RUMBO_VAR_DIR=str(var),
        RUMBO_PROXY_COUNT="1",  # X-Forwarded-For tells one citizen from another
        RUMBO_FORWARDED_ALLOW_IPS="127.0.0.1",
        RUMBO_WEB_LOG_LEVEL="warning",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{var / 'rumbo.sqlite3'}")
    return env


def prepare(var: Path) -> dict[str, str]:
    env = _environment(var)
    for args in (
        ["migrate", "--no-input", "-v", "0"],
        ["collectstatic", "--no-input", "-v", "0"],
        ["rumbo_setup"],
    ):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    return env


def _command(server: str, port: int) -> list[str]:
    if server == "gunicorn":
        return [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi:application"]
    if server == "runserver":
        return [PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"]
    if server == "granian":
        workers = os.environ.get("RUMBO_WEB_WORKERS", str(min(4, (os.cpu_count() or 1) + 1)))
        return [
            str(BIN / "granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            workers,
            "--blocking-threads",
            "4",
            "--log-level",
            "warning",
            "config.wsgi:application",
        ]
    raise SystemExit(f"unknown server {server}")


def _wait(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped with code {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/plans")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not answer")


def _targets(port: int) -> dict[str, Any]:
    """The demo plan's id and a filled initiative form with a valid token and CSRF pair."""
    import json

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/api/v1/plans")
    plans = json.loads(conn.getresponse().read())
    plan = next(p for p in plans if "Moyobamba" in p["name"])
    conn.request("GET", "/inversiones/proponer/")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    started = re.search(r'name="started" value="([^"]+)"', page)
    entity = re.search(r'<select name="entity"[^>]*>.*?<option value="(\d+)"', page, re.S)
    assert cookie and csrf and started and entity, "the initiative form changed: update bench/load.py"
    form = {
        "csrfmiddlewaretoken": csrf.group(1),
        "entity": entity.group(1),
        "title": "Alumbrado en el parque del barrio",
        "description": "Propuesta enviada por el banco de carga.",
        "proposer_name": "Vecina de prueba",
        "proposer_email": "vecina@example.org",
        "latitude": "-6.0340",
        "longitude": "-76.9720",
        "started": started.group(1),
        "website": "",
    }
    return {
        "plan": plan["id"],
        "cookie": f"csrftoken={cookie.group(1)}",
        "form": urllib.parse.urlencode(form),
    }


def _client(port: int, targets: dict[str, Any], until: float, seed: int, out: Any) -> None:
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    paths = {
        "plan": f"/planes/{targets['plan']}/",
        "dashboard": f"/seguimiento/planes/{targets['plan']}/tablero/",
        "api": "/api/v1/plans",
    }
    results: list[tuple[str, float, int]] = []
    # each client is one visitor with an address of its own (behind the one trusted proxy)
    visitor = f"172.16.{seed % 256}.{seed // 256 % 250 + 1}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < until:
        kind = rng.choice(kinds)
        started = time.perf_counter()
        try:
            if kind == "initiative":
                address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                conn.request(
                    "POST",
                    "/inversiones/proponer/",
                    body=targets["form"],
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": targets["cookie"],
                        "X-Forwarded-For": address,
                        "Referer": f"http://127.0.0.1:{port}/inversiones/proponer/",
                    },
                )
            else:
                conn.request(
                    "GET", paths[kind], headers={"Accept-Encoding": "gzip", "X-Forwarded-For": visitor}
                )
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        except OSError:
            status = 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        results.append((kind, (time.perf_counter() - started) * 1000, status))
    out.put(results)


def _drive(port: int, targets: dict[str, Any], seconds: float, clients: int) -> list[tuple[str, float, int]]:
    """Clients as threads spread over a few processes, so that the load itself is not the limit."""
    processes = max(1, min(os.cpu_count() or 1, 8, clients))
    queue: Any = multiprocessing.Queue()
    until = time.monotonic() + seconds

    def worker_process(index: int, count: int) -> None:
        threads = [
            threading.Thread(target=_client, args=(port, targets, until, index * 1000 + n, queue))
            for n in range(count)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    shares = [clients // processes + (1 if n < clients % processes else 0) for n in range(processes)]
    spawned = [
        multiprocessing.Process(target=worker_process, args=(n, share)) for n, share in enumerate(shares)
    ]
    for p in spawned:
        p.start()
    results: list[tuple[str, float, int]] = []
    for _ in range(clients):
        results.extend(queue.get(timeout=seconds + 120))
    for p in spawned:
        p.join()
    return results


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(server: str, results: list[tuple[str, float, int]], seconds: float) -> dict[str, Any]:
    ok_status = {"initiative": 302}
    errors = [r for r in results if r[2] != ok_status.get(r[0], 200)]
    print(
        f"\n== {server}: {len(results)} requests in {seconds:.0f} s, {len(results) / seconds:.1f} req/s, "
        f"{len(errors)} errors"
    )
    print(f"{'kind':<12}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for kind in [k for k, _w in MIX] + ["all"]:
        times = [ms for k, ms, _s in results if kind in ("all", k)]
        print(
            f"{kind:<12}{len(times):>8}{_percentile(times, 0.5):>10.1f}{_percentile(times, 0.95):>10.1f}"
            f"{_percentile(times, 0.99):>10.1f}"
        )
    if errors:
        by_status: dict[tuple[str, int], int] = {}
        for kind, _ms, status in errors:
            by_status[(kind, status)] = by_status.get((kind, status), 0) + 1
        print(
            "errors:", ", ".join(f"{k} → {s or 'no answer'}: {n}" for (k, s), n in sorted(by_status.items()))
        )
    return {
        "server": server,
        "rps": len(results) / seconds,
        "errors": len(errors),
        "p50": _percentile([r[1] for r in results], 0.5),
        "p95": _percentile([r[1] for r in results], 0.95),
        "p99": _percentile([r[1] for r in results], 0.99),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--servers", default="gunicorn,runserver,granian")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="rumbo-bench-load-"))
    try:
        print(f"Preparing an installation in {var} (migrate, collectstatic, rumbo_setup)…", flush=True)
        env = prepare(var)
        print(
            f"{os.cpu_count()} cores; {args.clients} clients for {args.seconds:.0f} s per server; "
            f"database {env['DATABASE_URL'].split(':', 1)[0]}",
            flush=True,
        )
        summary = []
        for server in [s.strip() for s in args.servers.split(",") if s.strip()]:
            if server == "granian" and not (BIN / "granian").exists():
                print(
                    "\n== granian: not installed (.venv/bin/pip install -r requirements/bench.txt); skipped"
                )
                continue
            port = _free_port()
            process = subprocess.Popen(
                _command(server, port),
                cwd=ROOT,
                env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                _wait(port, process)
                targets = _targets(port)
                time.sleep(3.5)  # the initiative form must have been open a few seconds
                results = _drive(port, targets, args.seconds, args.clients)
                summary.append(report(server, results, args.seconds))
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        print("\nserver        req/s   p50 ms   p95 ms   p99 ms  errors")
        for row in summary:
            print(
                f"{row['server']:<12}{row['rps']:>7.1f}{row['p50']:>9.1f}{row['p95']:>9.1f}{row['p99']:>9.1f}"
                f"{row['errors']:>8}"
            )
    finally:
        shutil.rmtree(var, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
