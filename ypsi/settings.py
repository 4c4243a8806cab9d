"""Settings come from the environment (django-environ) so one checkout runs anywhere.

With nothing set, ypsi runs as production does (DEBUG off): it then needs SECRET_KEY and turns on
the secure cookie and HTTPS settings that `manage.py check --deploy` looks for, so a deployment
that forgets a variable never serves Django's debug page. Development mode is asked for
explicitly (`bin/demo` and the tests set DEBUG=true): embedded defaults, SQLite and a filesystem
Celery broker under ./data, email printed to the console.
"""

import logging
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-key-never-use-in-production")
else:
    # No default: a production site must never run on a published key.
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "Set the SECRET_KEY environment variable: ypsi runs in production mode unless DEBUG=true "
            "is set (bin/demo sets it for the demo)."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "guardian",
    "simple_history",
    "axes",
    # Sign-in, second factors and reauthentication (django-allauth), not written by hand.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "accounts",
    "incidents",
    "referrals",
    "records",
    "ypsi",  # the project package: it wires the apps together (demo data)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ypsi.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ypsi.uploads.RefuseImageryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.permissions.request_scope",  # the user's schools, looked up once per request
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signed out after SESSION_IDLE_MINUTES without a request; then a second factor before
    # anything else for the roles that need one.
    "accounts.security.IdleSessionMiddleware",
    "accounts.security.RequireSecondFactorMiddleware",
    "accounts.security.SecurityHeadersMiddleware",
    "accounts.security.RefusedAccessMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Widget templates (GOV.UK date input) are looked up in templates/ as well as Django's own.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "ypsi.urls"

# R22: no imagery, ever. Every upload is sniffed by its content before anything stores it.
FILE_UPLOAD_HANDLERS = [
    "ypsi.uploads.RefuseImageryUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
WSGI_APPLICATION = "ypsi.wsgi.application"

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
                "accounts.security.session_settings",
            ],
            "string_if_invalid": "",
        },
    }
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'ypsi.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # One connection a process, kept between requests: a new one for each request (Django's
    # default) cost 7-8 ms a page at volume, as much again as a simple page (issue 14); checked
    # at the start of each request, so one the database dropped (a restart, a failover) is
    # replaced before it is used, never failing the request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No server-side cursors: nothing here streams more than it can hold (the largest read, an
    # export's 2,000 incidents, is read whole anyway), and one cost three more round trips for
    # each list of choices (a trust lead's 50 schools: 12 ms of the incident list). A pooler in
    # transaction mode (PgBouncer) needs them off too.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A test database in a file, so that a real Celery worker process can share it in tests.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    # The embedded default beside a worker and beat: IMMEDIATE takes the write lock when a
    # request's transaction begins, so a read-then-write request waits its turn (up to the
    # timeout) instead of failing with "database is locked". Not WAL: in the full test run
    # (worker processes started and killed beside the tests) it left the test database failing
    # with "disk I/O error"; the cause is not yet found.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_TIMEOUT_SECONDS", default=20),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user is not needed: anonymous visitors see nothing but the login page.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lockout (django-axes): failed sign-ins are counted in the database, which every web process
# shares, per account (a school's staff share one address, so the address alone never locks).
# The Django admin, when mounted, signs in through the same page and so the same lockout.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=6)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.security.signing_in_as"
# django-axes warns when the address is not a lockout parameter. Here it must not be: six typos
# among a school's staff behind one address would lock every DSL out of an urgent referral.
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",
    # The dashboard's index (`incident_open`) carries its columns for PostgreSQL's index-only
    # reads; SQLite keeps the index without them, which Django warns of on every command.
    "models.W040",
]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# django-allauth: accounts are made by the school (no sign-up), signed in by username.
ACCOUNT_ADAPTER = "accounts.security.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset asked for an unknown address sends nothing
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
# The weightiest acts (signing off, exporting, changing roles) ask for the password or second
# factor again when the last check is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_SECONDS", default=300)
REAUTHENTICATE_WEIGHTY_ACTS = env.bool("REAUTHENTICATE_WEIGHTY_ACTS", default=not DEBUG)
# Failed passwords per account are django-axes' (in the database); allauth's own limit on
# failures is per address only, for "many from one address", above any one school's typos.
ACCOUNT_RATE_LIMITS = {"login_failed": env.str("LOGIN_FAILURES_PER_ADDRESS", default="60/10m/ip")}
# Single sign-on with the school's own accounts (Microsoft Entra ID, Google Workspace: both
# OpenID Connect), one provider per school or trust, set up as an allauth "social application"
# whose settings name the email domains it answers for. It only signs in someone who already
# has a ypsi account with that email: roles are always given in ypsi, never by the provider.
SOCIALACCOUNT_ADAPTER = "accounts.security.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "ypsi"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# A second factor is required of every safeguarding role, school administrators and admin
# users whenever DEBUG is off; in the demo it is offered, not forced.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=not DEBUG)
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)

