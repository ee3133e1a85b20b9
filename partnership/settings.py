"""Partnership Hub settings: one module, driven by environment variables.

With no environment at all this runs the embedded demo (SQLite, eager Celery tasks, email to the
console, DEBUG on, a generated development secret). Production differs only by environment:
DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=false. A value that cannot be
parsed stops start-up with a message naming the variable.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


class SettingsError(ImproperlyConfigured):
    pass


# Every setting read from the environment goes through one of these helpers. An unset variable gives
# the default; a set one must parse, or start-up stops with a message naming the variable. An empty
# value is "unset" for a yes/no or a number (compose's `${NAME:-}` passes one), but is itself the
# value for a string or a list. django-environ is used only to parse the database and email URLs.


def _str(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None else value


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _str(name, default)
    if value not in choices:
        raise SettingsError(f"Environment variable {name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"Environment variable {name} must be true or false, not {raw!r}")


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"Environment variable {name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"Environment variable {name} must be at least {minimum}, not {value}")
    return value


def _list(name: str, default: list[str]) -> list[str]:
    """Comma-separated: "a, b" is ["a", "b"]."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _dict(name: str, default: dict[str, str]) -> dict[str, str]:
    """Comma-separated pairs: "a=1,b=2" is {"a": "1", "b": "2"}."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    pairs = {}
    for item in filter(None, (item.strip() for item in raw.split(","))):
        key, separator, value = item.partition("=")
        if not (separator and key.strip() and value.strip()):
            raise SettingsError(f"Environment variable {name} must be name=value pairs separated by commas, "
                                f"not {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def _url(name: str, default: str) -> str:
    value = _str(name, default)
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed [ in an IPv6 address
        parts = urlsplit("")
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise SettingsError(f"Environment variable {name} must start with https:// (or http://), not {value!r}")
    return value


def _database_url(name: str, default: str, engines: set[str]) -> dict:
    raw = _str(name, default)
    # django-environ passes an unknown scheme through as an engine name, and Django would then fail
    # later without naming the variable, so the engine is checked here.
    with warnings.catch_warnings():
        # django-environ warns of an unrecognised URL by printing it parsed, password and all.
        warnings.simplefilter("ignore")
        try:
            config = environ.Env.db_url_config(raw)
        except (ValueError, TypeError, ImproperlyConfigured):
            config = {}
    if config.get("ENGINE") not in engines:
        # Name only the scheme: the rest of the URL may hold the database password.
        scheme, separator, _ = raw.partition("://")
        raise SettingsError(
            f"Environment variable {name} must be a postgres:// (or, for the demo, sqlite:///) URL, not "
            + (f"a {scheme}:// URL" if separator else "a value without a scheme")
        )
    return config


def _email_url(name: str, default: str) -> dict:
    raw = _str(name, default)
    try:
        return environ.Env.email_url_config(raw)
    except (ValueError, TypeError, ImproperlyConfigured):
        scheme, separator, _ = raw.partition("://")
        raise SettingsError(
            f"Environment variable {name} must be an email URL (smtp+tls://user:password@host:587, "
            "consolemail://), not " + (f"a {scheme}:// URL" if separator else "a value without a scheme")
        ) from None


DEBUG = _bool("DEBUG", default=True)

SECRET_KEY = _str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise SettingsError("Environment variable SECRET_KEY must be set when DEBUG is false")
    # The embedded demo gets a secret of its own, kept beside the SQLite database, so sessions
    # survive a restart; it is never used in production because DEBUG=false requires SECRET_KEY.
    _secret_file = BASE_DIR / ".dev-secret-key"
    if not _secret_file.exists():
        from django.core.management.utils import get_random_secret_key

        _secret_file.write_text(get_random_secret_key())
    SECRET_KEY = _secret_file.read_text().strip()
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise SettingsError("Environment variable SECRET_KEY is too short: use at least 50 random characters")

ALLOWED_HOSTS = _list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise SettingsError("Environment variable ALLOWED_HOSTS must be set when DEBUG is false")
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS", [])

# The public address of the site, for links in emails and the Open Referral feed.
SITE_URL = _url("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_forms_gds",
    "partnership",
    "partnership.notifications",
    "organisations",
    "referrals",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "partnership.middleware.CurrentPartnershipMiddleware",
    "partnership.middleware.NoStoreForSignedInMiddleware",
    "partnership.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "partnership.urls"
WSGI_APPLICATION = "partnership.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnership.navigation.context",
            ],
        },
    },
]

# Database: SQLite for the embedded demo, DATABASE_URL (PostgreSQL) otherwise.
DATABASES = {
    "default": _database_url("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
                             engines={"django.db.backends.postgresql", "django.db.backends.sqlite3"}),
}
# Read whatever the engine, so a bad value fails here rather than when the database changes.
_conn_max_age = _int("CONN_MAX_AGE", 60)
_connect_timeout = _int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: a new connection per request costs most of a search page's time.
    DATABASES["default"]["CONN_MAX_AGE"] = _conn_max_age
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database host that drops packets fails a request in seconds rather than hanging it for minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", _connect_timeout)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partnership.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email is the login; addresses are verified before an account is used.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = _choice("ACCOUNT_EMAIL_VERIFICATION", "mandatory", ("mandatory", "optional", "none"))
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Staff accounts are created by invitation; nobody joins a partnership by signing up on the site.
ACCOUNT_ADAPTER = "partnership.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "partnership.forms.LoginForm"}
ACCOUNT_ALLOW_SIGNUPS = _bool("ACCOUNT_ALLOW_SIGNUPS", False)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Partnership Hub"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
_testing = _bool("TESTING", False)  # read whatever DEBUG says, so a bad value fails in the demo too
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or _testing
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email: the console in the demo; any Django backend (SMTP by EMAIL_URL) in production.
_email = _email_url("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
for _key in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL"):
    if _key in _email and _email[_key] not in (None, ""):
        globals()[_key] = _email[_key]
if "EMAIL_FILE_PATH" in _email:
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
# A mail server that stops answering fails a send (to be retried) well inside the task's time limit.
EMAIL_TIMEOUT = _int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = _str("DEFAULT_FROM_EMAIL", "Partnership Hub <no-reply@partnership-hub.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# GOV.UK Notify for SMS (and optionally email); off unless a key is given.
NOTIFY_API_KEY = _str("NOTIFY_API_KEY", "")
NOTIFY_BASE_URL = _url("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT_SECONDS = _int("NOTIFY_TIMEOUT_SECONDS", 10, minimum=1)
# Send email through Notify too, instead of EMAIL_URL's backend.
NOTIFY_EMAIL = _bool("NOTIFY_EMAIL", False)
# A Notify template per message, "prescription_sent=<id>,carer_item_status=<id>", and/or one general
# template for each channel whose body is ((body)) (and subject ((subject)) for email).
NOTIFY_TEMPLATE_IDS = _dict("NOTIFY_TEMPLATE_IDS", {})
NOTIFY_SMS_TEMPLATE_ID = _str("NOTIFY_SMS_TEMPLATE_ID", "")
NOTIFY_EMAIL_TEMPLATE_ID = _str("NOTIFY_EMAIL_TEMPLATE_ID", "")
if NOTIFY_API_KEY and len(NOTIFY_API_KEY) < 74:
    raise SettingsError("Environment variable NOTIFY_API_KEY must be a whole GOV.UK Notify API key "
                        "(name-service id-secret)")
if NOTIFY_EMAIL and not NOTIFY_API_KEY:
    raise SettingsError("Environment variable NOTIFY_EMAIL needs NOTIFY_API_KEY")
# Text messages: through Notify when it has a key; printed to the console in the demo; otherwise they
# fail at once, visibly, on the failed messages page.
SMS_BACKEND = _choice("SMS_BACKEND", "notify" if NOTIFY_API_KEY else ("console" if DEBUG else "disabled"),
                      ("notify", "console", "disabled"))
if SMS_BACKEND == "notify" and not NOTIFY_API_KEY:
    raise SettingsError("Environment variable SMS_BACKEND is notify, which needs NOTIFY_API_KEY")
# A message that keeps failing for a passing reason is given up (and shown to the managers) after this.
NOTIFICATION_MAX_ATTEMPTS = _int("NOTIFICATION_MAX_ATTEMPTS", 8, minimum=1)

# Celery: eager tasks and an in-memory broker for the demo; Redis in production.
CELERY_BROKER_URL = _str("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL.startswith("memory://"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Late acknowledgement so a task whose worker dies is delivered again; the tasks claim their work
# with a conditional update, so a redelivery does nothing twice. The limits stay well under
# Redis' visibility timeout (one hour) so a slow task is never handed to a second worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = _int("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = _int("CELERY_TASK_TIME_LIMIT", 90, minimum=1)
# Redis hands an unacknowledged task to another worker after this; a task must finish (or be killed by
# its time limit) well before, or it would run twice. The claim makes a second run harmless, but slow.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
                                   # A broker that does not answer (a dropped connection, a failover) fails a
                                   # publish in seconds; without these redis-py waits minutes, or for ever.
                                   "socket_connect_timeout": 2, "socket_timeout": 5}
# A publish with the broker down fails at once (the relay queues the row later) instead of retrying: Celery's
# default policy spends 0.6 s on every message, seconds on a GP's "Send" (tests/referrals/test_fault_injection).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
# Workers keep their database connection between tasks (see partnership/celery.py); Celery's Django fixup
# only recycles it every this many tasks, instead of opening a new one for every task.
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise SettingsError("Environment variable CELERY_TASK_TIME_LIMIT must be more than CELERY_TASK_SOFT_TIME_LIMIT")
if CELERY_TASK_TIME_LIMIT * 2 >= CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]:
    raise SettingsError("Environment variable CELERY_TASK_TIME_LIMIT must be less than half of "
                        "CELERY_VISIBILITY_TIMEOUT (Redis would hand a running task to a second worker)")

# The partnership this site serves when an installation hosts several (its slug); else the first.
PARTNERSHIP_SLUG = _str("PARTNERSHIP_SLUG", "")

# Service navigation: each app offers the items a person's roles allow (see partnership.navigation).
NAVIGATION_PROVIDERS = ["organisations.navigation.items", "referrals.navigation.items",
                        "partnership.notifications.navigation.items"]

# Directory search.
DIRECTORY_PAGE_SIZE = _int("DIRECTORY_PAGE_SIZE", 20, minimum=1)

# Security: every production default is the strict one.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"],
             "level": _choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
