"""Good citizenship for the machine interfaces (API, feeds, OAI-PMH, exports, sitemaps).

- CORS for GET from any origin (flask-cors): other portals call us from the browser.
- Weak ETags and `If-None-Match` (304), and a short `Cache-Control`: clients and proxies
  re-validate instead of re-downloading.
- A rate limit per client address (Flask-Limiter, moving window, so it is exact), kept in
  Redis when `HRBA_REDIS_URL` is set so it holds across worker processes and hosts; 429
  with `Retry-After` and `X-RateLimit-*` headers.
- The optional `appname` parameter (ReliefWeb's practice) recorded in the access log.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

# Blueprints whose answers are for machines: they get every policy of this module.
MACHINE_BLUEPRINTS = ("api", "feeds", "oai", "exports", "discovery")
CORS_PATHS = r"^/(api/.*|search\.(atom|csv|jsonl|bib|ris)|changes\.atom|oai|opensearch\.xml|sitemap.*\.xml)$"
CACHE_CONTROL = "public, max-age=60"
APPNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,99}")
EXPOSED_HEADERS = ["ETag", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                   "X-RateLimit-Reset", "Content-Disposition"]

access_log = logging.getLogger("hrba.access")


def _machine_request() -> bool:
    return request.blueprint in MACHINE_BLUEPRINTS


def init_app(app: Flask) -> None:
    """Apply the policies to the machine blueprints already registered on `app`."""
    from flask_cors import CORS  # noqa: PLC0415
    from flask_limiter import Limiter  # noqa: PLC0415
    from flask_limiter.util import get_remote_address  # noqa: PLC0415

    if app.config["HRBA_TRUSTED_PROXIES"]:
        hops = app.config["HRBA_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    CORS(app, resources={CORS_PATHS: {"origins": "*"}}, methods=["GET", "HEAD", "OPTIONS"],
         expose_headers=EXPOSED_HEADERS, max_age=86400, send_wildcard=True)
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["HRBA_REDIS_URL"] or "memory://",
                      strategy="moving-window", headers_enabled=True, key_prefix="hrba-rate",
                      swallow_errors=False)
    shared = limiter.shared_limit(
        lambda: app.config["HRBA_RATE_LIMIT"], scope="machine-interfaces",
        exempt_when=lambda: request.method == "OPTIONS",
        error_message=lambda: f"too many requests: each client may make {app.config['HRBA_RATE_LIMIT']}; "
                              "try again after Retry-After seconds")
    for name in MACHINE_BLUEPRINTS:
        if name in app.blueprints:
            shared(app.blueprints[name])
    app.extensions["hrba-limiter"] = limiter

    @app.before_request
    def _check_appname():
        if _machine_request():
            appname = request.args.get("appname")
            if appname is not None and not APPNAME.fullmatch(appname):
                raise BadRequest("appname: up to 100 letters, digits, spaces, dots, dashes or "
                                 "underscores, starting with a letter or digit")

    @app.after_request
    def _conditional_and_logged(response):
        if not _machine_request():
            return response
        if request.method in ("GET", "HEAD") and response.status_code == 200 \
                and not response.is_streamed:
            # Weak: compression (flask-compress) changes the bytes, not the meaning.
            response.add_etag(weak=True)
            response.headers.setdefault("Cache-Control", CACHE_CONTROL)
            response.make_conditional(request)
        access_log.info("%s %s %s appname=%s client=%s", request.method, request.full_path.rstrip("?"),
                        response.status_code, request.args.get("appname", "-"),
                        request.remote_addr or "-")
        return response
