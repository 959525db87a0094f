"""Settings for the data-flow registry, driven by environment variables.

Development works with no variable set (embedded SQLite, DEBUG on). Production sets
SECRET_KEY, DEBUG=0, ALLOWED_HOSTS and DATABASE_URL (PostgreSQL); README.md, "Deploying",
lists the rest.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable when DEBUG is off.")
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")
# Set only when a reverse proxy terminates TLS and is the only way in: then its
# X-Forwarded-Proto and X-Forwarded-For are believed, and no one else's.
BEHIND_PROXY = _env_bool("BEHIND_PROXY", False)

INSTALLED_APPS = [
    "registry.apps.RegisterAdminConfig",  # django.contrib.admin, one address made safe
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "registry",
    "flows",
    "registry.onboarding",
    "flows.reviews",
    "registry.public",
    "django_tasks",
    "django_tasks_db",
    "registry.jobs",
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
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "registry.web.headers.PermissionsPolicyMiddleware",
    "registry.web.headers.NoStoreForUsersMiddleware",
    # Last, so that it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"

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
                "registry.context_processors.organisation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
# SQLite, the embedded default, under writes: WAL lets pages read while an import writes;
# a writer waits up to SQLITE_BUSY_TIMEOUT seconds for another to finish, and takes the lock
# at BEGIN ("IMMEDIATE") so that the wait happens there, not as a failure halfway through a
# transaction that began reading. Commands that still cannot get the lock say so in one line.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# One cache shared by every worker and machine: the database's own table (made by the
# public app's migration), so nothing else has to run. The public list and feed keep what they
# show there until the register changes (registry/public/cache.py). Past MAX_ENTRIES a write
# first drops the expired entries (stale versions expire within minutes), then a third.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "registry_cache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# django-axes counts failed log-ins (the login page and the admin's) per user name and
# address together: after AXES_FAILURE_LIMIT of them that pair is locked out for
# AXES_COOLOFF_TIME, each further try restarting the wait. `manage.py axes_reset_username
# NAME` or the admin's "Access attempts" page lifts a lockout sooner.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "registry.web.headers.client_ip"
# A session ends after this many seconds without a request; each request restarts the clock.
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(8 * 60 * 60)))
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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
# Uploaded agreements are evidence, never public: kept outside the static root and served
# only through views that check permissions.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "uploads"))
MEDIA_URL = "/uploads/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# What one vendor onboarding may hold: how many documents, and how many bytes in all.
ONBOARDING_MAX_DOCUMENTS = int(os.environ.get("ONBOARDING_MAX_DOCUMENTS", "10"))
ONBOARDING_MAX_UPLOAD_BYTES = int(
    os.environ.get("ONBOARDING_MAX_UPLOAD_BYTES", str(25 * 1024 * 1024))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# The sender of every e-mail (vendor links, reviewers' notices). Vendors receive them from
# outside: production must set an address of the organisation's own domain.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "privacy@localhost")

if not DEBUG:
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    if BEHIND_PROXY:
        # Without a proxy that sets it, a client could forge the header and be taken for
        # HTTPS, skipping the redirect.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Every page: scripts, styles, images and fonts from the site itself, nothing inline, no
# framing. SVG downloads set their own, stricter policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Features no page uses, refused to the page and anything it could embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "usb",
    )
}  # fmt: skip

# The register's own data files: the fideslang taxonomy and the jurisdiction tables.
REGISTRY_DATA_DIR = BASE_DIR / "flows" / "data"
# How many days ahead the dashboard calls an agreement "expiring soon".
EXPIRING_SOON_DAYS = 90
# A register of at most this many live flows is evaluated whole inside the request that
# changed it or asked first on a new day (a fraction of a second); a larger one in a
# background task, while pages say that the findings are being refreshed.
FINDINGS_INLINE_FLOWS = int(os.environ.get("FINDINGS_INLINE_FLOWS", "2000"))

# Legal review (flows/reviews): accepting the risk of a critical finding takes a second
# reviewer's confirmation (four eyes); REVIEW_FOUR_EYES=0 lets one reviewer accept alone.
REVIEW_FOUR_EYES = _env_bool("REVIEW_FOUR_EYES", True)

# The public sub-processor list (registry/publication.py): a processor a reviewer approves is
# announced on the notice date and listed this many days later, the period in which
# customers may object (GDPR Art. 28(2)).
PUBLICATION_NOTICE_DAYS = int(os.environ.get("PUBLICATION_NOTICE_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

FORMAT_MODULE_PATH = ["registry.formats"]

# Background jobs (registry/jobs): tasks wait in the database until `manage.py db_worker`
# runs them (`make run` and `make serve` start one). No broker to run, and every web worker
# and task worker on every machine sees the same queue, on SQLite or PostgreSQL. The tests
# run each task at once, in the test's process (tests/conftest.py).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}
