"""The app factory: defaults, then `HRBA_*` environment variables, then test overrides."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from logging.handlers import RotatingFileHandler, WatchedFileHandler
from pathlib import Path

from flask import Flask

from webapp import settings
from webapp.services import init_app as init_services

SECRET_KEY_FILE = "secret_key"
# The largest request body the app reads (forms, OAI-PMH POSTs): larger ones get 413.
MAX_REQUEST_BYTES = 1_000_000
# A workspace session ends after this long without a request, and this long after sign-in
# whatever happens (see `auth.SESSION_MAX_AGE`).
SESSION_IDLE = timedelta(hours=2)
# What the app serves that compresses well (the exports add their own types).
COMPRESSED_TYPES = ("text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
                    "application/json", "application/xml", "text/xml", "application/atom+xml",
                    "application/opensearchdescription+xml", "application/x-suggestions+json")


def _secret_key(data_dir: Path) -> str:
    """Return the data directory's secret key, generating it on first use."""
    path = data_dir / SECRET_KEY_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def _configure_logging(app: Flask, data_dir: Path) -> None:
    level = getattr(logging, str(app.config["HRBA_LOG_LEVEL"]))
    app.logger.setLevel(level)
    if app.testing:
        return
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if app.config["HRBA_WORKERS"] > 1:
        # Several processes append to one file: each line is one write, and rotation is left
        # to logrotate (a process reopens the file when it has been moved away).
        handler = WatchedFileHandler(logs / "hrba.log", encoding="utf-8")
    else:
        handler = RotatingFileHandler(logs / "hrba.log", maxBytes=5_000_000, backupCount=5,
                                      encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    handler.hrba_log = True
    access = logging.getLogger("hrba.access")  # one line a request (public_access)
    access.setLevel(logging.INFO)
    for logger in (app.logger, access):
        for earlier in [h for h in logger.handlers if getattr(h, "hrba_log", False)]:
            logger.removeHandler(earlier)  # an app made before this one, in this process
            earlier.close()
        logger.addHandler(handler)


def _configure_sessions(app: Flask) -> None:
    """Session cookies: signed, HttpOnly, SameSite=Lax, Secure behind TLS; they lapse after
    SESSION_IDLE without a request (the signature's age is checked, not only the cookie's)."""
    app.config.update(
        SESSION_COOKIE_NAME="hrba_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(app.config["HRBA_HTTPS"]),
        PERMANENT_SESSION_LIFETIME=SESSION_IDLE,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        WTF_CSRF_SSL_STRICT=bool(app.config["HRBA_HTTPS"]),
    )


def create_app(test_config: dict | None = None) -> Flask:
    """Create the web app. `test_config` overrides settings (keys as in `settings.SETTINGS`)."""
    app = Flask(__name__)
    # Never the interactive debugger or tracebacks in pages, whatever FLASK_DEBUG says.
    app.config["DEBUG"] = False
    environ = dict(os.environ)
    if test_config:
        environ.update({k: str(v) for k, v in test_config.items()
                        if k.startswith("HRBA_") and v is not None})
    config = settings.resolve_paths(settings.load(environ))
    app.config.update(config)
    app.config.update({k: v for k, v in (test_config or {}).items() if not k.startswith("HRBA_")})
    data_dir = Path(config["HRBA_DATA_DIR"])
    app.config["SECRET_KEY"] = config["HRBA_SECRET_KEY"] or _secret_key(data_dir)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    _configure_sessions(app)
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    _configure_logging(app, data_dir)
    init_services(app)

    from flask_compress import Compress  # noqa: PLC0415

    from flask_wtf.csrf import CSRFProtect  # noqa: PLC0415

    from webapp import (api, api_docs, auth, curator, curator_admin, curator_import, curator_products,  # noqa: PLC0415
                        curator_review, curator_vocabularies, discovery, errors, exports, feeds, headers, health,
                        i18n, oai, public_access, revision_labels, search_ui)  # (blueprints need the app)

    # Pages travel compressed (gzip, or brotli where the client takes it): field offices
    # are often on slow connections.
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # gzip (API clients and browsers without brotli): level 3 against 5 takes 0.2 ms less
    # per results page or API answer for 6 to 8% more bytes (measured on the load mix).
    app.config.setdefault("COMPRESS_LEVEL", 3)
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    app.config.setdefault("COMPRESS_MIMETYPES", [*COMPRESSED_TYPES, *exports.MEDIA_TYPES])
    # Streamed exports are compressed as they go, a chunk at a time, the same two ways.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    Compress(app)
    i18n.init_app(app)
    revision_labels.init_app(app)
    app.register_blueprint(search_ui.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(api_docs.blueprint)
    app.register_blueprint(curator.blueprint)
    app.register_blueprint(curator_products.blueprint)
    app.register_blueprint(curator_review.blueprint)
    app.register_blueprint(curator_admin.blueprint)
    app.register_blueprint(curator_vocabularies.blueprint)
    app.register_blueprint(curator_import.blueprint)
    app.register_blueprint(feeds.blueprint)
    app.register_blueprint(oai.blueprint)
    app.register_blueprint(exports.blueprint)
    app.register_blueprint(discovery.blueprint)
    # Probes: no rate limit (not a machine blueprint), no session, no CSRF (GET only).
    app.register_blueprint(health.blueprint)
    # Every unsafe request (POST, PUT, PATCH, DELETE) must carry the session's CSRF token,
    # but for the read-only machine interfaces (OAI-PMH allows POST for long requests).
    csrf = CSRFProtect(app)
    csrf.exempt(api.blueprint)
    csrf.exempt(oai.blueprint)
    public_access.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    return app
