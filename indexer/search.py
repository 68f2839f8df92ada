"""Search: one function that answers a SearchRequest with SearchResults.

The search page and the JSON API both call `search` and only render what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from whoosh import qparser, sorting
from whoosh.query import Every, NullQuery, Query, Term

from catalogue.vocabularies import Vocabularies
from indexer.errors import IndexUnavailableError, QueryError
from indexer.facets import disjunctive_counts, facet_arrays, matching
from indexer.index import DAMAGE, SearchIndex
from indexer.schema import FACET_FIELDS, QUERY_FIELDS, TEXT_WEIGHTS, build_schema

SORTS = ("relevance", "newest", "oldest", "title")
MAX_PER_PAGE = 100
MAX_DEPTH = 10_000  # page * per_page; deeper paging needs a cursor
MAX_QUERY_LENGTH = 1_000
FILTER_FACETS = ("agency", "theme", "type", "language", "region", "stage")
# Vocabulary behind each facet, for labels.
FACET_VOCABULARIES = {"agency": "agency", "theme": "theme", "type": "resource_type",
                      "language": "language", "region": "region", "stage": "programming_stage"}


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked for: words, filters, order and page."""

    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    un_system: bool | None = None
    sort: str | None = None  # None: relevance with words, newest without
    page: int = 1
    per_page: int = 20
    language: str = "en"  # for facet labels

    def effective_sort(self) -> str:
        """Return the sort in force: the one asked for, else relevance or newest."""
        return self.sort or ("relevance" if self.q.strip() else "newest")


