#!/usr/bin/env python3
"""Runs Rumbo's web server and background worker side by side and keeps them running.

`make run` starts this with gunicorn (production settings); `make dev` with Django's runserver
(autoreload, debug). A process that dies is started again (with a growing pause if it keeps
dying); a worker whose heartbeat stops (hung, or stopped with SIGSTOP) is killed and started
again; Ctrl+C or SIGTERM stops both cleanly: the web server finishes its requests and the worker
its current task (a second Ctrl+C stops at once). Only the standard library: this process stays
small and does not load Django.

Under systemd the units run the web server and the worker directly (docs/deploy.md): systemd
does this supervision there.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
STOP_GRACE_SECONDS = 25.0
EARLY_EXIT_SECONDS = 8.0


def say(message: str) -> None:
    print(f"[rumbo] {message}", flush=True)


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    first_start: bool = True
    restarts: int = 0
    backoff: float = 1.0
    not_before: float = 0.0
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        self.process = subprocess.Popen(  # our own commands, no shell
            self.command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            # its own process group: the terminal's Ctrl+C reaches only the supervisor, which
            # then stops the children in order
            start_new_session=True,
        )
        self.started_at = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.alive():
            assert self.process is not None
            try:
                self.process.send_signal(signum)
            except ProcessLookupError:
                pass


def run_dir() -> Path:
    var = Path(os.environ.get("RUMBO_VAR_DIR", ROOT / "var"))
    return Path(os.environ.get("RUMBO_RUN_DIR", var / "run"))


def worker_heartbeat_age(pid: int) -> float | None:
    """Seconds since the worker with this pid last beat (rumbo.core.worker), None if never."""
    path = run_dir() / "workers" / f"{socket.gethostname()[:40]}-{pid}.json"
    try:
        beat_at = float(json.loads(path.read_text())["beat_at"])
    except (OSError, ValueError, KeyError):
        return None
    return max(0.0, time.time() - beat_at)


class Supervisor:
    def __init__(self, children: list[Child], *, stale_seconds: float) -> None:
        self.children = children
        self.stale_seconds = stale_seconds
        self.stopping = False
        self.stop_requests = 0

    def request_stop(self, signum: int, _frame: object) -> None:
        self.stop_requests += 1
        if self.stop_requests == 1:
            say("Deteniendo Rumbo… / Stopping Rumbo… (Ctrl+C otra vez para forzar / again to force)")
            self.stopping = True
        else:
            for child in self.children:
                child.signal(signal.SIGKILL)

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)
        for child in self.children:
            child.start()
        while not self.stopping:
            for child in self.children:
                code = self.watch(child)
                if code is not None:
                    self.stop_all()
                    return code
            time.sleep(0.5)
        return self.stop_all()

    def watch(self, child: Child) -> int | None:
        """Restarts a child that died or hung; returns an exit code when starting is hopeless."""
        now = time.monotonic()
        if child.alive():
            assert child.process is not None
            if child.name == "worker" and now - child.started_at > self.stale_seconds:
                age = worker_heartbeat_age(child.process.pid)
                if age is None or age > 2 * self.stale_seconds:
                    say(
                        f"El worker no responde; se reinicia / The worker is not responding; restarting (pid {child.process.pid})"
                    )
                    child.signal(signal.SIGKILL)
                    child.process.wait()
                    child.not_before = now
                    return None
            if now - child.started_at > 60:
                child.backoff = 1.0
            return None
        if child.process is not None and child.not_before <= now and child.process.returncode is not None:
            code = child.process.returncode
            # exiting by itself with an error right at the start is a configuration problem that
            # restarting will not fix; being killed by a signal (code < 0) is not
            if child.first_start and code > 0 and now - child.started_at < EARLY_EXIT_SECONDS:
                say(
                    f"{child.name} terminó al arrancar (código {code}) / exited at start (code {code}); ver arriba / see above"
                )
                return code
            say(
                f"{child.name} terminó (código {code}); se reinicia en {child.backoff:.0f} s / exited (code {code}); restarting"
            )
            child.not_before = now + child.backoff
            child.backoff = min(30.0, child.backoff * 2)
            child.process = None
            return None
        if child.process is None and now >= child.not_before:
            child.first_start = False
            child.restarts += 1
            child.start()
        return None

    def stop_all(self) -> int:
        for child in self.children:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while time.monotonic() < deadline and any(child.alive() for child in self.children):
            time.sleep(0.2)
        for child in self.children:
            if child.alive():
                say(f"{child.name} no se detuvo a tiempo; se fuerza / did not stop in time; killing")
                child.signal(signal.SIGKILL)
                assert child.process is not None
                child.process.wait()
        say("Rumbo detenido / stopped.")
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="runserver with autoreload instead of gunicorn")
    args = parser.parse_args()
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    python = str(VENV_BIN / "python")
    if args.dev:
        web = Child("web", [python, "manage.py", "runserver", f"{host}:{port}"])
    else:
        web = Child(
            "web", [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi:application"]
        )
    worker = Child("worker", [python, "manage.py", "rumbo_worker"])
    stale = float(os.environ.get("RUMBO_WORKER_STALE_SECONDS", "50"))
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    say(f"Rumbo: http://{shown}:{port}/  (Ctrl+C para detener / to stop)")
    return Supervisor([web, worker], stale_seconds=stale).run()


if __name__ == "__main__":
    sys.exit(main())
