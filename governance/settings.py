"""Settings for the data-sharing governance site.

One module for every environment: differences are environment variables, validated here at
start-up. A malformed value stops the process with the variable's name in the message.
"""

import warnings
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from governance.env import env_bool, env_int, env_list, env_str, env_url

# pyHanko 0.38 imports cryptography's DSA key type, which cryptography 51 deprecates; nothing
# here signs or verifies with DSA, so the warning is only noise on every command.
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is false")
    SECRET_KEY = "insecure-development-key-only-used-when-DJANGO_DEBUG-is-true"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

# HTTPS: on by default outside debug. Secure cookies, redirect to https, HSTS. Behind a
# TLS-terminating proxy set TRUST_X_FORWARDED_PROTO=true (and only then: the proxy must set
# the header itself).
HTTPS_ONLY = env_bool("HTTPS_ONLY", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS_ONLY
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's own health check speaks plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere; nothing framed; forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "pgtrigger",
    "pghistory",
    "governance",
    "processors",
    "agreements",
    "notices",
    "governance.outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before everything else: a flood of uploads refused costs a cache increment each.
    "agreements.middleware.VerifierThrottleMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who changed what: the signed-in user and the URL go with every audited write.
    "governance.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: refuses sign-in to a locked-out account.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"

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
            ],
        },
    },
]

# Database: SQLite next to the code for a first run; PostgreSQL in production and CI.
_database_url = env_url(
    "DATABASE_URL",
    f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
# Connections are kept for a minute, SQLite's too: opening one and reading the schema again
# cost a public notice page three quarters of its time (make loadtest).
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The audit trail lives in PostgreSQL (triggers); its admin pages need PostgreSQL too.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS.insert(INSTALLED_APPS.index("pghistory") + 1, "pghistory.admin")
# Many-to-many links have no migration of their own: their triggers go in after migrate.
PGTRIGGER_INSTALL_ON_MIGRATE = True
PGHISTORY_ADMIN_MODEL = "pghistory.MiddlewareEvents"
# Its admin, with a page for a record that does not exist (pghistory's own fails).
PGHISTORY_ADMIN_CLASS = "governance.admin.audit.AuditTrailAdmin"
PGHISTORY_ADMIN_LIST_DISPLAY = [
    "pgh_created_at", "pgh_label", "pgh_obj_model", "pgh_obj_id", "user", "url", "pgh_diff",
]  # fmt: skip

AUTH_USER_MODEL = "governance.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Auditors (staff without superuser) see every admin page read-only.
    "governance.auth.AuditorBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failed sign-ins an account is
# locked for AXES_COOLOFF_HOURS at the address the failures came from; after
# AXES_ADDRESS_FAILURE_LIMIT failures from one address, whatever the accounts, the address is.
# A school's staff share one address (its NAT): one DPO's typos must not lock out the rest.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 50, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "governance.auth.SignInThrottle"  # adds the per-address ceiling
# AccessAttempt.username holds 255 characters; a longer one typed is recorded cut short.
AXES_USERNAME_CALLABLE = "governance.auth.attempted_username"
# Behind TRUSTED_PROXY_COUNT reverse proxies the client's address is read from
# X-Forwarded-For; with none, from the connection itself. Each proxy appends the address it
# saw, and the nearest one's is REMOTE_ADDR: so the client is the entry TRUSTED_PROXY_COUNT
# from the end (django-ipware counts the proxies listed after it: one fewer), and whatever a
# client wrote in the header itself comes before it and is ignored (hence not strict).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1 if TRUSTED_PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)
)
IPWARE_STRICT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked.html"
AXES_VERBOSE = False
# The public verifier (/agreements/verify/): uploads per client address per minute, and
# validations at once in each process. Its count is kept in Django's cache, which every
# gunicorn worker must share: Redis when REDIS_URL is set (keys prefixed, short timeouts so
# a Redis that is down never holds a request), else each process's own memory.
VERIFY_RATE_LIMIT = env_int("VERIFY_RATE_LIMIT", 10, minimum=1)
VERIFY_CONCURRENCY = env_int("VERIFY_CONCURRENCY", 2, minimum=1)
_cache_url = env_url("REDIS_URL", schemes=("redis", "rediss"))
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": "governance",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Generated documents (notice PDFs, agreement PDFs, signed copies) go through Django's storage
# API: files under MEDIA_ROOT by default, or objects in an S3-compatible bucket (MinIO, AWS S3,
# any S3 API) when S3_BUCKET is set, so web and workers on several machines share them. Either
# way they are only ever served by views that check rights and record the download, streamed
# through the process: there is deliberately no MEDIA_URL route, and the bucket stays private
# (never a public ACL or policy, and no view redirects to it).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
S3_BUCKET = env_str("S3_BUCKET").strip()
S3_ADDRESSING_STYLE = env_str("S3_ADDRESSING_STYLE", "auto").strip().lower()
if S3_ADDRESSING_STYLE not in {"auto", "path", "virtual"}:
    raise ImproperlyConfigured(
        f"S3_ADDRESSING_STYLE must be auto, path or virtual, not {S3_ADDRESSING_STYLE!r}"
    )