@dataclass(frozen=True)
class Hit:
    """One product in a result list."""

    id: str
    title: str
    url: str | None
    agencies: tuple[str, ...]
    themes: tuple[str, ...]
    type: str
    languages: tuple[str, ...]
    year: int | None
    summary: str
    score: float | None
    versions: tuple[tuple[str, str, str | None], ...] = ()


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with its count for the current search."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class SearchResults:
    """The answer to a SearchRequest."""

    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetValue, ...]]
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        """Return how many pages the results fill."""
        return max(1, -(-self.total // self.request.per_page))


def check_request(request: SearchRequest) -> None:
    """Raise QueryError if `request` asks for something the engine will not do."""
    if len(request.q) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    if request.sort is not None and request.sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}")
    if not 1 <= request.per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be from 1 to {MAX_PER_PAGE}")
    if request.page < 1:
        raise QueryError("page must be 1 or more")
    if request.page * request.per_page > MAX_DEPTH:
        raise QueryError(f"results deeper than {MAX_DEPTH} are not served by page")
    unknown = set(request.filters) - set(FILTER_FACETS)
    if unknown:
        raise QueryError(f"unknown filter {sorted(unknown)[0]!r}")


_PARSER_CACHE: dict[str, qparser.QueryParser] = {}


def _parser(group) -> qparser.QueryParser:
    key = group.__name__ if hasattr(group, "__name__") else repr(group)
    parser = _PARSER_CACHE.get(key)
    if parser is None:
        parser = qparser.MultifieldParser(list(QUERY_FIELDS), build_schema(),
                                          fieldboosts=TEXT_WEIGHTS, group=group)
        # No wildcard, regex or fuzzy syntax: they can be made to cost the whole index.
        for plugin in (qparser.WildcardPlugin, qparser.RegexPlugin, qparser.FuzzyTermPlugin):
            parser.remove_plugin_class(plugin)
        parser.add_plugin(qparser.PlusMinusPlugin())
        _PARSER_CACHE[key] = parser
    return parser


def parse_query(q: str, *, any_word: bool = False) -> Query:
    """Parse the user's words (all must match, unless `any_word`); empty means everything."""
    if not q.strip():
        return Every()
    group = qparser.OrGroup if any_word else qparser.AndGroup
    try:
        query = _parser(group).parse(q)
    except Exception:  # the parser is lenient; anything it still trips on is read as words
        words = " ".join(ch if ch.isalnum() else " " for ch in q)
        query = _parser(group).parse(words) if words.strip() else NullQuery
    return query


def _sorted_by(sort: str):
    if sort == "newest":
        return sorting.MultiFacet([sorting.FieldFacet("year_sort", reverse=True),
                                   sorting.FieldFacet("title_sort")])
    if sort == "oldest":
        return sorting.MultiFacet([sorting.FieldFacet("year_oldest"),
                                   sorting.FieldFacet("title_sort")])
    if sort == "title":
        return sorting.FieldFacet("title_sort")
    return None


def _filter_sets(searcher, request: SearchRequest, arrays) -> dict[str, set[int]]:
    sets = {}
    for facet, values in request.filters.items():
        if values:
            field_name = FACET_FIELDS[facet]
            docs: set[int] = set()
            for value in values:
                docs.update(searcher.docs_for_query(Term(field_name, value)))
            sets[facet] = docs
    if request.year_from is not None or request.year_to is not None:
        low = request.year_from if request.year_from is not None else 0
        high = request.year_to if request.year_to is not None else 9999
        years = arrays["year"]
        sets["year"] = {d for d in range(len(years))
                        if years[d] and low <= int(years[d][0]) <= high}
    if request.un_system is not None:
        sets["un_system"] = set(searcher.docs_for_query(Term("un_system", request.un_system)))
    return sets


def _hit(stored: dict, score: float | None) -> Hit:
    def split(name):
        return tuple(v for v in (stored.get(name) or "").split(",") if v)
    year = stored.get("year")
    return Hit(id=stored["id"], title=stored["title"], url=stored.get("url"),
               agencies=split("agency"), themes=split("theme"), type=stored.get("type", ""),
               languages=split("language"), year=int(year) if year else None,
               summary=stored.get("summary", ""), score=score,
               versions=tuple(tuple(v) for v in stored.get("versions_data") or ()))


def _facet_values(request: SearchRequest, counts, vocabularies: Vocabularies):
    facets = {}
    for facet, counter in counts.items():
        selected = set(request.filters.get(facet, ()))
        values = dict(counter)
        for value in selected:
            values.setdefault(value, 0)  # a ticked value stays visible with 0
        if facet == "year":
            order = sorted(values, key=lambda v: -int(v))
            label = str
        else:
            vocabulary = vocabularies[FACET_VOCABULARIES[facet]]
            label = lambda v, vocabulary=vocabulary: vocabulary.label(v, request.language)  # noqa: E731
            order = sorted(values, key=lambda v: (-values[v], label(v).casefold()))
        facets[facet] = tuple(FacetValue(v, label(v), values[v], v in selected) for v in order)
    return facets


def search(index: SearchIndex, request: SearchRequest, vocabularies: Vocabularies) -> SearchResults:
    """Answer `request` from `index` with hits, an exact total and disjunctive facets."""
    check_request(request)
    ix = index.open()
    try:
        with ix.searcher() as searcher:
            return _search(searcher, index, request, vocabularies)
    except DAMAGE as exc:
        raise IndexUnavailableError(f"the search index is damaged ({type(exc).__name__})") from exc
    finally:
        ix.close()


def _search(searcher, index: SearchIndex, request: SearchRequest, vocabularies) -> SearchResults:
    arrays = facet_arrays(searcher, (str(index.current_path()), searcher.reader().generation()))
    query = parse_query(request.q)
    base = set(searcher.docs_for_query(query))
    if not base and request.q.strip():
        query = parse_query(request.q, any_word=True)  # no product has every word: any will do
        base = set(searcher.docs_for_query(query))
    filters = _filter_sets(searcher, request, arrays)
    allowed = base.intersection(*filters.values()) if filters else base
    sort = request.effective_sort()
    hits: tuple[Hit, ...] = ()
    if allowed:
        results = searcher.search(query, filter=allowed, limit=request.page * request.per_page,
                                  sortedby=_sorted_by(sort), terms=False)
        start = (request.page - 1) * request.per_page
        hits = tuple(_hit(results[i].fields(), results[i].score if sort == "relevance" else None)
                     for i in range(start, min(len(results), start + request.per_page)))
    counts = disjunctive_counts(base, filters, arrays)
    return SearchResults(request=request, total=len(allowed), hits=hits,
                         facets=_facet_values(request, counts, vocabularies))
