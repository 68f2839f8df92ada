"""Search: one function that answers a SearchRequest with SearchResults.

The search page, the JSON API and the command line all call `search` and only render what
it returns. Ranking is BM25F over per-language fields with field weights, a proximity bonus,
a coordination bonus, and a light prior (current, UN-system, inter-agency, and in the
user's language); the result set is every product matching enough of the query's clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
from whoosh import sorting
from whoosh.collectors import TimeLimit, TimeLimitCollector

from catalogue.vocabularies import Vocabularies
from indexer.errors import IndexUnavailableError, QueryError
from indexer.facets import IndexView, bitset, disjunctive_counts, index_view, members
from indexer.index import DAMAGE, SearchIndex
from indexer.language import detect
from indexer.query import ParsedQuery, QueryBuilder
from indexer.ranking import PriorBM25F
from indexer.schema import FACET_FIELDS
from indexer.snippets import snippet

SORTS = ("relevance", "newest", "oldest", "title")
MAX_PER_PAGE = 100
MAX_DEPTH = 10_000  # page * per_page; deeper paging needs a cursor
MAX_QUERY_LENGTH = 1_000
TIME_LIMIT_SECONDS = 2.0
SAME_LANGUAGE_BOOST = 1.05
NAMED_LANGUAGE_BOOST = 1.5
ENOUGH_RESULTS = 10  # fewer products than this matching most words: relax to fewer words
FILTER_FACETS = ("agency", "theme", "type", "language", "region", "stage")
# Vocabulary behind each facet, for labels.
FACET_VOCABULARIES = {"agency": "agency", "theme": "theme", "type": "resource_type",
                      "language": "language", "region": "region", "stage": "programming_stage"}
UN_SYSTEM_LABELS = {
    "true": {"en": "UN system", "fr": "Système des Nations Unies", "es": "Sistema de las Naciones Unidas",
             "ar": "منظومة الأمم المتحدة", "ru": "Система ООН", "zh": "联合国系统"},
    "false": {"en": "Other publishers", "fr": "Autres éditeurs", "es": "Otros editores",
              "ar": "جهات نشر أخرى", "ru": "Другие издатели", "zh": "其他出版方"},
}


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
    language: str = "en"  # the user's interface language: facet labels, ranking ties

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
    snippet: str
    score: float | None
    stages: tuple[str, ...] = ()
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
    timed_out: bool = False

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


def _sorted_by(sort: str):
    if sort == "newest":
        return sorting.MultiFacet([sorting.FieldFacet("year_sort", reverse=True),
                                   sorting.FieldFacet("title_sort")])
    if sort == "oldest":
        return sorting.MultiFacet([sorting.FieldFacet("year_oldest"), sorting.FieldFacet("title_sort")])
    if sort == "title":
        return sorting.FieldFacet("title_sort")
    return None


def _filters(request: SearchRequest, view: IndexView) -> dict[str, int]:
    """Return each narrowing facet's allowed documents as a bitset."""
    filters = {facet: view.matching(facet, values)
               for facet, values in request.filters.items() if values}
    if request.year_from is not None or request.year_to is not None:
        low = request.year_from if request.year_from is not None else 0
        high = request.year_to if request.year_to is not None else 9999
        filters["year"] = view.matching("year", [y for y in view.values["year"]
                                                 if low <= int(y) <= high])
    if request.un_system is not None:
        filters["un_system"] = view.values["un_system"].get("true" if request.un_system else "false", 0)
    return filters


def _matching_docs(searcher, parsed: ParsedQuery, view: IndexView, minimum: int | None = None) -> int:
    """Return (as a bitset) the products that match enough clauses and every requirement."""
    if parsed.is_everything:
        return view.live
    docs = view.live
    if parsed.clauses:
        counts = np.zeros(view.size, dtype=np.int32)
        for clause in parsed.clauses:
            hits = np.fromiter(searcher.docs_for_query(clause), dtype=np.int64)
            counts[hits] += 1
        need = parsed.minimum_match() if minimum is None else minimum
        docs &= bitset(np.flatnonzero(counts >= need), view.size)
    for query in parsed.required:
        docs &= bitset(searcher.docs_for_query(query), view.size)
    for query in parsed.excluded:
        docs &= ~bitset(searcher.docs_for_query(query), view.size)
    return docs


def _priors(view: IndexView, language: str | None, named: set[str]) -> np.ndarray:
    """Return the priors for this search: products in the user's language a little ahead,
    products in a language the query names ("guides in Arabic") well ahead."""
    priors = view.priors
    flags = view.languages.get(language) if language else None
    if flags is not None:
        priors = priors * np.where(flags, SAME_LANGUAGE_BOOST, 1.0)
    for name in named:
        if name in view.languages:
            priors = priors * np.where(view.languages[name], NAMED_LANGUAGE_BOOST, 1.0)
    return priors


def _hit(searcher, docnum: int, score: float | None, parsed: ParsedQuery) -> Hit:
    stored = searcher.stored_fields(docnum)
    data = stored["data"]
    return Hit(id=stored["id"], title=data["title"], url=data["url"],
               agencies=tuple(data["agencies"]), themes=tuple(data["themes"]), type=data["type"],
               languages=tuple(data["languages"]), year=data["year"], summary=data["summary"],
               snippet=snippet(data["summary"], parsed.terms, data.get("language")),
               score=round(score, 4) if score is not None else None,
               stages=tuple(data.get("stages") or ()),
               versions=tuple(tuple(v) for v in data["versions"]))


