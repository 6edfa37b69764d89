"""gunicorn settings for Rumbo, used by `make run` (scripts/serve.py) and the systemd unit
(docs/deploy.md). Every value can be changed from the environment; docs/adr/0011 says why
gunicorn with threads."""

from __future__ import annotations

import multiprocessing
import os

bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]
# processes use the cores; threads keep a process busy while a request waits for the database
workers = int(os.environ.get("RUMBO_WEB_WORKERS", str(min(4, multiprocessing.cpu_count() + 1))))
threads = int(os.environ.get("RUMBO_WEB_THREADS", "4"))
worker_class = "gthread"
# a report or a large page may take a while; imports and documents run in the worker, not here
timeout = int(os.environ.get("RUMBO_WEB_TIMEOUT", "60"))
graceful_timeout = 20
keepalive = 5
# recycle processes now and then, so that a slow leak never accumulates over months
max_requests = int(os.environ.get("RUMBO_WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# request line and headers: the defaults; bodies are limited by Django (DATA_UPLOAD_MAX_*)
limit_request_line = 8190
# the reverse proxy on this machine may say X-Forwarded-Proto; nobody else may
forwarded_allow_ips = os.environ.get("RUMBO_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("RUMBO_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("RUMBO_WEB_LOG_LEVEL", "info")
proc_name = "rumbo-web"
# gunicorn 27's control socket would live in the home directory; Rumbo does not use it
control_socket_disable = True
# load the application once, then fork: less memory, faster worker restarts
preload_app = True
