"""The API's documentation page at /api/ (blueprint `docs`): examples and Swagger UI."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from webapp import auth

blueprint = Blueprint("docs", __name__)

# Swagger UI (vendored, same origin) sets inline style attributes; scripts stay 'self' only.
DOCS_CSP = "; ".join([
    "default-src 'self'", "img-src 'self' data:", "style-src 'self' 'unsafe-inline'",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
])


@blueprint.get("/api/")
@auth.public
def api_docs():
    """How to use the API, the feeds and OAI-PMH, with the interactive OpenAPI reference."""
    base = request.host_url.rstrip("/")
    page = render_template("api/docs.html", base=base)
    return page, 200, {"Content-Security-Policy": DOCS_CSP}
