"""The search page for country-team staff (blueprint `search`)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from indexer.search import search
from webapp.presenters import FACET_NAMES, chips, facets_for_page
from webapp.search_params import query_string, search_request_from
from webapp.services import services

blueprint = Blueprint("search", __name__)


@blueprint.get("/")
def index():
    """Show the search box, the facets and one page of results."""
    wanted = search_request_from(request.args)
    hub = services()
    results = search(hub.index, wanted, hub.vocabularies)
    return render_template(
        "search/index.html", results=results, facets=facets_for_page(results),
        chips=chips(results, hub.vocabularies), vocabularies=hub.vocabularies,
        facet_names=FACET_NAMES,
        suggestion_url="?" + query_string(wanted, q=results.suggestion or "", page=1),
        json_url="/api/v1/search?" + query_string(wanted),
        page_url=lambda page: "?" + query_string(wanted, page=page))
