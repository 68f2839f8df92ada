"""Shape SearchResults for the page and the API: labels, toggle URLs, JSON documents."""

from __future__ import annotations

from typing import NamedTuple

from flask import url_for
from flask_babel import gettext as _

from indexer.search import FACET_VOCABULARIES, SearchResults
from webapp.search_params import Toggles, query_string, toggled

RESULT_FIELDS = ("id", "title", "url", "agencies", "themes", "type", "languages", "year", "summary",
                 "snippet", "score")


def results_json(results: SearchResults) -> dict:
    """Return the `/api/v1/search` document for `results`."""
    return {
        "total": results.total,
        "page": results.request.page,
        "per_page": results.request.per_page,
        "results": [{name: _plain(getattr(hit, name)) for name in RESULT_FIELDS}
                    for hit in results.hits],
        "facets": {facet: [{"value": v.value, "label": v.label, "count": v.count,
                            "selected": v.selected} for v in values]
                   for facet, values in results.facets.items()},
        "suggestion": results.suggestion,
    }


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


class SidebarValue(NamedTuple):
    """One facet value of the sidebar: its label, count, state and the link that toggles it."""

    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


class SidebarFacet(NamedTuple):
    name: str
    values: list[SidebarValue]


def facets_for_page(results: SearchResults) -> list[SidebarFacet]:
    """Return the facets with a toggle URL on each value, in sidebar order."""
    order = ("theme", "agency", "type", "language", "stage", "region", "un_system", "year")
    toggles = Toggles(results.request)
    facets = []
    for facet in order:
        values = results.facets.get(facet, ())
        if facet == "year" or not values:
            continue
        facets.append(SidebarFacet(facet, [
            SidebarValue(v.value, v.label, v.count, v.selected, "?" + _toggle(results, toggles, facet, v))
            for v in values]))
    return facets


def _toggle(results: SearchResults, toggles: Toggles, facet: str, value) -> str:
    if facet == "un_system":  # one value at a time: a yes/no choice
        chosen = None if value.selected else value.value == "true"
        return query_string(results.request, un_system=chosen, page=1)
    return toggles.toggled(facet, value.value)


def facet_names() -> dict[str, str]:
    """Return the facets' headings in the interface language."""
    return {"theme": _("Theme"), "agency": _("Agency"), "type": _("Type"), "language": _("Language"),
            "stage": _("Programming stage"), "region": _("Region"), "un_system": _("Publisher")}


def chips(results: SearchResults, vocabularies) -> list[dict]:
    """Return the active filters, each with the URL that removes it."""
    found = []
    for facet, values in results.request.filters.items():
        vocabulary = vocabularies[FACET_VOCABULARIES[facet]]
        for value in values:
            found.append({"facet": facet,
                          "label": vocabulary.label(value, results.request.language),
                          "remove_url": "?" + toggled(results.request, facet, value)})
    return found


def report_kinds() -> dict[str, str]:
    """Return the kinds of problem a user can report, labelled in the interface language."""
    return {"broken_link": _("A link is broken"),
            "wrong_details": _("Details are wrong (title, agency, year, themes...)"),
            "missing_version": _("A language version is missing"),
            "other": _("Something else")}


def product_url(product_id: str) -> str:
    """Return the absolute address of a product's page."""
    return url_for("search.product_page", product_id=product_id, _external=True)