# The admin is a second door: mounted only in development or when a setting asks for it.
ADMIN_ENABLED = env.bool("ADMIN_ENABLED", default=DEBUG)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The change reason is a free-text explanation; decided before the first migration.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email: printed to the console unless an SMTP server is configured (EMAIL_URL=smtp://...).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# For EMAIL_URL=filemail:// (a folder of .log files, one per email): where to write them.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ypsi <no-reply@ypsi.invalid>")
# A mail server that accepts the connection and then says nothing fails the send after this
# many seconds (it is tried again later), instead of holding the worker and every alert behind it.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport (no server).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_DATA_DIR = DATA_DIR / "celery"
CELERY_DATA_DIR.mkdir(exist_ok=True)  # beat's schedule file lives here, whatever the broker
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A Redis that does not answer fails a publish in seconds, not the system's minutes; one
    # that takes the connection and then stalls, after socket_timeout (without it: for ever).
    # The worker's own wait for tasks is kombu's event loop, which this timeout does not touch.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = f"file://{CELERY_DATA_DIR / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
    }
    # kombu's filesystem transport does not create its folders; a fresh machine has none.
    for _folder in ("queue", "control", "processed", "results"):
        (CELERY_DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
# The cache holds the rate limits (the pupil search's, allauth's sign-in and email limits):
# with REDIS_URL, one Redis for every web process and machine, so a limit is the trust's and
# not each process's; without it (the demo, bin/test), each process's memory. A Redis that is
# down or stalled is ignored after a second (django-redis's IGNORE_EXCEPTIONS): nothing is
# limited meanwhile, rather than a concern going unreported for a cache (RATELIMIT_FAIL_OPEN).
REDIS_CACHE = {
    "BACKEND": "django_redis.cache.RedisCache",
    "KEY_PREFIX": "ypsi-cache",
    "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
}
if REDIS_URL:
    CACHES = {"default": REDIS_CACHE | {"LOCATION": REDIS_URL}}
RATELIMIT_FAIL_OPEN = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
CELERY_TASK_ACKS_LATE = True
# Publishing follows a person's request (a report): one attempt, no retry loop. With the broker
# down the rows wait in the database for the periodic sweep; the person does not wait.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
# No one waits for a task's result (the work is recorded in rows), so publishing never touches
# the result backend either; `ping` keeps its result for the round-trip tests.
CELERY_TASK_IGNORE_RESULT = True
# Workers and beat reconnect by themselves, however long the broker is down.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Every task is stopped if it overruns: SoftTimeLimitExceeded first, so it can give back what it
# claimed, then killed 30 s later (the prefork pool; the solo pool of the demo cannot, and relies
# on EMAIL_TIMEOUT). No sweep needs this long; the next one goes on where it stopped.
TASK_TIME_LIMIT_SECONDS = env.int("TASK_TIME_LIMIT_SECONDS", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = TASK_TIME_LIMIT_SECONDS
CELERY_TASK_TIME_LIMIT = TASK_TIME_LIMIT_SECONDS + 30
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "beat-schedule")
# Periodic sweeps over state in the database: deadlines live in rows, not in queued messages,
# so nothing is lost if the broker or a worker is down when something falls due. Sending what
# is pending is cheap and runs every SEND_INTERVAL_SECONDS; the chase (R24) steps in days and
# runs every CHASE_SWEEP_SECONDS (bench/sweep.py: about 20 s over 100,000 overdue deletions).
SEND_INTERVAL_SECONDS = env.int("SEND_INTERVAL_SECONDS", default=60)
CHASE_SWEEP_SECONDS = env.int("CHASE_SWEEP_SECONDS", default=900)
# A notification claimed by a worker that then died is sent again after this long.
NOTIFICATION_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFICATION_CLAIM_TIMEOUT_SECONDS", default=600)
# A notification not sent this long after it was made is late: /health/ reports it as degraded.
NOTIFICATION_LATE_SECONDS = env.int("NOTIFICATION_LATE_SECONDS", default=900)
# R24: after a deadline, remind the DSL every CHASE_INTERVAL_DAYS; once it is more than
# CHASE_HEADTEACHER_AFTER_DAYS overdue, the headteacher too. Decisions wait for sign-off
# CHASE_SIGN_OFF_AFTER_DAYS before the headteacher is chased.
CHASE_INTERVAL_DAYS = env.int("CHASE_INTERVAL_DAYS", default=1)
CHASE_HEADTEACHER_AFTER_DAYS = env.int("CHASE_HEADTEACHER_AFTER_DAYS", default=2)
CHASE_SIGN_OFF_AFTER_DAYS = env.int("CHASE_SIGN_OFF_AFTER_DAYS", default=1)
# Issue 14: the dashboard lists this many cases of each group, with "see all" for the rest.
DASHBOARD_CASES_PER_GROUP = env.int("DASHBOARD_CASES_PER_GROUP", default=10)
# Each of the dashboard's other lists (records to confirm, retention reviews due, safety plans...)
# shows this many, the most pressing first, and how many there are in all.
DASHBOARD_PANEL_ROWS = env.int("DASHBOARD_PANEL_ROWS", default=10)
# Notices of an unusual number of reports shown in full on the dashboard; any more are counted.
DASHBOARD_NOTICES = env.int("DASHBOARD_NOTICES", default=3)
# R37: a referral required and not made is alerted at once, then again every this many hours.
REFERRAL_URGENT_EVERY_HOURS = env.int("REFERRAL_URGENT_EVERY_HOURS", default=4)
# R38: children's social care acknowledges and decides within one working day (Working
# Together 2023); what the local police undertake is agreed locally, in working days.
REFERRAL_POLICE_ACKNOWLEDGE_DAYS = env.int("REFERRAL_POLICE_ACKNOWLEDGE_DAYS", default=1)
REFERRAL_POLICE_DECISION_DAYS = env.int("REFERRAL_POLICE_DECISION_DAYS", default=10)
# Reports from one account in an hour: past the first, the DSLs are told once and the reports
# are grouped under that notice; past the second (no person typing reaches it) a report is
# asked to wait, with everything typed kept (issue 17).
REPORTS_NOTICE_PER_HOUR = env.int("REPORTS_NOTICE_PER_HOUR", default=10)
REPORTS_CEILING_PER_HOUR = env.int("REPORTS_CEILING_PER_HOUR", default=60)
# An inspection report over more incidents than this is built by a worker, with progress.
EXPORT_SYNC_LIMIT = env.int("EXPORT_SYNC_LIMIT", default=200)
# And one over more than this is refused, with what to ask for instead: a worker lays out about
# 7 ms and 35 KB an incident (bench/volume.py pdf), so 25,000 take about 3 minutes, inside the
# task's time limit (TASK_TIME_LIMIT_SECONDS), and 1 GB; past it the export would fail after
# minutes, or the worker be killed for its memory with other tasks in hand (issue 14).
EXPORT_MAX_INCIDENTS = env.int("EXPORT_MAX_INCIDENTS", default=25_000)
# A built export is a copy of case records outside the page: it is downloadable for this long.
EXPORT_EXPIRES_HOURS = env.int("EXPORT_EXPIRES_HOURS", default=24)
CELERY_BEAT_SCHEDULE = {
    "send": {
        "task": "incidents.tasks.send_notifications",
        "schedule": float(SEND_INTERVAL_SECONDS),
    },
    "chase": {"task": "incidents.tasks.sweep", "schedule": float(CHASE_SWEEP_SECONDS)},
    # Each case's dashboard group is kept with it; once a day every one is checked against the rule.
    "workspace": {
        "task": "incidents.tasks.check_workspace",
        "schedule": crontab(minute=30, hour=2),
    },
    # Issue 20: weekly, schools whose term dates (or the bank holidays) run out are told.
    "calendars": {
        "task": "records.tasks.check_calendars",
        "schedule": crontab(minute=0, hour=7, day_of_week="monday"),
    },
    # R32, R40: on the first of each month, the records whose retention review falls due.
    "retention": {
        "task": "records.tasks.list_retention_due",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
}

SSO_ORIGINS = env.list(
    "SSO_ORIGINS", default=["https://login.microsoftonline.com", "https://accounts.google.com"]
)
# Content-Security-Policy (django-csp): scripts and styles from this site only, no inline
# script or style anywhere; images from here or the second-factor QR code (a data: URI).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # Signing in with the school's own accounts posts on to its provider.
        "form-action": [SELF, *SSO_ORIGINS],
        "frame-ancestors": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# LOG_FORMAT=json: one JSON object a line (ypsi/logs.py), for Django, Celery and gunicorn.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
if LOG_FORMAT == "json":  # Python's warnings too (a library's, Celery's), as log lines
    logging.captureWarnings(True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ypsi.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO: only its warnings matter.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; its lockouts are warnings, and in its tables.
        "axes": {"level": "WARNING"},
    },
}
