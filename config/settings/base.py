"""Settings shared by every environment. Values come from environment variables.

See docs/configuration in README.md for the list of variables.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("RUMBO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "axes",
    "rumbo.core",
    "rumbo.accounts",
    "rumbo.territory",
    "rumbo.plans",
    "rumbo.lifecycle",
    "rumbo.indicators",
    "rumbo.investments",
    "rumbo.governance",
    "rumbo.participation",
    "rumbo.reports",
]

MIDDLEWARE = [
    "rumbo.core.middleware.HeadAsGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "rumbo.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rumbo.core.throttle.AnonymousWriteThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "rumbo.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, as django-axes asks: it turns a lockout into the Spanish lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "rumbo" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "rumbo.core.context_processors.rumbo",
            ],
        },
    },
]


def database_config() -> dict[str, Any]:
    """SQLite under var/ unless DATABASE_URL says otherwise."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'rumbo.sqlite3'}"
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")))
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while the worker writes; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue instead of failing with "database is locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            ),
        }
    return config


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes first: it refuses a locked-out account or address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "es")
LANGUAGES = [
    ("es", _("Spanish")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Lima")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "rumbo" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "rumbo@localhost")

# Upload limits for imports (bytes). Larger files are refused with a message, not read.
# one size limit for every uploaded file (imports, evidence, documents); layers have their own
# (rumbo/core/uploads.py)
RUMBO_UPLOAD_MAX_BYTES = int(os.environ.get("RUMBO_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
RUMBO_LAYER_MAX_BYTES = int(os.environ.get("RUMBO_LAYER_MAX_BYTES", str(200 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Optional XYZ tile URL for maps where the deployment has internet; empty = boundaries only.
RUMBO_TILE_URL = os.environ.get("RUMBO_TILE_URL", "")

NINJA_PAGINATION_PER_PAGE = 100

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- where Rumbo is reached, and what that implies ---------------------------------------------
# RUMBO_URL is the address people type (https://plan.municipio.gob.pe). With https, cookies are
# secure, HTTP is redirected and HSTS is sent; the reverse proxy terminates TLS and says so in
# X-Forwarded-Proto. RUMBO_PROXY_COUNT is how many proxies stand in front (their X-Forwarded-For
# entries are trusted to find the visitor's address; 0 = use the connection's address).
RUMBO_URL = os.environ.get("RUMBO_URL", "").rstrip("/")
RUMBO_HTTPS = RUMBO_URL.startswith("https://")
RUMBO_PROXY_COUNT = int(os.environ.get("RUMBO_PROXY_COUNT", "1" if RUMBO_HTTPS else "0"))
if RUMBO_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# an expired form gets a Spanish page that says what to do, not Django's English one
CSRF_FAILURE_VIEW = "rumbo.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- login throttling (django-axes): per account and per address -------------------------------
AXES_FAILURE_LIMIT = int(os.environ.get("RUMBO_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("RUMBO_LOGIN_LOCKOUT_MINUTES", "60")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = RUMBO_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if RUMBO_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False
# keep typed codes out of axes' stored request data
AXES_SENSITIVE_PARAMETERS = ["code"]
# two-factor authentication (rumbo/accounts): staff must set it up before using the site
RUMBO_REQUIRE_2FA_FOR_STAFF = env_bool("RUMBO_REQUIRE_2FA_FOR_STAFF", False)

# --- limits on anonymous writes and on API clients (rumbo.core.throttle) ----------------------
# "N/period" with period s, m, h or d. Counted per visitor address (anonymous) or per token.
RUMBO_RATE_LIMITS = {
    "anonymous_write": os.environ.get("RUMBO_RATE_ANONYMOUS_WRITE", "20/m"),
    "tracking": os.environ.get("RUMBO_RATE_TRACKING", "30/m"),
    "api_token": os.environ.get("RUMBO_RATE_API_TOKEN", "600/m"),
    "api_anonymous": os.environ.get("RUMBO_RATE_API_ANONYMOUS", "300/m"),
    # the stateless tally (POST /api/v1/participation/tally) counts up to a million ballots a call
    "tally": os.environ.get("RUMBO_RATE_TALLY", "30/h"),
}
# the largest tally request body (a million ballots of a few project ids fit in about 40 MB)
RUMBO_TALLY_MAX_BYTES = int(os.environ.get("RUMBO_TALLY_MAX_BYTES", str(60 * 1024 * 1024)))
RUMBO_THROTTLE_DB = Path(os.environ.get("RUMBO_THROTTLE_DB", VAR_DIR / "run" / "throttle.sqlite3"))

# --- the background worker and health ----------------------------------------------------------
RUMBO_RUN_DIR = Path(os.environ.get("RUMBO_RUN_DIR", VAR_DIR / "run"))
# a worker beats every 5 s (rumbo/core/worker.py); one silent for 50 s is down, so a stopped
# worker shows on /health/ within a minute
RUMBO_WORKER_STALE_SECONDS = int(os.environ.get("RUMBO_WORKER_STALE_SECONDS", "50"))
RUMBO_WORKER_MEMORY_MB = int(os.environ.get("RUMBO_WORKER_MEMORY_MB", "3072"))
RUMBO_DISK_MIN_FREE_MB = int(os.environ.get("RUMBO_DISK_MIN_FREE_MB", "1024"))
RUMBO_DISK_MIN_FREE_PERCENT = float(os.environ.get("RUMBO_DISK_MIN_FREE_PERCENT", "5"))

# --- backups and the cleaning of generated files ------------------------------------------------
RUMBO_BACKUP_DIR = Path(os.environ.get("RUMBO_BACKUP_DIR", VAR_DIR / "backups"))
RUMBO_BACKUP_TIME = os.environ.get("RUMBO_BACKUP_TIME", "02:30")  # local time; "" = no scheduled backup
RUMBO_BACKUP_KEEP = int(os.environ.get("RUMBO_BACKUP_KEEP", "14"))
RUMBO_GENERATED_MAX_AGE_DAYS = int(os.environ.get("RUMBO_GENERATED_MAX_AGE_DAYS", "30"))
