"""Atrium settings: every value comes from the environment, with a safe, documented default.

The table of variables lives in README.md; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp import constants as csp
from kombu import Queue

from identity.signing_keys import load_key_ring
from portal.running_portal import running_portal

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean: use true or false")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def load_or_create_secret_key(data_dir: Path) -> str:
    """A key kept in the data directory, so sessions survive restarts without any set-up."""
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    # O_EXCL: if two processes race on a new data directory, both end up with the winner's key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env_str("ATRIUM_DATA_DIR", str(BASE_DIR / "var"))).expanduser().resolve()
# A process beside a running `manage.py up` on the same data directory (a command, a shell) joins
# the portal it runs: its Redis and its URL, unless the environment names them.
RUNNING_PORTAL = running_portal(DATA_DIR)
SECRET_KEY = os.environ.get("SECRET_KEY") or load_or_create_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS hardening is on unless DEBUG is; `manage.py up` turns it off for a loopback-only demo.
HTTPS = env_bool("ATRIUM_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("ATRIUM_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every page (django-csp): scripts come from this origin, or are inline
# ones carrying the request's nonce (`nonce="{{ request.csp_nonce }}"`), never inline handlers;
# no page may be framed, no plugins, no <base> pointing elsewhere. Styles may be inline (the
# templates' <style> blocks, Swagger UI's) and images data: URIs (Swagger UI's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}

# --- Applications -------------------------------------------------------------------------------
# `tenants` comes before `django_tenants` so that its create_tenant / delete_tenant commands win.
SHARED_APPS = [
    "tenants",
    "django_tenants",
    "portal",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "oauth2_provider",
    "mozilla_django_oidc",
    "identity",
    "audit",
    "models_catalog",
    "gateway",
    "metering",
    "budgets",
    "knowledge",  # also a tenant app: pooled store here, siloed ones in each tenant's schema
    "guardrails",  # also a tenant app: the platform's floor here, each tenant's policy there
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "activity",
    "knowledge",
    "playground",
    "guardrails",
    "evaluation",
    "response_store",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
TENANT_SUBFOLDER_PREFIX = "t"
PUBLIC_SCHEMA_URLCONF = "portal.urls_public"
ROOT_URLCONF = "portal.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Set a connection's search_path once per schema change, not before every query: django-tenants
# forgets what it set whenever the schema changes, the connection closes or a transaction rolls
# back, so a pooled connection always gets the request's schema.
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    "portal.outages.DependencyOutages",  # outermost: probes, and 503s while a store is down
    "portal.input_guard.RefuseUnstorableInput",  # before the path or a form reaches a query
    "portal.middleware.TenantSubfolderRouting",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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

ASGI_APPLICATION = "portal.asgi.application"
WSGI_APPLICATION = "portal.wsgi.application"

# --- Database -----------------------------------------------------------------------------------
# DATABASE_URL names a real server; without it, an embedded PostgreSQL 16 + pgvector (the `pgserver`
# wheel) lives in DATA_DIR/pg and is started on demand by the first connection of any process.
# Under ASGI every request runs its database work in a thread of its own, so connections come
# from a pool (psycopg_pool) rather than living with threads. Processes that fork after start-up
# (Celery's prefork workers) turn the pool off with ATRIUM_DB_POOL=false; `up` does that for them.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# While the database is down a request waits at most DATABASE_POOL_TIMEOUT seconds for a
# connection (then answers 503), and the pool gives up a reconnection attempt after
# DATABASE_RECONNECT_SECONDS, so that the next request tries again at once.
DATABASE_POOL = (
    {
        "min_size": 2,
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", 20),
        "timeout": float(env_str("DATABASE_POOL_TIMEOUT", "3")),
        "reconnect_timeout": float(env_str("DATABASE_RECONNECT_SECONDS", "10")),
    }
    if env_bool("ATRIUM_DB_POOL", True)
    else None
)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, engine="portal.db")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "portal.db",
            "NAME": "atrium",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "EMBEDDED_PGDATA": str(DATA_DIR / "pg"),
        }
    }
DATABASES["default"]["CONN_MAX_AGE"] = 0
# A pooled connection that died with the server is dropped when taken, not used for a request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault(
    "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 3)
)
if DATABASE_POOL:
    DATABASES["default"]["OPTIONS"]["pool"] = DATABASE_POOL
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and Celery ---------------------------------------------------------------------------
REDIS_URL = env_str(
    "REDIS_URL", RUNNING_PORTAL.redis_url if RUNNING_PORTAL else "redis://127.0.0.1:6379/0"
)
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# How often queued usage events are written to the database (they wait in Redis meanwhile).
USAGE_RECORD_SECONDS = float(env_str("USAGE_RECORD_SECONDS", "2"))
# Hourly and daily usage rollups, refreshed every USAGE_ROLLUP_SECONDS (incremental).
USAGE_ROLLUP_SECONDS = float(env_str("USAGE_ROLLUP_SECONDS", "60"))
# How far the rollups trail the clock, so that an event committed late is never skipped.
USAGE_ROLLUP_LAG_SECONDS = env_int("USAGE_ROLLUP_LAG_SECONDS", 30)
# The export for finance: Parquet files on S3 (any S3-compatible endpoint), once a day. No bucket:
# no export.
USAGE_EXPORT_BUCKET = env_str("USAGE_EXPORT_BUCKET", "")
USAGE_EXPORT_PREFIX = env_str("USAGE_EXPORT_PREFIX", "atrium")
USAGE_EXPORT_ENDPOINT_URL = env_str("USAGE_EXPORT_ENDPOINT_URL", "") or None
USAGE_EXPORT_REGION = env_str("USAGE_EXPORT_REGION", "us-east-1")
# Knowledge bases: the largest file accepted for ingestion, and the answer cache's lifetime.
KNOWLEDGE_MAX_UPLOAD_BYTES = env_int("KNOWLEDGE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
KNOWLEDGE_ANSWER_CACHE_SECONDS = env_int("KNOWLEDGE_ANSWER_CACHE_SECONDS", 3600)
KNOWLEDGE_SEMANTIC_CACHE_THRESHOLD = float(env_str("KNOWLEDGE_SEMANTIC_CACHE_THRESHOLD", "0.95"))
# An unfinished document untouched this long (its worker died) is queued again by beat.
KNOWLEDGE_STALLED_SECONDS = env_int("KNOWLEDGE_STALLED_SECONDS", 300)
# The currency of budgets: the currency the catalogue's prices are in.
BILLING_CURRENCY = env_str("BILLING_CURRENCY", "USD")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "record-queued-usage": {
        "task": "metering.record_queued_usage",
        "schedule": USAGE_RECORD_SECONDS,
        "options": {"expires": USAGE_RECORD_SECONDS * 5},
    },
    "roll-up-usage": {
        "task": "metering.roll_up_usage",
        "schedule": USAGE_ROLLUP_SECONDS,
        "options": {"expires": USAGE_ROLLUP_SECONDS * 5},
    },
    "reconcile-budgets": {  # the budgets' Redis counters set to PostgreSQL's recorded spend
        "task": "budgets.reconcile_budgets",
        "schedule": float(env_str("BUDGET_RECONCILE_SECONDS", "60")),
        "options": {"expires": 300},
    },
    "resume-stalled-documents": {
        "task": "knowledge.resume_stalled_documents",
        "schedule": 60.0,
        "options": {"expires": 300},
    },
    "purge-invocation-logs": {
        "task": "guardrails.purge_invocations",
        "schedule": crontab(hour=2, minute=30),
    },
    "purge-stored-responses": {
        "task": "response_store.purge_responses",
        "schedule": crontab(hour=2, minute=45),
    },
    "export-usage": {
        "task": "metering.export_usage",
        "schedule": crontab(hour=1, minute=15),  # yesterday's usage, after late events settled
    },
}
# Beat keeps its schedule in Redis (RedBeat) and schedules only while it holds a lock there, so a
# second beat, started by mistake or by a rolling update, waits instead of sending every job twice.
# The holder extends the lock at each tick (at least every BEAT_MAX_LOOP_INTERVAL seconds) and lets
# go of it when it stops; a killed holder's lock expires after REDBEAT_LOCK_TIMEOUT, and a waiting
# beat tries again every BEAT_MAX_LOOP_INTERVAL seconds.
CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 5
CELERY_REDBEAT_REDIS_URL = REDIS_URL
CELERY_REDBEAT_KEY_PREFIX = "atrium:beat"
CELERY_REDBEAT_LOCK_TIMEOUT = 30
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 2)
# Short periodic bookkeeping (usage recording, rollups, budget reconciliation, purges) has a queue
# of its own, served by a worker of its own (`up` starts one), so that a long ingestion never
# delays the recording of usage; everything else goes to Celery's default queue. A worker
# started without -Q serves both.
CELERY_SHORT_QUEUE = "short"
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue(CELERY_TASK_DEFAULT_QUEUE), Queue(CELERY_SHORT_QUEUE))
CELERY_TASK_ROUTES = {
    name: {"queue": CELERY_SHORT_QUEUE}
    for name in (
        "metering.record_queued_usage",
        "metering.roll_up_usage",
        "*.reconcile_*",
        "guardrails.purge_invocations",
        "guardrails.purge_tenant_invocations",
        "response_store.purge_responses",
        "response_store.purge_tenant_responses",
    )
}
# When `up` stops, the web server drains its requests for up to this long, then the workers get
# as long to finish their tasks in hand; then Redis stops, and PostgreSQL last.
SHUTDOWN_SECONDS = env_int("ATRIUM_SHUTDOWN_SECONDS", 30)

# Rate limits for a tenant that sets none (0: unlimited); per model, a grant may set tighter ones.
ATRIUM_DEFAULT_REQUESTS_PER_MINUTE = env_int("ATRIUM_DEFAULT_REQUESTS_PER_MINUTE", 600)
ATRIUM_DEFAULT_TOKENS_PER_MINUTE = env_int("ATRIUM_DEFAULT_TOKENS_PER_MINUTE", 2_000_000)

# Retries of a provider call that failed in a way worth retrying (throttled, 5xx, unreachable),
# with exponential backoff from GATEWAY_BACKOFF_SECONDS, before moving down the fallback chain.
GATEWAY_RETRIES = env_int("GATEWAY_RETRIES", 2)
GATEWAY_BACKOFF_SECONDS = float(env_str("GATEWAY_BACKOFF_SECONDS", "0.25"))

# Images in chat messages: data URLs up to this size; https URLs only where the platform lets
# upstreams fetch them (off: a URL would have the provider reach the internet on a caller's say).
GATEWAY_IMAGE_MAX_BYTES = env_int("GATEWAY_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
GATEWAY_FETCH_IMAGE_URLS = env_bool("GATEWAY_FETCH_IMAGE_URLS", False)
# Chat and Responses bodies may carry such an image: base64 makes it 4/3 larger, and the rest of
# the request needs room too; the other bodies keep Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
GATEWAY_BODY_MAX_BYTES = env_int(
    "GATEWAY_BODY_MAX_BYTES", GATEWAY_IMAGE_MAX_BYTES * 14 // 10 + 1024 * 1024
)

# The Responses API keeps stored responses (for previous_response_id) this many days.
RESPONSES_RETENTION_DAYS = env_int("RESPONSES_RETENTION_DAYS", 30)

# --- Local models (the `local` provider) ---------------------------------------------------
LOCAL_MODELS_DIR = Path(env_str("ATRIUM_LOCAL_MODELS_DIR", str(DATA_DIR / "models")))
LOCAL_CHAT_SLOTS = env_int("ATRIUM_LOCAL_CHAT_SLOTS", 2)
LOCAL_CHAT_CONTEXT = env_int("ATRIUM_LOCAL_CHAT_CONTEXT", 4096)
LOCAL_CHAT_THREADS = env_int("ATRIUM_LOCAL_CHAT_THREADS", 2)
# OpenMP threads (PyTorch's and llama.cpp's share one runtime in a process) spin this many
# turns after each parallel operation, then sleep: libgomp's 300,000 kept the embedding model's
# threads spinning between operations, taking the cores from the event loop and the request's
# other threads (retrieval over HTTP, 10k chunks: p99 52.7 -> 39.7 ms); sleeping at once
# (OMP_WAIT_POLICY=PASSIVE) halved the local chat model's tokens per second, this does not.
# Read when the runtime loads, on a local model's first use.
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

# --- Auth, i18n, static -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/oidc/authenticate/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = [
    "identity.backends.OIDCSignInBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Identity: OpenID Connect ---------------------------------------------------------------------
# Where browsers and programs reach this portal; the built-in provider's issuer is <this>/idp.
PUBLIC_URL = env_str(
    "ATRIUM_PUBLIC_URL", RUNNING_PORTAL.public_url if RUNNING_PORTAL else "http://127.0.0.1:8000"
).rstrip("/")
ACCESS_TOKEN_SECONDS = env_int("ATRIUM_ACCESS_TOKEN_SECONDS", 900)
OIDC_KEYS_DIR = Path(env_str("OIDC_KEYS_DIR", str(DATA_DIR / "oidc-keys")))
OIDC_KEEP_RETIRED_KEYS_SECONDS = env_int("OIDC_KEEP_RETIRED_KEYS_SECONDS", 86400)
_signing_keys = load_key_ring(OIDC_KEYS_DIR)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": f"{PUBLIC_URL}/idp",
    "OIDC_RSA_PRIVATE_KEY": _signing_keys.active,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": list(_signing_keys.published),
    "OIDC_JWKS_MAX_AGE_SECONDS": 300,
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": ACCESS_TOKEN_SECONDS,
    "ID_TOKEN_EXPIRE_SECONDS": ACCESS_TOKEN_SECONDS,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 8 * 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_GENERATOR": "identity.tokens.generate_access_token",
    "REFRESH_TOKEN_GENERATOR": "oauthlib.oauth2.rfc6749.tokens.random_token_generator",
    "OAUTH2_VALIDATOR_CLASS": "identity.provider.AtriumOAuth2Validator",
    "SCOPES": {
        "openid": "Sign you in",
        "profile": "Your name and user name",
        "email": "Your email address",
        "groups": "Your groups",
    },
    "DEFAULT_SCOPES": ["openid"],
    # OAuth 2.0 Security BCP (RFC 9700) throughout: no implicit or password grant, S256 PKCE
    # only, no tokens in URLs, tokens stored hashed, refresh-token replay revokes the family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if HTTPS else ["http", "https"],
}
# The audience our API accepts in access tokens, and the claim that carries it (Cognito access
# tokens carry the app client in `client_id` instead of `aud`).
OIDC_API_AUDIENCE = env_str("OIDC_API_AUDIENCE", "atrium")
OIDC_API_AUDIENCE_CLAIM = env_str("OIDC_API_AUDIENCE_CLAIM", "aud")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_CLOCK_SKEW_SECONDS = env_int("OIDC_CLOCK_SKEW_SECONDS", 30)
# An unknown key id makes us refetch the IdP's JWKS, but not more often than this.
OIDC_JWKS_MIN_REFETCH_SECONDS = env_int("OIDC_JWKS_MIN_REFETCH_SECONDS", 10)
# How long a replica trusts what it read about a service account: a revocation reaches every
# replica within this many seconds (the replica that revokes applies it at once).
ATRIUM_PRINCIPAL_CACHE_SECONDS = env_int("ATRIUM_PRINCIPAL_CACHE_SECONDS", 30)
# An enterprise IdP (Keycloak, Entra ID, Okta, Cognito): its issuer URL (discovery is read from
# <issuer>/.well-known/openid-configuration unless OIDC_DISCOVERY_URL says otherwise) and this
# portal's client there. Without OIDC_ISSUER, people sign in with the built-in provider.
OIDC_ISSUER = env_str("OIDC_ISSUER", "").rstrip("/")
OIDC_DISCOVERY_URL = env_str("OIDC_DISCOVERY_URL", "")
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "atrium-portal")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile groups")
OIDC_USE_PKCE = True
OIDC_STORE_ACCESS_TOKEN = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_AUTHENTICATE_CLASS = "identity.views.SignInStartView"
OIDC_CALLBACK_CLASS = "mozilla_django_oidc.views.OIDCAuthenticationCallbackView"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# WhiteNoise serves the apps' static files straight from their folders: no collectstatic step
# (set STATIC_ROOT to collect them anyway, e.g. for a CDN).
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["kernel.request_json.JsonParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["identity.api_auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["identity.api_auth.IsTenantPrincipal"],
    "EXCEPTION_HANDLER": "portal.api_errors.openai_error_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Atrium API",
    "DESCRIPTION": "The platform API (catalogue, approvals, registry) and each tenant's API "
    "under /t/{tenant}/v1. Authenticate with an OIDC access token: Authorization: Bearer <JWT>.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PiiActionEnum": "guardrails.policy.ACTIONS",
        "ChunkingKindEnum": "knowledge.chunking.CHUNKING_KINDS",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kernel.openapi.declare_error_responses",  # every operation's error statuses
    ],
}

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("LOG_FORMAT", "json")  # or "plain"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "kernel.log_format.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"pgserver": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
# Who may read /metrics (its labels name tenants and models).
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"])