def _label(facet: str, value: str, language: str, vocabularies: Vocabularies) -> str:
    if facet == "year":
        return value
    if facet == "un_system":
        return UN_SYSTEM_LABELS.get(value, {}).get(language) or UN_SYSTEM_LABELS.get(value, {}).get("en", value)
    return vocabularies[FACET_VOCABULARIES[facet]].label(value, language)


def _facet_values(request: SearchRequest, counts, vocabularies: Vocabularies):
    facets = {}
    for facet, counter in counts.items():
        selected = set(request.filters.get(facet, ()))
        if facet == "un_system" and request.un_system is not None:
            selected = {"true" if request.un_system else "false"}
        values = dict(counter)
        for value in selected:
            values.setdefault(value, 0)  # a ticked value stays visible with 0
        labels = {v: _label(facet, v, request.language, vocabularies) for v in values}
        if facet == "year":
            order = sorted(values, key=lambda v: -int(v) if v.isdigit() else 0)
        else:
            order = sorted(values, key=lambda v: (-values[v], labels[v].casefold()))
        facets[facet] = tuple(FacetValue(v, labels[v], values[v], v in selected) for v in order)
    return facets


def _suggestion(searcher, builder: QueryBuilder, request: SearchRequest, parsed: ParsedQuery,
                view: IndexView, filters: dict[str, int]) -> str | None:
    """Return the query with likely typos corrected, if it finds more than the query as typed."""
    if not parsed.corrections:
        return None
    corrected = request.q
    for word, better in parsed.corrections.items():
        corrected = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", better, corrected)
    if corrected.casefold() == request.q.casefold():
        return None

    def found(q: str) -> int:
        docs = _matching_docs(searcher, builder.parse(q, correct=False), view)
        for allowed in filters.values():
            docs &= allowed
        return docs.bit_count()

    return corrected if found(corrected) > found(request.q) else None


def search(index: SearchIndex, request: SearchRequest, vocabularies: Vocabularies) -> SearchResults:
    """Answer `request` from `index` with hits, an exact total and disjunctive facets."""
    check_request(request)
    ix = index.open()
    try:
        view_key = (str(index.current_path()), ix.latest_generation())
        with ix.searcher(weighting=PriorBM25F()) as searcher:
            view = index_view(searcher, view_key)
            return _search(searcher, view, request, vocabularies)
    except DAMAGE as exc:
        raise IndexUnavailableError(f"the search index is damaged ({type(exc).__name__})") from exc
    finally:
        ix.close()


def _search(searcher, view: IndexView, request: SearchRequest, vocabularies) -> SearchResults:
    builder = QueryBuilder(searcher, vocabularies)
    parsed = builder.parse(request.q)
    base = _matching_docs(searcher, parsed, view)
    minimum = parsed.minimum_match()
    while base.bit_count() < ENOUGH_RESULTS and minimum > 1:
        minimum -= 1  # too few products match enough of the words: accept fewer
        base = _matching_docs(searcher, parsed, view, minimum=minimum)
    filters = _filters(request, view)
    allowed = base
    for bits in filters.values():
        allowed &= bits
    total = allowed.bit_count()
    hits, timed_out = _page(searcher, view, request, parsed, allowed, total)
    counts = disjunctive_counts(base, filters, view)
    suggestion = _suggestion(searcher, builder, request, parsed, view, filters)
    return SearchResults(request=request, total=total, hits=hits,
                         facets=_facet_values(request, counts, vocabularies),
                         suggestion=suggestion, timed_out=timed_out)


def _page(searcher, view, request, parsed, allowed: int, total: int) -> tuple[tuple[Hit, ...], bool]:
    """Return the requested page of hits, ranked (or sorted), within the time limit."""
    if not total:
        return (), False
    sort = request.effective_sort()
    language = detect(" ".join(parsed.words)) if len(parsed.words) >= 2 else None
    searcher.weighting.priors = _priors(view, language or request.language, parsed.languages)
    limit = request.page * request.per_page
    allowed_docs = None if allowed == view.live else set(members(allowed, view.size).tolist())
    collector = searcher.collector(limit=limit, sortedby=_sorted_by(sort), filter=allowed_docs)
    timed = TimeLimitCollector(collector, timelimit=TIME_LIMIT_SECONDS, use_alarm=False)
    timed_out = False
    try:
        searcher.search_with_collector(parsed.scoring_query(), timed)
    except TimeLimit:
        timed_out = True
    results = timed.results()
    hits = [_hit(searcher, results.docnum(i), results.score(i) if sort == "relevance" else None, parsed)
            for i in range((request.page - 1) * request.per_page, min(results.scored_length(), limit))]
    return tuple(hits), timed_out


def similar(index: SearchIndex, product_id: str, vocabularies: Vocabularies, limit: int = 5) -> tuple[Hit, ...]:
    """Return up to `limit` products most like `product_id` (more like this), best first."""
    ix = index.open()
    try:
        with ix.searcher(weighting=PriorBM25F()) as searcher:
            docnum = searcher.document_number(id=product_id)
            if docnum is None:
                return ()
            data = searcher.stored_fields(docnum)["data"]
            text = " ".join([data["title"], data["summary"]]
                            + [" ".join(data["themes"]), " ".join(data["agencies"])])
            results = searcher.more_like(docnum, "exact_text", text=text, top=limit,
                                         numterms=12, normalize=True)
            parsed = ParsedQuery()
            return tuple(_hit(searcher, hit.docnum, hit.score, parsed) for hit in results)
    except DAMAGE as exc:
        raise IndexUnavailableError(f"the search index is damaged ({type(exc).__name__})") from exc
    finally:
        ix.close()
