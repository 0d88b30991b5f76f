"""Settings for the claim-verification workbench: one module, every knob from the environment.

Values come from the process environment, then from the git-ignored `.env` file beside
manage.py that `./scripts/run` writes for development (DJANGO_DEBUG=1 and a generated
SECRET_KEY); a variable set in the environment always wins over the file. django-environ
reads the file and casts the values; dj-database-url parses DATABASE_URL. A production
checkout has no `.env` (DJANGO_ENV_FILE names another file, or is empty for none), so there
a missing SECRET_KEY still stops the start.

Environment:
    DATABASE_URL   postgres://user@host:5432/name (production) — default: SQLite in var/
    SECRET_KEY     required unless DJANGO_DEBUG=1
    DJANGO_DEBUG   1 for development (enables a throwaway secret key and DEBUG)
    DJANGO_ENV_FILE  the file read for development settings (default: .env; empty: none)
    ALLOWED_HOSTS  comma-separated host names (default: localhost names when debugging)
    BEHIND_PROXY   1 behind one TLS-terminating proxy: trust its X-Forwarded-Proto/-For
    EMAIL_URL      smtp+tls://user:password@host:587 for password resets (none: reset is off)
    IMPORT_MAX_FILE_BYTES  largest article file accepted (default 5 MB)
    IMPORT_ZIP_*, IMPORT_CLAIM_*, …  upload and background-import limits (see below, README)
    OUTBOUND_ALLOW_PRIVATE_URLS  let webhooks and captures reach private addresses (tests)
    WEBHOOK_*      webhook delivery: timeout, retries (see below, README)
    SITE_URL       the workbench's public address, for links in webhook payloads
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
ENV_FILE = env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE)  # a missing file is no error; the environment wins

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# As it is: django-environ would read a value starting with "$" as another variable's name.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment "
            "(or DJANGO_DEBUG=1 for a local development server; ./scripts/run writes both "
            "into .env)."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

# An empty value means the default, as an unset one does.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[]) or (
    ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)

INSTALLED_APPS = [
    "workbench.apps.WorkbenchConfig",
    "sources.apps.SourcesConfig",
    "imports.apps.ImportsConfig",
    "claims.apps.ClaimsConfig",
    "families.apps.FamiliesConfig",
    "desk.apps.DeskConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "simple_history",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api.apps.ApiConfig",
    "webhooks.apps.WebhooksConfig",
    "evidence.apps.EvidenceConfig",
    "publishing.apps.PublishingConfig",
    "notifications.apps.NotificationsConfig",
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
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling first
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "workbench.urls"
WSGI_APPLICATION = "workbench.wsgi.application"
ASGI_APPLICATION = "workbench.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["workbench.templatetags.workbench_tags"],
        },
    },
    {
        # Hot fragments only (the queue's rows): workbench/jinja2.py says why.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "workbench.jinja2.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env.int("DB_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the dev server read while the worker writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Tests get a file, not shared-cache memory: threads then wait for locks (the timeout)
    # instead of failing at once, as they do in production. One file per test process.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "workbench.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # collectstatic target, served by WhiteNoise
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]

# Content Security Policy from day one: no inline script or style without a nonce, no CDN.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# The REST API (api/): tokens or the session, the web's permissions, JSON only (the browsable
# API would need inline scripts), errors as {"error": {"code", "message"}}, a budget per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_THROTTLE_RATE", default="600/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # ?format= is the export's format (csv, jsonl, …), as on the web: not DRF's renderer pick.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Claim workbench API",
    "DESCRIPTION": "The triage queue, claims and the work on them. Authenticate with "
    "`Authorization: Bearer <token>` (create one on your API tokens page).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=5 * 1024 * 1024)
# Uploaded zips (sources/ingest/archive.py): unpacked size, entries, compression ratio per
# entry. Zips inside zips are refused (nesting depth 0).
IMPORT_ZIP_MAX_TOTAL_BYTES = env.int("IMPORT_ZIP_MAX_TOTAL_BYTES", default=200 * 1024 * 1024)
IMPORT_ZIP_MAX_ENTRIES = env.int("IMPORT_ZIP_MAX_ENTRIES", default=20000)
IMPORT_ZIP_MAX_RATIO = env.float("IMPORT_ZIP_MAX_RATIO", default=100.0)
# Files one upload form may carry (Django's own limit is 100).
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("IMPORT_MAX_UPLOAD_FILES", default=1000)
# Background imports (imports/queue.py, imports/tasks.py).
IMPORT_CLAIM_GROUP = env.int("IMPORT_CLAIM_GROUP", default=20)
IMPORT_CLAIM_TIMEOUT_SECONDS = env.int("IMPORT_CLAIM_TIMEOUT_SECONDS", default=600)
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=3)
IMPORT_FILES_PER_TASK = env.int("IMPORT_FILES_PER_TASK", default=200)
IMPORT_MAX_TASKS_PER_BATCH = env.int("IMPORT_MAX_TASKS_PER_BATCH", default=4)
IMPORT_WORKER_GRACE_SECONDS = env.int("IMPORT_WORKER_GRACE_SECONDS", default=15)
# PDF reports (claims/report_jobs.py): a selection of up to REPORT_PDF_INLINE_CLAIMS claims is
# made in the request (well under a second); larger ones by a db_worker in the background.
REPORT_PDF_INLINE_CLAIMS = env.int("REPORT_PDF_INLINE_CLAIMS", default=50)
REPORT_WORKER_GRACE_SECONDS = env.int("REPORT_WORKER_GRACE_SECONDS", default=15)
# Every db_worker records a beat this often (imports/workers.py); one silent for
# IMPORT_WORKER_DEAD_SECONDS is dead: its tasks end failed, its files go to a live worker.
IMPORT_WORKER_BEAT_SECONDS = env.float("IMPORT_WORKER_BEAT_SECONDS", default=2.0)
IMPORT_WORKER_DEAD_SECONDS = env.float("IMPORT_WORKER_DEAD_SECONDS", default=10.0)

# --- Production hardening: on unless DEBUG, each knob overridable from the environment ---
# Behind a TLS-terminating proxy (nginx, a load balancer) set BEHIND_PROXY=1 so Django trusts
# X-Forwarded-Proto for "is this request secure?" and X-Forwarded-For for the client's address
# (login throttling, below). Only then: a client that reaches Django directly sets both itself.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Sessions live in the database (no state on app servers) and expire after a working day.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=10 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Captured evidence bodies (evidence/): any Django storage backend, S3-compatible ones too.
    "evidence": {
        "BACKEND": env.str(
            "EVIDENCE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json(
            "EVIDENCE_STORAGE_OPTIONS", default={"location": str(VAR_DIR / "evidence")}
        ),
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail, for password resets: EMAIL_URL in django-environ's form, e.g.
# smtp+tls://user:password@smtp.example.org:587 (smtp, smtps, smtp+tls, smtp+ssl, consolemail,
# filemail, memorymail; the password URL-encoded). Unset, development prints mail on the
# console; production has no mailer, so nothing pretends to send: the password reset pages
# say to ask an administrator instead of "sent" (workbench/views.py needs_email), and anything
# else that sends fails loudly (which is what Django's mail.W001 warns of).
# django-environ parses the URL into the EMAIL_* names Django 6.1 deprecates; a mailer of
# MAILERS takes the same values as the backend's own options, renamed here.
MAILER_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_FILE_PATH": "file_path",
}
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    _email = env.email_url("EMAIL_URL")
    _options = {
        option: _email[name]
        for name, option in MAILER_OPTIONS.items()
        if _email.get(name) not in (None, "")
    } | {name.lower(): value for name, value in _email.get("OPTIONS", {}).items()}
    MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _options}}
elif DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {}
    SILENCED_SYSTEM_CHECKS = ["mail.W001"]  # no default mailer: meant, as said above
# Whether mail reaches anyone (dummymail:// drops it: as good as none).
EMAIL_ENABLED = "default" in MAILERS and not EMAIL_URL.startswith("dummymail:")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="workbench@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Login throttling (django-axes): 5 failures for a username from one address lock it for
# 15 minutes; a successful login resets the count.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address, read by django-ipware. Behind the one proxy of BEHIND_PROXY, every
# connection comes from the proxy, so REMOTE_ADDR would put all clients in one lockout; the
# proxy appends the address it saw to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for), and
# that right-most entry is the client. Entries left of it came from the client and are
# ignored. ipware counts the proxies named inside the header, and the one proxy is not among
# them (it is REMOTE_ADDR): a count of 0, not strict, picks the right-most entry whatever a
# client put before it. Without a proxy the header is the client's own word: REMOTE_ADDR only.
if BEHIND_PROXY:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = 0
    # Strict would refuse a header with entries before the proxy's and fall back to the
    # proxy's own address, one lockout shared again.
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    AXES_IPWARE_PROXY_COUNT = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "workbench.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Requests to URLs users give (webhooks, evidence captures; workbench/outbound.py):
# OUTBOUND_ALLOW_PRIVATE_URLS=1 lets them reach loopback, private and link-local addresses
# (tests, development); otherwise only public addresses are requested.
# WEBHOOK_ALLOW_PRIVATE_URLS is the older name, still read (either one allows).
OUTBOUND_ALLOW_PRIVATE_URLS = env.bool("OUTBOUND_ALLOW_PRIVATE_URLS", default=False)
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False)
# Webhooks (webhooks/): signed POSTs of events to the endpoints admins register.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Seconds to wait before each retry of a failed delivery; the last repeats if
# WEBHOOK_MAX_ATTEMPTS (the first attempt included) asks for more.
WEBHOOK_RETRY_DELAYS = env.list("WEBHOOK_RETRY_DELAYS", cast=int, default=[5, 30, 120, 600, 3600])
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
# Evidence captures (evidence/): each read waits EVIDENCE_TIMEOUT_SECONDS (the whole page
# twice that), bodies over EVIDENCE_MAX_BYTES are not kept; archived links are checked again
# every EVIDENCE_RECHECK_DAYS (check_evidence_links).
EVIDENCE_TIMEOUT_SECONDS = env.float("EVIDENCE_TIMEOUT_SECONDS", default=15.0)
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# A captured PDF's text is read from its first EVIDENCE_PDF_MAX_PAGES pages.
EVIDENCE_PDF_MAX_PAGES = env.int("EVIDENCE_PDF_MAX_PAGES", default=200)
EVIDENCE_MAX_REDIRECTS = env.int("EVIDENCE_MAX_REDIRECTS", default=5)
EVIDENCE_RECHECK_DAYS = env.int("EVIDENCE_RECHECK_DAYS", default=30)
# The workbench's public address (https://workbench.example.org): links in webhook payloads
# are absolute with it, paths without it.
SITE_URL = env.str("SITE_URL", default="")
