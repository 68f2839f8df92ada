"""The public JSON API, read-only, under /api/v1/ (blueprint `api`).

The search page and `/api/v1/search` call the same `search()`; this module only reads
parameters and renders documents (built in `webapp.api_documents`).
"""

from __future__ import annotations

import json
from dataclasses import replace

from flask import Blueprint, Response, request
from werkzeug.exceptions import Gone, NotFound

from catalogue import link_checks
from catalogue.errors import ProductNotFound
from catalogue.model import Status
from indexer.errors import QueryError
from indexer.search import search
from indexer.suggest import suggest
from webapp import auth
from webapp import api_documents as documents
from webapp.search_params import search_request_from
from webapp.services import services

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

LANGUAGES = documents.LANGUAGES
# The OpenSearch suggestions format: [query, [completions]] (browsers' search boxes read it).
OPENSEARCH_SUGGESTIONS = "application/x-suggestions+json"


def _language() -> str:
    language = request.args.get("lang", "en")
    if language not in LANGUAGES:
        raise QueryError(f"lang must be one of {', '.join(LANGUAGES)}")
    return language


@blueprint.get("/search")
@auth.public
def search_products():
    """Search published products: `q`, filters, `sort`, `page` or `cursor`, `per_page`,
    `fields`, `facets`, `lang`."""
    hub = services()
    wanted = search_request_from(request.args, language=_language())
    fields = documents.result_fields(request.args.get("fields"))
    facets = documents.facet_choice(request.args.get("facets"))
    cursor = request.args.get("cursor")
    offset = documents.decode_cursor(cursor) if cursor is not None else None
    if offset is not None:
        wanted = replace(wanted, page=1, offset=offset)
    results = search(hub.index, wanted, hub.vocabularies)
    return documents.search_document(results, request.args, fields=fields, facets=facets,
                                     cursor=offset)


@blueprint.get("/products/<product_id>")
@auth.public
def product(product_id: str):
    """Every public field of one published product, with its language versions and link status."""
    hub = services()
    try:
        found = hub.store.get(product_id)
    except ProductNotFound:
        raise NotFound(f"no product with id {product_id!r}") from None
    if found.status is Status.WITHDRAWN:
        raise Gone(f"product {product_id!r} has been withdrawn from the catalogue")
    if found.status is not Status.PUBLISHED:
        raise NotFound(f"no product with id {product_id!r}")
    urls = [found.url, *(v.url for v in found.versions), *(link.url for link in found.links)]
    return documents.product_document(found, hub.vocabularies,
                                      link_checks.checks_for(hub.store, urls))


@blueprint.get("/facets/<name>")
@auth.public
def facet(name: str):
    """Every value of one facet, with its count, for a search (same parameters as `search`)."""
    if name not in documents.FACETS:
        raise NotFound(f"no facet called {name!r}; choose from {', '.join(documents.FACETS)}")
    hub = services()
    wanted = replace(search_request_from(request.args, language=_language()), page=1, per_page=1)
    return documents.facet_document(name, search(hub.index, wanted, hub.vocabularies))


@blueprint.get("/vocabularies")
@auth.public
def vocabularies():
    """The controlled vocabularies this API publishes, with their sizes and addresses."""
    hub = services()
    names = ("agency", "theme", "type", "language", "region", "stage", "glossary")
    return {"vocabularies": [
        {"name": name, "count": len(hub.vocabularies[documents.vocabulary_for(name)]),
         "url": f"{request.host_url}api/v1/vocabularies/{name}"} for name in names]}


@blueprint.get("/vocabularies/<name>")
@auth.public
def vocabulary(name: str):
    """One controlled vocabulary: each term's id and labels in the six UN languages."""
    hub = services()
    internal = documents.vocabulary_for(name)
    if internal is None or internal not in hub.vocabularies.names():
        raise NotFound(f"no vocabulary called {name!r}")
    return documents.vocabulary_document(name, hub.vocabularies[internal])


@blueprint.get("/suggest")
@auth.public
def suggest_queries():
    """Complete what the user has typed: `q` (the words so far), `lang`; with
    `format=opensearch`, as OpenSearch suggestions (`[q, [completions]]`)."""
    form = request.args.get("format", "")
    if form not in ("", "opensearch"):
        raise QueryError("format must be opensearch, or left out")
    hub = services()
    q = request.args.get("q", "")[:200]
    suggestions = suggest(hub.index, q, hub.vocabularies, language=_language())
    if form == "opensearch":
        return Response(json.dumps([q, suggestions], ensure_ascii=False), content_type=OPENSEARCH_SUGGESTIONS)
    return {"q": q, "suggestions": suggestions}


@blueprint.get("/openapi.json")
@auth.public
def openapi():
    """The OpenAPI 3.1 description of this API."""
    from webapp.openapi import openapi_document  # noqa: PLC0415

    return openapi_document(request.host_url.rstrip("/"))
