"""Production — what `make run` and the systemd units start: no debug, a secret generated once
and kept under var/ (or SECRET_KEY from the environment), hosts from RUMBO_URL and HOST, and with
an https RUMBO_URL secure cookies, HTTP → HTTPS redirect and HSTS (docs/deploy.md)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import RUMBO_HTTPS, RUMBO_URL, VAR_DIR, env_bool, env_list
from .hosts import local_host_names, secret_key_from_file

SECRET_KEY = os.environ.get("SECRET_KEY") or secret_key_from_file(VAR_DIR / "secret_key")
DEBUG = False

_url_host = urlsplit(RUMBO_URL).hostname if RUMBO_URL else None
# listening on every interface (the office network): answer to the machine's names and addresses
_everywhere = os.environ.get("HOST", "127.0.0.1") in ("0.0.0.0", "::")  # noqa: S104
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    sorted({*local_host_names(all_interfaces=_everywhere), *([_url_host] if _url_host else [])}),
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [RUMBO_URL] if RUMBO_URL else [])

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", RUMBO_HTTPS)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", RUMBO_HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", RUMBO_HTTPS)
# the monitor on the same machine asks over plain HTTP
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600 if RUMBO_HTTPS else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # hashed, compressed names: cached for a year by browsers, never stale after an upgrade
    "staticfiles": {"BACKEND": "rumbo.core.staticfiles.RumboStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "WARNING"}},
}
