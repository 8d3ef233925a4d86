"""JISP settings: one module, every value from the environment through ``jisp.config``.

The variables are documented in ``docs/configuration.md``. With none set, JISP runs embedded: SQLite
(WAL) and Huey on SQLite in ``./data``, mail to the console, a secret key generated on first run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from jisp import config

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = config.data_dir("JISP_DATA_DIR", BASE_DIR / "data")
TESTING = "pytest" in sys.modules or config.boolean("JISP_TESTING", False)

SECRET_KEY = config.secret_key("SECRET_KEY", DATA_DIR)
DEBUG = config.boolean("DEBUG", False)
ALLOWED_HOSTS = config.csv_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.csv_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = config.string("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = config.string("SITE_NAME", "JISP")

INSTALLED_APPS = [
    "jisp.core",
    "jisp.sharing",
    "jisp.incidents",
    "jisp.intel",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jisp.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jisp.core.middleware.UserLanguageMiddleware",
    "jisp.core.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "jisp.urls"
WSGI_APPLICATION = "jisp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jisp.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {"default": config.database("DATABASE_URL", DATA_DIR / "jisp.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Sign-in -------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["jisp.core.auth.EmailBackend"]
LOGIN_URL = "core:signin"
LOGIN_REDIRECT_URL = "core:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": config.integer("JISP_PASSWORD_MIN_LENGTH", 12, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock an account for JISP_LOCKOUT_MINUTES after JISP_LOCKOUT_FAILURES failed sign-ins in a row.
LOCKOUT_FAILURES = config.integer("JISP_LOCKOUT_FAILURES", 5, minimum=1)
LOCKOUT_MINUTES = config.integer("JISP_LOCKOUT_MINUTES", 15, minimum=1)

# Incident desk targets: a new case is acknowledged (triaged, assigned or answered) within
# JISP_CASE_ACK_MINUTES and the reporter gets a first answer within JISP_CASE_RESPONSE_MINUTES;
# past them the case queue shows the case as overdue.
CASE_ACK_MINUTES = config.integer("JISP_CASE_ACK_MINUTES", 30, minimum=1)
CASE_RESPONSE_MINUTES = config.integer("JISP_CASE_RESPONSE_MINUTES", 120, minimum=1)
# Threat intelligence: TAXII limits, product feeds (see docs/intel.md).
TAXII_MAX_CONTENT_LENGTH = config.integer(
    "JISP_TAXII_MAX_CONTENT_LENGTH", 10 * 1024 * 1024, minimum=1024
)
TAXII_MAX_PAGE_SIZE = config.integer("JISP_TAXII_MAX_PAGE_SIZE", 10_000, minimum=1)
INTEL_IMPORT_MAX_BYTES = config.integer("JISP_INTEL_IMPORT_MAX_BYTES", 1 << 30, minimum=1024)
INTEL_FEED_SID_BASE = config.integer("JISP_INTEL_FEED_SID_BASE", 1_000_000_000, minimum=1)
INTEL_RPZ_ZONE = config.string("JISP_INTEL_RPZ_ZONE", "rpz.jisp.invalid")
# Django's database sessions, read through a compiled statement (jisp/core/sessions.py).
SESSION_ENGINE = "jisp.core.sessions"
SESSION_COOKIE_AGE = config.integer("JISP_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = config.boolean("JISP_SECURE_COOKIES", SITE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
PASSWORD_RESET_TIMEOUT = 3600 * 2
INVITATION_DAYS = config.integer("JISP_INVITATION_DAYS", 14, minimum=1)
API_TOKEN_MAX_DAYS = config.integer("JISP_API_TOKEN_MAX_DAYS", 365, minimum=1)

# --- Security headers ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = config.integer("JISP_HSTS_SECONDS", 0)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if config.boolean("JISP_BEHIND_PROXY", False) else None
)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# --- Languages and time --------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "jisp" / "locale"]
LANGUAGE_COOKIE_NAME = "jisp_language"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Tokyo"

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = config.string("JISP_STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
MEDIA_ROOT = str(DATA_DIR / "media")

# --- Mail ----------------------------------------------------------------------------------
_email = config.email("EMAIL_URL", "console:")
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT = _email.timeout
EMAIL_FILE_PATH = _email.file_path
DEFAULT_FROM_EMAIL = config.string("DEFAULT_FROM_EMAIL", "JISP <jisp@localhost>")

# --- Background work -----------------------------------------------------------------------
REDIS_URL = config.redis_url("REDIS_URL")
_huey_common = {
    "name": "jisp",
    "immediate": TESTING and not config.boolean("JISP_HUEY_QUEUED", False),
    "consumer": {"workers": config.integer("JISP_WORKERS", 2, minimum=1), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY = {
        **_huey_common,
        "huey_class": "huey.PriorityRedisHuey",
        "url": REDIS_URL,
        "immediate_use_memory": True,
    }
else:
    HUEY = {
        **_huey_common,
        "huey_class": "huey.SqliteHuey",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate_use_memory": True,
    }

# --- Outbound requests (webhooks, checks) --------------------------------------------------
# Private, loopback and link-local addresses are refused unless listed here (tests allow loopback).
OUTBOUND_ALLOW = config.networks("JISP_OUTBOUND_ALLOW", [])
OUTBOUND_TIMEOUT = config.integer("JISP_OUTBOUND_TIMEOUT", 10, minimum=1)
WEBHOOK_MAX_ATTEMPTS = config.integer("JISP_WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)

# --- API -----------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": config.string("JISP_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The Huey consumer adds its own handler: do not print its lines twice.
        "huey": {"handlers": ["console"], "propagate": False},
    },
}

if TESTING:
    INSTALLED_APPS.append("jisp.core.tests.policyapp")
    AUDIT_DB_GUARD = False  # test databases are flushed between tests; see migration 0002
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OUTBOUND_ALLOW = config.networks("JISP_OUTBOUND_ALLOW", ["127.0.0.0/8", "::1/128"])
