"""The one place where domain errors become HTTP statuses, as JSON, as a page or, for OAI-PMH, as XML.

Every JSON error has one shape: {"ok": false, "error": "...", "errors": [...], "status": N}.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from catalogue.errors import CatalogueError, ProductNotFound, ValidationError
from indexer.errors import IndexUnavailableError, QueryError
from webapp import oai
from webapp.oai_protocol import OAIError

RETRY_AFTER_SECONDS = 30


def wants_json() -> bool:
    """Tell whether the client should get JSON (API paths, or JSON asked for)."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_body(status: int, message: str, errors: list | None = None) -> dict:
    """Return the JSON error document."""
    return {"ok": False, "error": message, "errors": errors or [], "status": status}


def respond(status: int, message: str, errors: list | None = None, headers: dict | None = None):
    """Render an error as JSON or HTML, whichever the client wants."""
    if wants_json():
        return error_body(status, message, errors), status, headers or {}
    page = render_template("error.html", status=status, message=message, errors=errors or [])
    return page, status, headers or {}


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    # The protocol's own errors: HTTP 200 with an <error> element.
    app.register_error_handler(OAIError, oai.error_response)

    @app.errorhandler(QueryError)
    def _query(exc: QueryError):
        return respond(400, str(exc))

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError):
        details = [{"field": f, "message": m} for f, ms in exc.errors.items() for m in ms]
        return respond(422, "the product is not valid", details)

    @app.errorhandler(ProductNotFound)
    def _missing(exc: ProductNotFound):
        return respond(404, str(exc))

    @app.errorhandler(IndexUnavailableError)
    def _no_index(exc: IndexUnavailableError):
        app.logger.error("search unavailable: %s", exc)
        return respond(503, "search is being rebuilt; please try again shortly",
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.errorhandler(CatalogueError)
    def _catalogue(exc: CatalogueError):
        app.logger.exception("catalogue error")
        return respond(500, "the catalogue could not complete the request")

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        return respond(413, f"the request is too large: at most {limit // 1000:,} kB is accepted")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        response = exc.get_response()
        body, status, headers = respond(exc.code or 500, exc.description or exc.name)
        for name in ("Allow", "Retry-After"):
            if name in response.headers:
                headers[name] = response.headers[name]
        return body, status, headers

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s", request.path)
        return respond(500, "an unexpected error occurred; it has been logged")
