"""Development (`make dev`): debug pages, autoreload, the same database and secret as `make run`."""

from __future__ import annotations

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool
from .hosts import secret_key_from_file

SECRET_KEY = os.environ.get("SECRET_KEY") or secret_key_from_file(VAR_DIR / "secret_key")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", *ALLOWED_HOSTS]  # noqa: F405
