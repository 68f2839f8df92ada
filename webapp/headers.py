"""Security headers on every response (OWASP ASVS level 2, where it applies).

- A Content Security Policy with no inline script anywhere (`script-src` falls back to
  `default-src 'self'`), no plugins, no `<base>`, forms only to us, no framing.
- `nosniff`, a referrer policy, `X-Frame-Options` for old browsers.
- HSTS when users reach the app over HTTPS (`HRBA_HTTPS=1`).
- Workspace pages are never stored by browsers or proxies (`Cache-Control: no-store`).

A view may set its own policy first (the API docs page allows Swagger UI's inline styles).
"""

from __future__ import annotations

from flask import Flask, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
PRIVATE_PATHS = ("/curate/", "/curate")


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith(PRIVATE_PATHS):
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("HRBA_HTTPS"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