_document_storage: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config as S3ClientConfig

    _document_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            # Empty: AWS itself. MinIO or another S3 API: its URL, e.g. http://minio:9000.
            "endpoint_url": env_url("S3_ENDPOINT_URL", schemes=("http", "https")) or None,
            "region_name": env_str("S3_REGION").strip() or None,
            # Empty: boto3's own chain (AWS_ACCESS_KEY_ID..., an instance or task role).
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            # Keys under this prefix: one bucket can hold several environments.
            "location": env_str("S3_PREFIX").strip().strip("/"),
            # An issued document is never overwritten: a name taken gets a suffix, as on disk.
            "file_overwrite": False,
            # Objects are private to the bucket's owner; no ACL is ever sent.
            "default_acl": None,
            # Nothing links to the bucket; should anything ever ask a file for its URL, the
            # answer is signed and dies in S3_URL_EXPIRE_SECONDS, never a public address.
            "querystring_auth": True,
            "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 60, minimum=1),
            # A store that cannot be reached fails a request in seconds, not minutes.
            "client_config": S3ClientConfig(
                s3={"addressing_style": S3_ADDRESSING_STYLE},
                signature_version="s3v4",
                connect_timeout=5,
                read_timeout=30,
                retries={"mode": "standard", "max_attempts": 3},
            ),
            # Documents are small (tens of KB to a few MB): one request each, no thread pool.
            "transfer_config": TransferConfig(use_threads=False),
        },
    }
