"""Settings, read from the environment.

With nothing set, the defaults give a development setup that works out of the box
(SQLite, Celery's filesystem transport, e-mails written to var/mail/). With
DJANGO_ENV=production, unsafe values are refused at start-up.
"""

from __future__ import annotations

from datetime import date, timedelta
from email.utils import getaddresses
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

_DEV_SECRET_KEY = "development-only-insecure-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="" if PRODUCTION else _DEV_SECRET_KEY)
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
VAR_DIR = Path(env.str("AUTODIAG_VAR_DIR", default=str(BASE_DIR / "var")))

if PRODUCTION:
    _problems = []
    if len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY or len(set(SECRET_KEY)) < 5:
        _problems.append("DJANGO_SECRET_KEY must be set to a random value of 50+ characters")
    if DEBUG:
        _problems.append("DJANGO_DEBUG must be off")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        _problems.append("DJANGO_ALLOWED_HOSTS must list the site's host names")
    if "DATABASE_URL" not in env:
        _problems.append("DATABASE_URL must be set")
    if "CELERY_BROKER_URL" not in env:
        _problems.append("CELERY_BROKER_URL must be set")
    if "EMAIL_URL" not in env:
        _problems.append("EMAIL_URL must be set")
    if _problems:
        raise ImproperlyConfigured("Unsafe production settings: " + "; ".join(_problems) + ".")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "axes",
    "csp",
    "documents",
    "accounts",
    "diagnostics",
    "reports",
    "advisors",
    "audit",
    "privacy",
    "operations",
    "observatory",
    "legal",
]

MIDDLEWARE = [
    "config.logs.RequestLogMiddleware",
    "config.outage.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security_headers.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "config.input_checks.InputChecksMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accounts.context_processors.current_company",
            ],
        },
    },
]

PREPARE_THRESHOLD = 5  # psycopg's own default, which Django turns off

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# A connection kept from an earlier request is checked before the request uses it, so that
# the first request after PostgreSQL restarted reconnects instead of failing. On PostgreSQL
# the check costs no round trip while nothing has arrived on the connection
# (config.db.postgresql). DATABASE_CONN_HEALTH_CHECKS=0 turns it off; the first request of
# each process after a restart then answers 503 (config.outage).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "config.db.postgresql"
    # An unreachable server fails fast (readiness probe, 503 page) instead of hanging.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    # Parameters go apart from the statement (no quoting in Python), and a statement a
    # connection has run PREPARE_THRESHOLD times is prepared: PostgreSQL parses and plans it
    # once per connection instead of on every run. Off behind a pooler in transaction mode
    # that does not keep prepared statements (PgBouncer before 1.21, or without
    # max_prepared_statements).
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = PREPARE_THRESHOLD
    # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost: about
    # 0.25 s of compiling that never paid back here (the observatory's refresh took 13.6 s
    # instead of 6.5 s, a page summed from a region's and a branch's facts 373 ms instead of
    # 89 ms; docs/performance.md). Off for this application's sessions, from the connection's
    # start-up options; DATABASE_JIT=1 leaves the server's setting (behind a pooler that
    # does not pass start-up options, such as PgBouncer, set `jit = off` on the server).
    if not env.bool("DATABASE_JIT", default=False):
        DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "config.cache.RedisCache"  # one client per pool
# Sessions are read from the database, whatever the cache: one statement reads the session
# with its user and their memberships (accounts.sessions), which every logged-in request
# needs afresh. A shared cache in front of it (Django's cached_db) would add a round trip to
# that statement and make logged-in pages fail while the cache is down; a cache of each
# process's own would go on serving a session that a logout in another process has ended.
SESSION_ENGINE = "accounts.sessions.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.MembershipBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_VALIDITY = timedelta(days=env.int("INVITATION_VALIDITY_DAYS", default=14))
# The home page offers a re-assessment this many days after the last submitted diagnostic.
REASSESSMENT_AFTER_DAYS = env.int("REASSESSMENT_AFTER_DAYS", default=365)

