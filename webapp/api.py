"""The public JSON API, read-only, under /api/v1/ (blueprint `api`)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from indexer.errors import QueryError
from indexer.search import search
from indexer.suggest import suggest
from webapp.presenters import results_json
from webapp.search_params import search_request_from
from webapp.services import services

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

# The OpenSearch suggestions format: [query, [completions]] (browsers' search boxes read it).
OPENSEARCH_SUGGESTIONS = "application/x-suggestions+json"


@blueprint.get("/search")
def search_products():
    """Search published products: `q`, filters, `sort`, `page`, `per_page`."""
    hub = services()
    wanted = search_request_from(request.args, language=request.args.get("lang", "en"))
    return results_json(search(hub.index, wanted, hub.vocabularies))


@blueprint.get("/suggest")
def suggest_queries():
    """Complete what the user has typed: `q` (the words so far), `lang`; with
    `format=opensearch`, as OpenSearch suggestions (`[q, [completions]]`)."""
    form = request.args.get("format", "")
    if form not in ("", "opensearch"):
        raise QueryError("format must be opensearch, or left out")
    hub = services()
    q = request.args.get("q", "")[:200]
    suggestions = suggest(hub.index, q, hub.vocabularies, language=request.args.get("lang", "en"))
    if form == "opensearch":
        return Response(json.dumps([q, suggestions], ensure_ascii=False), content_type=OPENSEARCH_SUGGESTIONS)
    return {"q": q, "suggestions": suggestions}
