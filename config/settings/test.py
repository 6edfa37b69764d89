"""Test settings: the database comes from DATABASE_URL (SQLite in memory by default)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dict(dj_database_url.parse(os.environ["DATABASE_URL"]))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ":memory:",
            "OPTIONS": {"transaction_mode": "IMMEDIATE"},
            "TEST": {"NAME": ":memory:"},
        }
    }
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# counters and heartbeats of this test process only; limits high enough that no ordinary test
# meets them (the throttle tests set their own with override_settings)
_RUN = Path(tempfile.mkdtemp(prefix="rumbo-test-run-"))
RUMBO_RUN_DIR = _RUN
RUMBO_THROTTLE_DB = _RUN / "throttle.sqlite3"
RUMBO_BACKUP_DIR = _RUN / "backups"  # never var/backups of the repository
RUMBO_RATE_LIMITS = {
    scope: "100000/m" for scope in ("anonymous_write", "tracking", "api_token", "api_anonymous", "tally")
}