STORAGES = {
    "default": _document_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Celery: Redis when REDIS_URL is set; otherwise tasks run in process, so a first run
# needs nothing else installed.
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# Nothing lost (docs/pipeline.md): a message is acknowledged only when its task has finished,
# and put back if the worker process running it dies; each process reserves one at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task is stopped after the time limit (soft: an exception it records; hard: the process is
# killed). Both stay well below the broker's visibility timeout, after which Redis hands an
# unacknowledged message to another worker: a task is never redelivered while it still runs.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=2)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 1800, minimum=60),
    # A broker that is down answers within seconds: a request never waits on it.
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A worker that loses the broker stops its running tasks: their messages come back anyway.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# WeasyPrint keeps ~35 KB per PDF in native caches even with a shared FontConfiguration
# (measured by `make bench`): recycle each worker process after this many tasks.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 400, minimum=1)
# And whatever the count, a child that has grown past this (KB: 250 MB) is replaced once its
# task ends: WeasyPrint's caches grow with each new document (measured by `make bench`).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", 250_000, minimum=50_000
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Jobs whose message never reached a worker, or whose worker died: send them again.
    "sweep-outbox": {
        "task": "governance.outbox.tasks.sweep_outbox",
        "schedule": env_int("OUTBOX_SWEEP_SECONDS", 60, minimum=1),
    },
    # Content can change with the date alone (a subscription starts or ends): refresh nightly.
    "refresh-notices-nightly": {
        "task": "notices.tasks.render_all_notices",
        "schedule": crontab(hour=2, minute=30),
    },
    # Pending signatures, schools newly party to an agreement, and reviews falling due.
    "agreement-reminders-daily": {
        "task": "agreements.tasks.send_due_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Suppliers' due-diligence reviews and agreements: overdue, or due within 30 days.
    "review-digest-daily": {
        "task": "governance.tasks.send_review_digest",
        "schedule": crontab(hour=7, minute=30),
    },
}
# The outbox (governance/outbox): how jobs are retried, re-sent and reported.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5, minimum=1)
OUTBOX_RETRY_BACKOFF_SECONDS = env_int("OUTBOX_RETRY_BACKOFF_SECONDS", 30, minimum=1)
OUTBOX_RETRY_BACKOFF_MAX_SECONDS = 3600
# A job sent this long ago and still waiting, with the broker's queue empty, is sent again.
OUTBOX_RESEND_SECONDS = env_int("OUTBOX_RESEND_SECONDS", 120, minimum=1)
# Open jobs due longer ago than this show as overdue to staff and in /healthz.
OUTBOX_OVERDUE_SECONDS = env_int("OUTBOX_OVERDUE_SECONDS", 900, minimum=1)
OUTBOX_SEND_CHUNK = 500
HEALTHCHECK_BROKER_TIMEOUT = env_int("HEALTHCHECK_BROKER_TIMEOUT", 2, minimum=1)

# The API (/api/v1/): tokens for systems (ApiToken, issued in the admin), the session for the
# browser; 401 without either. Lists paginated, filtered and ordered; calls counted per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "governance.api.pagination.Pages",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["governance.api.throttling.CallerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"caller": env_str("API_RATE_LIMIT", "600/minute")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Data sharing governance API",
    "DESCRIPTION": "The registry of who receives which school data, why, on which lawful basis, "
    "how often and for how long; and the notices and agreements made from it.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RecordAudienceEnum": "governance.models.register.Audience",
        "NoticeAudienceEnum": "notices.content.Audience",
    },
}

# Data sharing agreements: the seal on signed copies, and reminders.
# Without SEAL_PKCS12_PATH a development PKI is generated in SEAL_DEV_DIR on first use.
SEAL_PKCS12_PATH = env_str("SEAL_PKCS12_PATH")
SEAL_PKCS12_PASSWORD = env_str("SEAL_PKCS12_PASSWORD")
SEAL_TIMESTAMP_URL = env_url("SEAL_TIMESTAMP_URL", schemes=("http", "https"))
SEAL_TRUST_ROOTS = env_str("SEAL_TRUST_ROOTS")
SEAL_DEV_DIR = Path(env_str("SEAL_DEV_DIR", str(BASE_DIR / "var" / "dev-seal")))
AGREEMENT_REMINDER_DAYS = env_int("AGREEMENT_REMINDER_DAYS", 7, minimum=1)
AGREEMENT_REVIEW_WARNING_DAYS = env_int("AGREEMENT_REVIEW_WARNING_DAYS", 30, minimum=1)
# A DPO who signed in longer ago than this types their password again to sign.
SIGNING_REAUTH_SECONDS = 600
VERIFY_UPLOAD_MAX_BYTES = env_int("VERIFY_UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "governance@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    # WeasyPrint logs every layout step at INFO; keep its warnings only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING", "propagate": False},
        "fontTools": {"level": "WARNING"},
        # One line per trigger at every migrate otherwise.
        "pgtrigger": {"level": "WARNING"},
    },
}
