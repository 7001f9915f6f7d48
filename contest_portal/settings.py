"""Settings for the contest portal, read from the environment.

Development is asked for explicitly with DJANGO_DEVELOPMENT=true (`make run` sets it):
DEBUG on, SQLite under the project, a local-memory cache, a published secret key.
Production sets DJANGO_SECRET_KEY (without it, and without development mode, the
settings refuse to load), DATABASE_URL, REDIS_URL and DJANGO_ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from accounts.oidc_config import providers_from_json, socialaccount_providers
from contest_portal.ops.logs import logging_config
from contest_portal.ops.sentry import init_sentry
from contest_portal.security import frame_ancestors_from_env

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# A developer's copy is asked for, never assumed: a forgotten secret in production
# must stop the start, not mean DEBUG on and a published key.
DEVELOPMENT = env.bool("DJANGO_DEVELOPMENT", default=False)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. In production set it to a long random "
            "value, e.g. the output of: python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'. On a developer's machine set "
            "DJANGO_DEVELOPMENT=true instead (make run does)."
        )
    SECRET_KEY = _DEV_SECRET
DEBUG = env.bool("DJANGO_DEBUG", default=DEVELOPMENT)

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    # Sign-in with an identity provider (accounts/oidc_*.py): only allauth's
    # OpenID Connect flow is served, never its account pages.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "accounts",
    "quizzes",
    "rounds",
    "awards",
    # Before django_tasks_db: its `db_worker` command is shadowed by ours, which
    # outlives a database restart (reports/management/commands/db_worker.py).
    "reports",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id (contest_portal/ops).
    "contest_portal.ops.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "contest_portal.security.SecurityHeadersMiddleware",
    # /healthz, /readyz and /metrics, before the Host header is checked.
    "contest_portal.ops.probes.ProbesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A kept contest page for a visitor with no cookie, before the layers below
    # that have nothing to do for it (rounds/page_cache.py).
    "rounds.page_cache.AnonymousPageMiddleware",
    # An attempt's requests through only the layers they use (rounds/lanes.py).
    "rounds.lanes.LaneMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user read by a statement written once (accounts.middleware).
    "accounts.middleware.SessionUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "contest_portal.bad_input.RefuseMalformedRequestMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into our lockout page.
    "axes.middleware.AxesMiddleware",
]

if env.bool("DJANGO_QUERY_COUNT_HEADER", default=False):
    # Benchmarks read each response's SQL query count from a header.
    MIDDLEWARE.insert(0, "contest_portal.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "contest_portal.urls"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} with its reversed addresses kept (contest_portal/template_urls).
            "builtins": ["contest_portal.template_urls"],
            # {% static %} with its addresses kept (contest_portal/template_static).
            "libraries": {"kept_static": "contest_portal.template_static"},
            "context_processors": CONTEXT_PROCESSORS,
        },
    },
    {
        # The attempt page and the result (contest_portal/jinja.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "contest_portal.jinja.environment",
            "context_processors": [
                *CONTEXT_PROCESSORS,
                "contest_portal.jinja.csrf_once",
            ],
        },
    },
]

WSGI_APPLICATION = "contest_portal.wsgi.application"

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers or test threads share one file: wait for the lock
    # instead of failing at once, and take it at BEGIN so reads never upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# Reports and exports read from a replica when one is given (contest_portal/db_router.py).
DATABASE_ROUTERS = ["contest_portal.db_router.ReplicaRouter"]
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}

# PostgreSQL: a reused connection's health check is skipped while the connection is
# busy (contest_portal/db/busy_health.py).
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["ENGINE"] = "contest_portal.db.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Long exports run as background jobs; `manage.py db_worker` runs them (no extra server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media-khong-cong-khai/"  # never served: files go out through views

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("DJANGO_CACHE_KEY_PREFIX", default="cp"),
        }
    }
    # Django's cache store, an update in one round trip (contest_portal/session_cache).
    SESSION_ENGINE = "contest_portal.session_cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginLockoutBackend",
    "accounts.backends.PhoneOrCitizenIdBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "rounds:home"
LOGOUT_REDIRECT_URL = "rounds:home"

# --- Sign-in with an identity provider (OpenID Connect, accounts/oidc_*.py) ------
# DJANGO_OIDC_PROVIDERS is a JSON list (accounts/oidc_config.py, README
# "Tích hợp / Integration"); empty: the login page offers phone/CCCD only.
SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
    providers_from_json(env.str("DJANGO_OIDC_PROVIDERS", default=""))
)
# The adapters sign a person in through PhoneOrCitizenIdBackend, like a password
# login: AUTHENTICATION_BACKENDS needs no allauth backend.
SOCIALACCOUNT_ADAPTER = "accounts.oidc_adapter.PortalSocialAccountAdapter"
ACCOUNT_ADAPTER = "accounts.oidc_adapter.PortalAccountAdapter"
SOCIALACCOUNT_LOGIN_ON_GET = False  # a sign-in starts with a CSRF-checked POST
SOCIALACCOUNT_AUTO_SIGNUP = False  # a new account answers the first-time questions
SOCIALACCOUNT_STORE_TOKENS = False  # the provider's tokens are never kept
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an email claim never opens an account
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("DJANGO_OIDC_TIMEOUT_SECONDS", default=10)
# allauth's account settings, for a user model with no username; its own login and
# signup pages are never served (accounts/oidc_urls.py).
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"

# Django's validators with Vietnamese messages and a few Vietnamese common passwords.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "accounts.passwords.UserAttributeSimilarityValidator",
        # Django's default attributes (username, first_name...) don't exist here.
        "OPTIONS": {"user_attributes": ("phone", "full_name", "email", "citizen_id")},
    },
    {
        "NAME": "accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.NumericPasswordValidator"},
]

# --- Abuse protection (accounts/lockout.py, contest_portal/ratelimit.py) ----------
# Number of reverse proxies in front of the app that append to X-Forwarded-For;
# 0 trusts only the socket address, so the header cannot be forged.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
# Login lockout: 5 failures for one account from one address lock that pair for
# 15 minutes, on every login form (site, admin, one-time password).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
AXES_CLIENT_IP_CALLABLE = "contest_portal.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # failures are in the admin (Axes tables), not the log
# Request limits per scope: kind -> (requests, seconds). Per-address limits are
# ~300x the per-user ones so a school or office behind one address is never
# refused; per-user limits are ~10x what a real contestant does.
RATE_LIMIT_ENABLED = env.bool("DJANGO_RATE_LIMIT_ENABLED", default=True)
RATE_LIMITS = {
    "register": {"user": (10, 3600), "ip": (3000, 3600)},
    # Answers "this phone/email/CCCD is already registered", per browser session
    # or account and per address: a person who forgot they registered needs one.
    "identity-probe": {"user": (5, 3600), "ip": (1250, 3600)},
    "profile": {"user": (20, 3600), "ip": (6000, 3600)},
    "login": {"user": (20, 600), "ip": (6000, 600)},
    "password-reset": {"ip": (300, 3600)},
    # Asking for a code by SMS and typing one in. Each number has its own, tighter
    # limits (SMS_CODE_*: a minute apart, five a day), which bound what one phone
    # receives; the address limit only has to let a school's hundreds through.
    "sms-send": {"user": (10, 3600), "ip": (2500, 3600)},
    "sms-check": {"user": (20, 3600), "ip": (5000, 3600)},
    "attempt-start": {"user": (20, 60), "ip": (6000, 60)},
    "attempt-save": {"user": (120, 60), "ip": (36000, 60)},
    "attempt-submit": {"user": (10, 60), "ip": (3000, 60)},
    # Registration without JavaScript (accounts.noscript_challenge): each picture of
    # digits drawn and each answer posted, per address. A tenth of "register": a
    # script reads digits far more cheaply than it does the proof of work, which
    # also grows harder per address; few people behind one address lack JavaScript.
    "register-picture": {"ip": (300, 3600)},
    # The read-only JSON API (reports.api): public reads per address, and reads
    # with a token per token, whatever address another system calls from.
    "api": {"ip": (1200, 60), "token": (300, 60)},
}
# Registration proof of work: leading zero bits of SHA-256(challenge + nonce).
# 16 bits is ~65,000 hashes on average: about a second on a cheap phone.
REGISTRATION_CHALLENGE_DIFFICULTY = env.int(
    "DJANGO_REGISTRATION_CHALLENGE_DIFFICULTY", default=16
)
REGISTRATION_CHALLENGE_MAX_AGE = 3600
# The challenge gets harder as one address registers more (accounts.challenge):
# after `free` solved challenges in `window` seconds, one more bit (twice the work)
# per `per_bit` more, up to `max` bits (20 bits: ~15 s on a cheap phone, still
# usable by a school registering its class behind one address).
REGISTRATION_CHALLENGE_RAMP = {
    "window": 3600,
    "free": env.int("DJANGO_REGISTRATION_CHALLENGE_FREE", default=3),
    "per_bit": env.int("DJANGO_REGISTRATION_CHALLENGE_PER_BIT", default=3),
    "max": env.int("DJANGO_REGISTRATION_CHALLENGE_MAX", default=20),
}
# Digits in the picture a browser without JavaScript is asked to read instead of the
# proof of work: 5 (of 8 kinds: no 1 or 7) is one chance in ~33,000 for a blind guess,
# and each guess costs one of the address's "register-picture" requests.
REGISTRATION_PICTURE_DIGITS = 5
# Days a contestant's personal data is kept after the last contest they took part
# in closed; then `manage.py anonymise_closed_contests` replaces it by placeholders.
PERSONAL_DATA_RETENTION_DAYS = env.int(
    "DJANGO_PERSONAL_DATA_RETENTION_DAYS", default=365
)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Django's `vi` formats set no input formats: "03/11/2026" must be 3 November.
FORMAT_MODULE_PATH = ["contest_portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Sessions last a contest week: a login costs a PBKDF2 hash (~0.25 s of CPU).
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "contest_portal.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Probes and Prometheus call the containers over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# --- Running inside another app (contest_portal/security.py) ----------------------
# Origins allowed to show the portal in a frame, e.g. the province's citizen app:
# "https://app.example.gov.vn,https://*.example.gov.vn". Empty: framing is refused
# everywhere. Set, the cookies must travel in a frame (SameSite=None, and
# Partitioned, added by SecurityHeadersMiddleware), which browsers accept only with
# Secure: the portal is then served over HTTPS.
FRAME_ANCESTORS = frame_ancestors_from_env(
    env.list("DJANGO_FRAME_ANCESTORS", default=[])
)
if FRAME_ANCESTORS:
    SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "None"
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend"
    ),
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="cuocthi@localhost")
# Password reset by email is offered only when the deployment can really send mail.
PASSWORD_RESET_BY_EMAIL = DEBUG or bool(EMAIL_HOST)

# The portal's public address, printed (with a QR code) on approved lists and
# certificates so a paper copy can be checked. Development uses runserver's.
SITE_URL = env.str(
    "DJANGO_SITE_URL", default="http://127.0.0.1:8000" if DEBUG else ""
).rstrip("/")

# One-time codes by SMS (accounts.sms, accounts.phone_codes): phone verification,
# for the contests that ask for it, and password reset without email. "" turns SMS
# off; development prints the messages on the console. The HTTP adapter POSTs
# {"to": "+84…", "text": …, "sender": …} as JSON with "Authorization: Bearer <token>".
SMS_BACKEND = env.str(
    "DJANGO_SMS_BACKEND", default="accounts.sms.ConsoleBackend" if DEBUG else ""
)
SMS_HTTP_URL = env.str("DJANGO_SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("DJANGO_SMS_HTTP_TOKEN", default="")
SMS_HTTP_SENDER = env.str("DJANGO_SMS_HTTP_SENDER", default="")  # the brand name
SMS_HTTP_TIMEOUT = env.float("DJANGO_SMS_HTTP_TIMEOUT", default=10.0)
SMS_CODE_DIGITS = 6
SMS_CODE_TTL_SECONDS = env.int("DJANGO_SMS_CODE_TTL_SECONDS", default=300)
# Per number and purpose: one code a minute, five a day; five wrong tries void a code.
SMS_CODE_RESEND_SECONDS = env.int("DJANGO_SMS_CODE_RESEND_SECONDS", default=60)
SMS_CODE_MAX_PER_DAY = env.int("DJANGO_SMS_CODE_MAX_PER_DAY", default=5)
SMS_CODE_MAX_TRIES = env.int("DJANGO_SMS_CODE_MAX_TRIES", default=5)

# Request size limits: a body over these is a 400, never read into memory whole.
# Uploaded files are not counted here; the importers cap their own size (5 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_BYTES", default=2621440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DJANGO_DATA_UPLOAD_MAX_FIELDS", default=1000)
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Suspicion flags shown to judges (awards.suspicion); never an automatic rejection.
# Offices and schools register many staff from one address: keep this generous.
SUSPICION_ADDRESS_ACCOUNTS = env.int("SUSPICION_ADDRESS_ACCOUNTS", default=20)
SUSPICION_ADDRESS_WINDOW_MINUTES = env.int(
    "SUSPICION_ADDRESS_WINDOW_MINUTES", default=60
)
SUSPICION_SAME_ANSWERS_SECONDS = env.int("SUSPICION_SAME_ANSWERS_SECONDS", default=3)
# Prediction clusters (awards.suspicion_predictions): at least ..._ACCOUNTS accounts
# of one address, or of one registration burst (each registered at most
# ..._BURST_SECONDS after the previous one), whose counted predictions crowd a range
# ..._DENSITY times more densely than the rest of the round's (the bar rises with
# the group's size). Lower density flags more: honest offices start to show.
SUSPICION_PREDICTION_ACCOUNTS = env.int("SUSPICION_PREDICTION_ACCOUNTS", default=5)
SUSPICION_PREDICTION_DENSITY = env.int("SUSPICION_PREDICTION_DENSITY", default=15)
SUSPICION_PREDICTION_BURST_SECONDS = env.int(
    "SUSPICION_PREDICTION_BURST_SECONDS", default=120
)

# --- Operations (contest_portal/ops, README "Vận hành / Operations") --------------
# Logs: time, level, logger and request id on every line; JSON lines on request.
LOGGING = logging_config(
    json=env.bool("DJANGO_LOG_JSON", default=False),
    level=env.str("DJANGO_LOG_LEVEL", default="INFO"),
)

# Prometheus metrics (django-prometheus) at /metrics, to these addresses or networks
# only (as contest_portal.client_ip sees the client). Several gunicorn workers add
# theirs up through PROMETHEUS_MULTIPROC_DIR (contest_portal/ops/metrics.py).
METRICS_ENABLED = env.bool("DJANGO_METRICS", default=True)
METRICS_ALLOWED_IPS = env.list(
    "DJANGO_METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"]
)
# Finer than django-prometheus's default (10 ms and up): most queries take less.
PROMETHEUS_LATENCY_BUCKETS = (
    *(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5),
    *(1.0, 2.5, 5.0, 10.0, 30.0, float("inf")),
)
if METRICS_ENABLED:
    # Outermost and innermost but for django-axes, which stays last.
    MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    MIDDLEWARE.insert(
        MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
        # django-prometheus's, its series looked up once (contest_portal/ops).
        "contest_portal.ops.measured.PrometheusAfterMiddleware",
    )
    _MEASURED_ENGINES = {
        "contest_portal.db.postgresql": "contest_portal.db.postgresql_measured",
        "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
    }
    for _database in DATABASES.values():
        _database["ENGINE"] = _MEASURED_ENGINES.get(
            _database["ENGINE"], _database["ENGINE"]
        )
    for _cache in CACHES.values():
        if _cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
            _cache["BACKEND"] = "contest_portal.ops.cache.RedisCache"

# Error reports to Sentry or a compatible service (GlitchTip) when a DSN is given.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN,
        environment=env.str(
            "SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"
        ),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
