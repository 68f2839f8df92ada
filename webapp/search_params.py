"""Read a SearchRequest from query-string parameters, and write it back as URLs."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.search import FILTER_FACETS, SearchRequest

TRUE = {"1", "true", "yes"}
FALSE = {"0", "false", "no"}


def _int(args: MultiDict, name: str, default: int | None) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryError(f"{name} must be a whole number, not {raw[:20]!r}") from None


def search_request_from(args: MultiDict, *, language: str = "en") -> SearchRequest:
    """Build a SearchRequest from GET parameters (`q`, filters, `sort`, `page`...)."""
    un_system = args.get("un_system", "").strip().lower()
    if un_system and un_system not in TRUE | FALSE:
        raise QueryError("un_system must be true or false")
    filters = {facet: tuple(dict.fromkeys(v for v in args.getlist(facet) if v))
               for facet in FILTER_FACETS}
    return SearchRequest(
        q=args.get("q", ""),
        filters={facet: values for facet, values in filters.items() if values},
        year_from=_int(args, "year_from", None),
        year_to=_int(args, "year_to", None),
        un_system=(un_system in TRUE) if un_system else None,
        sort=args.get("sort") or None,
        page=_int(args, "page", 1),
        per_page=_int(args, "per_page", 20),
        language=language,
    )


@lru_cache(maxsize=4096)
def _encoded(name: str, value: object) -> str:
    return urlencode([(name, value)])


def _pair(name: str, value: object) -> str:
    """Return `name=value` URL-encoded; the sidebar writes the same pairs in dozens of links."""
    if isinstance(value, str) and len(value) > 200:  # a long query is not worth keeping
        return urlencode([(name, value)])
    return _encoded(name, value)


def query_string(request: SearchRequest, **changes) -> str:
    """Return the query string that asks for `request` with `changes` applied."""
    params: list[tuple[str, object]] = []
    q = changes.get("q", request.q)
    if q:
        params.append(("q", q))
    filters = changes.get("filters", request.filters)
    for facet in FILTER_FACETS:
        params += [(facet, value) for value in filters.get(facet, ())]
    for name in ("year_from", "year_to", "sort"):
        value = changes.get(name, getattr(request, name))
        if value is not None:
            params.append((name, value))
    if (un_system := changes.get("un_system", request.un_system)) is not None:
        params.append(("un_system", "true" if un_system else "false"))
    page = changes.get("page", request.page)
    if page != 1:
        params.append(("page", page))
    per_page = changes.get("per_page", request.per_page)
    if per_page != 20:
        params.append(("per_page", per_page))
    if request.language != "en":
        params.append(("lang", request.language))
    return "&".join(_pair(name, value) for name, value in params)


def toggled(request: SearchRequest, facet: str, value: str) -> str:
    """Return the query string with `value` of `facet` ticked if it was not, else unticked."""
    current = request.filters.get(facet, ())
    values = tuple(v for v in current if v != value) if value in current else current + (value,)
    filters = {**request.filters, facet: values}
    return query_string(request, filters=filters, page=1)


class Toggles:
    """The query strings that tick or untick each facet value of one results page, equal to
    `toggled`'s: the parts every sidebar link shares (words, the other facets' filters,
    years, sort, language) are encoded once per page instead of once per link."""

    def __init__(self, request: SearchRequest):
        self.request = request
        self._head = [_pair("q", request.q)] if request.q else []
        self._filters = {facet: [_pair(facet, v) for v in request.filters.get(facet, ())]
                         for facet in FILTER_FACETS}
        tail = [_pair(name, getattr(request, name)) for name in ("year_from", "year_to", "sort")
                if getattr(request, name) is not None]
        if request.un_system is not None:
            tail.append(_pair("un_system", "true" if request.un_system else "false"))
        if request.per_page != 20:
            tail.append(_pair("per_page", request.per_page))
        if request.language != "en":
            tail.append(_pair("lang", request.language))
        self._tail = tail

    def toggled(self, facet: str, value: str) -> str:
        """Return the query string with `value` of `facet` ticked if it was not, else unticked
        (back to page 1)."""
        current = self.request.filters.get(facet, ())
        values = tuple(v for v in current if v != value) if value in current else current + (value,)
        parts = list(self._head)
        for name in FILTER_FACETS:
            parts += [_pair(name, v) for v in values] if name == facet else self._filters[name]
        return "&".join(parts + self._tail)
