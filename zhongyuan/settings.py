"""Settings for the district work-target tracker.

Everything that differs between a developer's laptop and production is read from the
environment through the small typed helpers below, which fail loudly on a bad value.
SQLite is the zero-setup default; set DATABASE_URL for PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"environment variable {name} is required")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# A development key is allowed only with DEBUG on; production must set its own.
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-only-for-debug" if DEBUG else None)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "zhongyuan.apps.AuthConfig",  # django.contrib.auth, named 用户与权限 in the admin
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "simple_history",
    "zhongyuan.apps.AxesConfig",  # axes, named 登录安全 in the admin
    "common",  # shared helpers and template tags; no models
    "targets",
    "projects",
    "entry",  # the data-entry pipeline; no models (its admin registers the kernel's figures)
    "reports",
    "planning",
    "supervision",
    "public",
    "notices",
    "todo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (static files come precompressed from WhiteNoise, above). Before every
    # middleware below that reads or changes the body. BREACH: the CSRF token in a page is masked
    # afresh for every response, and Django's GZip adds random padding ("Heal The Breach"), so
    # response lengths do not give a secret away (README, "Compression").
    "django.middleware.gzip.GZipMiddleware",
    # Cache-Control: private and the Content-Security-Policy on every page, download and error page.
    "zhongyuan.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # LocaleMiddleware without Accept-Language: Chinese unless the user picked English.
    "zhongyuan.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A URL over MAX_URL_LENGTH gets our 414 page (zhongyuan/errors.py).
    "zhongyuan.errors.LongUrlMiddleware",
    "zhongyuan.errors.MethodNotAllowedPageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "zhongyuan.urls"

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

WSGI_APPLICATION = "zhongyuan.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env_str("CONN_MAX_AGE", "60")),
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A district's data fits in the server's memory, so reading a row by its index costs about as
    # much as reading it in sequence. With PostgreSQL's default (4, for spinning disks) the planner
    # reads a whole table to find a project group's few hundred projects (10 ms where the index
    # takes 1). Set per connection, so a DBA's own setting for other databases stays as it is.
    try:
        _page_cost = float(env_str("PG_RANDOM_PAGE_COST", "1.1"))
    except ValueError:
        raise ImproperlyConfigured("PG_RANDOM_PAGE_COST must be a number, e.g. 1.1") from None
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        filter(None, [_options.get("options", ""), f"-c random_page_cost={_page_cost}"])
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Chinese is the default and the language of the data; English has a complete catalogue in
# locale/en (tests check that every string is translated). The page language comes only from the
# cookie set by the header's language switcher (django's set_language view), never from the
# browser's Accept-Language: see zhongyuan/middleware.py.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates per language (DATE_FORMAT, YEAR_MONTH_FORMAT): zhongyuan/formats/<lang>/formats.py, else Django's.
FORMAT_MODULE_PATH = ["zhongyuan.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # a choice made once is kept
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.min.js comes from the installed plotly package, never from a CDN or a copy in git.
    "zhongyuan.staticfinders.PlotlyFinder",
]
# Uploaded evidence (supervision/evidence.py), stored through the default storage. There is no
# MEDIA_URL: files are served only by a view that checks who asks.
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, precompressed names need `collectstatic`; the test suite and the
        # development server run without it.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Rendered progress pages are cached (see targets/pagecache.py); 0 turns the page cache off.
PAGE_CACHE_SECONDS = int(env_str("PAGE_CACHE_SECONDS", "600"))
# One cache. With REDIS_URL: Django's Redis backend, shared by every server process (pages and
# sessions); without it: each process's own memory. Nothing is kept only there: a cached page is
# checked against its plan's data version in the database, sessions are written to the database.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    _db = DATABASES["default"]
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # One Redis may serve several installations: keys are kept apart by database.
            "KEY_PREFIX": env_str("REDIS_KEY_PREFIX", f"zy:{_db.get('HOST') or ''}:{_db['NAME']}"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # Sessions read from Redis, written through to the database.
    SESSION_ENGINE = "zhongyuan.sessions"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(env_str("PAGE_CACHE_ENTRIES", "2000"))},
        }
    }
    # A per-process cache would keep a logged-out session alive in the other server processes.
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = int(env_str("SESSION_COOKIE_AGE", str(8 * 3600)))
# HTTPS settings for production behind TLS; off by default for a plain-HTTP intranet.
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours, each appending to X-Forwarded-For, stand in front of the server;
# used only behind a proxy (zhongyuan/clientip.py), otherwise the header is ignored.
TRUSTED_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", "1")) if BEHIND_TLS_PROXY else 0
if BEHIND_TLS_PROXY and TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be at least 1 with BEHIND_TLS_PROXY")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
X_FRAME_OPTIONS = "DENY"
# No inline script, no eval, nothing from another site (zhongyuan/middleware.py). Styles may be
# inline: plotly.js styles its charts with <style> elements and style attributes, and so does the
# admin. Data blocks (<script type="application/json">) are not executed and need no permission.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
# Our page for a form refused by the CSRF check, in the user's language (zhongyuan/errors.py).
CSRF_FAILURE_VIEW = "zhongyuan.errors.csrf_failure"
# Longest URL (path and query string, in bytes) served; a longer one gets our 414 page. gunicorn
# (gunicorn.conf.py) accepts request lines up to 8190 bytes, so this page is what a user sees.
MAX_URL_LENGTH = int(env_str("MAX_URL_LENGTH", "4096"))

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name from
# one address, that pair is locked for AXES_COOLOFF_HOURS. Per pair, not per address, so one
# mistyping colleague cannot lock out a whole office behind the same intranet address.
AXES_FAILURE_LIMIT = int(env_str("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env_str("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The address: REMOTE_ADDR, or behind our proxies the one they put in X-Forwarded-For (zhongyuan/clientip.py).
AXES_CLIENT_IP_CALLABLE = "zhongyuan.clientip.client_ip"

# bootstrap5 with the table in a labelled horizontal scroll box (templates/django_tables2/scroll.html).
DJANGO_TABLES2_TEMPLATE = "django_tables2/scroll.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Email (reminders to units). The console backend prints messages instead of sending them.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# Notices (notices/service.py): each is e-mailed to its recipient unless NOTICE_EMAIL=0; a unit's
# group robot (admin: 群机器人) gets a JSON POST waiting at most NOTICE_WEBHOOK_TIMEOUT seconds.
# SITE_URL (e.g. https://zdgz.example.gov.cn) puts a full link to the page into mails and robots.
NOTICE_EMAIL = env_bool("NOTICE_EMAIL", True)
NOTICE_WEBHOOK_TIMEOUT = float(env_str("NOTICE_WEBHOOK_TIMEOUT", "3"))
SITE_URL = env_str("SITE_URL", "")