# Login throttling: a (username, IP) pair is locked after AXES_FAILURE_LIMIT failures,
# for a finite cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_VERBOSE = False

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # English dates day first, as in Europe
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    # Reports go through Django's storage API: local disk by default; any storage
    # backend (e.g. an S3-compatible one) by setting MEDIA_STORAGE_BACKEND.
    "default": {
        "BACKEND": env.str(
            "MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: SMTP in production (EMAIL_URL=smtp+tls://user:pass@host:587); in development
# the messages are written as files under var/mail/.
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Autodiag <no-reply@autodiag.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who receives the error e-mails: "Name <address>, other@example.org".
ADMINS = [
    (name or address, address)
    for name, address in getaddresses([env.str("DJANGO_ADMINS", default="")])
    if address
]
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Security headers. HTTPS-only settings apply in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
# The probes are called over plain HTTP from inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Celery. Without CELERY_BROKER_URL, the filesystem transport under var/celery/ serves
# as an embedded broker, so a worker runs with nothing else installed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# WeasyPrint's native libraries (Pango, HarfBuzz) keep about 0.5 MB per rendered report
# (docs/performance.md): recycling worker children bounds the growth.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=50)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_TASK_SOFT_TIME_LIMIT = env.float("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.float("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
if CELERY_TASK_TIME_LIMIT >= CELERY_BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must stay below the visibility timeout.")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_celery_dir / "control"),
        "polling_interval": 0.2,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.5,
        "interval_max": 1,
    }

# Logs: one line per request and per task, with the request id (config/logs.py); plain
# text, or one JSON object per line with LOG_FORMAT=json. Errors (ERROR and above, from the
# web tier and the tasks) are e-mailed to DJANGO_ADMINS and sent to Sentry if SENTRY_DSN is set.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.alerts.PrivateExceptionReporterFilter"
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["request_id"],
            "formatter": "plain",
            "reporter_class": "config.alerts.PrivateExceptionReporter",
        },
    },
    "root": {"handlers": ["console", "mail_admins"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "ERROR",
            "propagate": False,
        },
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Benchmarks and the observatory never show a figure made from fewer companies.
BENCHMARK_MIN_COMPANIES = env.int("BENCHMARK_MIN_COMPANIES", default=5)
REPORT_MAX_ATTEMPTS = env.int("REPORT_MAX_ATTEMPTS", default=3)
CELERY_BEAT_SCHEDULE = {
    "sweep-reports": {"task": "reports.tasks.sweep_reports", "schedule": 60.0},
    "apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
    # Benchmarks and the observatory read tables these rebuild; pages never recompute.
    "refresh-benchmarks": {
        "task": "observatory.tasks.refresh_benchmarks",
        "schedule": crontab(minute=5),
    },
    "reassessment-reminders": {
        "task": "diagnostics.tasks.send_reassessment_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "funding-request-reminders": {
        "task": "reports.tasks.send_funding_request_reminders",
        "schedule": crontab(hour=9, minute=10),
    },
    "overdue-line-reminders": {
        "task": "reports.tasks.send_overdue_line_reminders",
        "schedule": crontab(hour=9, minute=20),
    },
    "refresh-observatory": {
        "task": "observatory.tasks.refresh_observatory",
        "schedule": crontab(minute=20),
    },
}

# Retention (README, "Privacy"): what apply_retention deletes, and after how long.
COMPANY_CLOSURE_GRACE = timedelta(days=env.int("COMPANY_CLOSURE_GRACE_DAYS", default=30))
INVITATION_RETENTION = timedelta(days=env.int("INVITATION_RETENTION_DAYS", default=90))
AUDIT_RETENTION = timedelta(days=env.int("AUDIT_RETENTION_DAYS", default=365))
SUPERSEDED_REPORT_RETENTION = timedelta(
    days=env.int("SUPERSEDED_REPORT_RETENTION_DAYS", default=365)
)

# Who publishes this site (legal notice, privacy notice and accessibility statement: the
# `legal` app; README, "Legal pages"). Each deployment sets its own; in production a missing
# one is reported by `manage.py check` (legal.W001) and the page says it is to be completed.
PUBLISHER_NAME = env.str("PUBLISHER_NAME", default="")
PUBLISHER_ADDRESS = env.str("PUBLISHER_ADDRESS", default="")
PUBLISHER_PHONE = env.str("PUBLISHER_PHONE", default="")
PUBLISHER_EMAIL = env.str("PUBLISHER_EMAIL", default="")
PUBLISHER_REGISTRATION = env.str("PUBLISHER_REGISTRATION", default="")  # SIREN, RCS, RNA...
PUBLICATION_DIRECTOR = env.str("PUBLICATION_DIRECTOR", default="")
HOST_NAME = env.str("HOST_NAME", default="")
HOST_ADDRESS = env.str("HOST_ADDRESS", default="")
HOST_PHONE = env.str("HOST_PHONE", default="")
# Where people exercise their rights: the data protection officer's address, if any.
PRIVACY_CONTACT = env.str("PRIVACY_CONTACT", default="")
# The last accessibility audit (RGAA): its day, the share of criteria met, who made it.
# No audit, or one more than three years old, makes the site "non conforme".
try:
    ACCESSIBILITY_AUDIT_DATE = (
        date.fromisoformat(env.str("ACCESSIBILITY_AUDIT_DATE"))
        if env.str("ACCESSIBILITY_AUDIT_DATE", default="")
        else None
    )
except ValueError as exc:
    raise ImproperlyConfigured("ACCESSIBILITY_AUDIT_DATE must be a date: YYYY-MM-DD.") from exc
ACCESSIBILITY_AUDIT_RATE = env.int("ACCESSIBILITY_AUDIT_RATE", default=None)
ACCESSIBILITY_AUDITOR = env.str("ACCESSIBILITY_AUDITOR", default="")
# The multi-year accessibility plan and this year's action plan ("schéma pluriannuel").
ACCESSIBILITY_PLAN_URL = env.str("ACCESSIBILITY_PLAN_URL", default="")

# Seconds a worker waits before rendering: lets the pipeline tests kill or time out a
# render in flight. Always 0 outside those tests.
REPORT_RENDER_PAUSE = env.float("REPORT_RENDER_PAUSE", default=0)

# Error tracking: a Sentry-compatible DSN turns on the SDK (web requests, tasks, ERROR logs).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment=DJANGO_ENV)
