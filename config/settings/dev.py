"""Local development and `make run`: SQLite under var/, debug on, a per-install secret."""

from __future__ import annotations

import os
import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool


def _local_secret() -> str:
    # A generated secret kept in var/ so sessions survive restarts without a hard-coded key.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret()
DEBUG = env_bool("DEBUG", True)
