"""Search: one function that answers a SearchRequest with SearchResults.

The search page, the JSON API and the command line all call `search` and only render what
it returns. Ranking is BM25F over per-language fields with field weights, a proximity bonus,
a coordination bonus, and a light prior (current, UN-system, inter-agency, and in the
user's language); the result set is every product matching enough of the query's clauses.
"""

from __future__ import annotations

import re
import threading
import time
from functools import lru_cache
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Mapping

import numpy as np

from catalogue.vocabularies import Vocabularies
from indexer.errors import IndexUnavailableError, QueryError
from indexer.evaluation import evaluate
from indexer.facets import IndexView, bits_of, disjunctive_counts, flags_of, index_view
from indexer.index import DAMAGE, SearchIndex
from indexer import proximity, segments
from indexer.language import detect
from indexer.query import ParsedQuery, QueryBuilder
from indexer.vectors import VectorScorer
from indexer.schema import FACET_FIELDS
from indexer.snippets import snippet

SORTS = ("relevance", "newest", "oldest", "title")
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
MAX_OFFSET = MAX_PAGE * MAX_PER_PAGE  # the deepest result a page or cursor may start at
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
    offset: int | None = None  # where the page starts, for cursors; else from `page`

    def start(self) -> int:
        """Return the position of the first result of this page."""
        return self.offset if self.offset is not None else (self.page - 1) * self.per_page

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

    def version_url(self, language: str) -> str | None:
        """Return the link to this product's version in `language`, if one is known."""
        return next((url for lang, _, url in self.versions if lang == language and url), None)


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
    if request.offset is not None and not 0 <= request.offset <= MAX_OFFSET:
        raise QueryError(f"offset must be from 0 to {MAX_OFFSET}")
    if request.offset is None and request.page > MAX_PAGE:
        raise QueryError(f"page must be from 1 to {MAX_PAGE}")
    unknown = set(request.filters) - set(FILTER_FACETS)
    if unknown:
        raise QueryError(f"unknown filter {sorted(unknown)[0]!r}")


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


# A snippet depends only on its text, the query's forms and the text's language, and the
# same hits of the same searches come back again and again: each is marked up once.
_snippet = lru_cache(maxsize=16_384)(snippet)


def _hit(searcher, docnum: int, score: float | None, parsed: ParsedQuery) -> Hit:
    stored = segments.stored_fields(searcher.reader(), docnum)
    data = stored["data"]
    return Hit(id=stored["id"], title=data["title"], url=data["url"],
               agencies=tuple(data["agencies"]), themes=tuple(data["themes"]), type=data["type"],
               languages=tuple(data["languages"]), year=data["year"], summary=data["summary"],
               snippet=_snippet(data["summary"], parsed.frozen_terms(), data.get("language")),
               score=round(score, 4) if score is not None else None,
               stages=tuple(data.get("stages") or ()),
               versions=tuple(tuple(v) for v in data["versions"]))


_labels: dict[tuple[str, str, str], str] = {}
_labels_owner: list = [None]  # the vocabularies the kept labels come from


def _label(facet: str, value: str, language: str, vocabularies: Vocabularies) -> str:
    """Return a facet value's label in `language`, looked up once per vocabularies object
    (an admin's change makes a new one, and the kept labels are dropped)."""
    if _labels_owner[0] is not vocabularies:
        _labels.clear()
        _labels_owner[0] = vocabularies
    key = (facet, value, language)
    found = _labels.get(key)
    if found is None:
        found = _look_up_label(facet, value, language, vocabularies)
        if _labels_owner[0] is vocabularies:  # not swapped meanwhile
            if len(_labels) > 50_000:
                _labels.clear()
            _labels[key] = found
    return found


def _look_up_label(facet: str, value: str, language: str, vocabularies: Vocabularies) -> str:
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


def _suggestion(searcher, view: IndexView, vocabularies: Vocabularies, request: SearchRequest,
                parsed: ParsedQuery, filters: dict[str, int]) -> str | None:
    """Return the query with likely typos corrected, if it finds more than the query as typed."""
    if not parsed.corrections:
        return None
    builder = QueryBuilder(searcher, vocabularies)
    scorer = VectorScorer(searcher, view.postings, view.live_flags)
    corrected = request.q
    for word, better in parsed.corrections.items():
        corrected = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", better, corrected)
    if corrected.casefold() == request.q.casefold():
        return None

    def found(q: str) -> int:
        literal = builder.parse(q, correct=False)
        matches = evaluate(literal, scorer, TIME_LIMIT_SECONDS).matching(literal.minimum_match())
        docs = bits_of(matches)
        for allowed in filters.values():
            docs &= allowed
        return docs.bit_count()

    return corrected if found(corrected) > found(request.q) else None


PARSES_KEPT = 1000


def parsed_query(builder: QueryBuilder, view: IndexView, q: str, correct: bool = True) -> ParsedQuery:
    """Return `q` read by `builder`, reusing the reading of an earlier search of the same
    index generation with the same vocabularies. A ParsedQuery is never changed once read."""
    key = (q, correct)
    cached = view.parses.get(key)
    if cached is not None and cached[0] is builder.vocabularies:
        return cached[1]
    parsed = builder.parse(q, correct=correct)
    if len(view.parses) >= PARSES_KEPT:
        view.parses.clear()
    view.parses[key] = (builder.vocabularies, parsed)
    return parsed


RECENT_KEPT = 32
_recent: OrderedDict[str, SearchRequest] = OrderedDict()
_recent_lock = threading.Lock()


def _remember(request: SearchRequest) -> None:
    """Keep the latest searches of distinct words: a new index generation is warmed with
    them (what a new generation must read again is the words' terms, not the filters)."""
    key = request.q
    with _recent_lock:
        _recent[key] = request
        _recent.move_to_end(key)
        while len(_recent) > RECENT_KEPT:
            _recent.popitem(last=False)


def warm(searcher, key: tuple, vocabularies: Vocabularies, pause: float = 0.0) -> int:
    """Ready generation `key` for searches: build its in-memory view, then read and score
    the latest searches of distinct words against it (filling its query and postings caches), as
    Solr's autowarming does; `pause` seconds after each. Return how many searches were replayed."""
    view = index_view(searcher, key)
    with _recent_lock:
        recent = list(_recent.values())
    for request in recent:
        _rank(searcher, view, request, vocabularies)
        if pause:
            time.sleep(pause)
    return len(recent)


def search(index: SearchIndex, request: SearchRequest, vocabularies: Vocabularies) -> SearchResults:
    """Answer `request` from `index` with hits, an exact total and disjunctive facets."""
    check_request(request)
    _remember(request)
    try:
        with index.searcher() as (searcher, generation):
            view = index_view(searcher, generation)
            return _search(searcher, view, request, vocabularies)
    except DAMAGE as exc:
        raise IndexUnavailableError(f"the search index is damaged ({type(exc).__name__})") from exc


RANKINGS_KEPT = 128  # matched queries kept per index generation
_rankings_lock = threading.Lock()


@dataclass(frozen=True)
class _Matched:
    """What a query finds in one index generation, before filters and priors: the same for
    every search of those words, whatever their filters, sort and page."""

    parsed: ParsedQuery
    base: int  # the matching documents, as a bitset
    scores: np.ndarray  # per document, with the nearness bonus; read-only
    language: str | None  # the language the words are written in, if they tell
    timed_out: bool


def _matched(searcher, view: IndexView, q: str, vocabularies) -> _Matched:
    """Return what `q` finds in the generation of `view`, reading and scoring it once per
    generation: a frequent search, its facet clicks and its next pages score the same
    words again and again (Solr keeps its queryResultCache per searcher the same way)."""
    cached = view.rankings.get(q)
    if cached is not None and cached[0] is vocabularies:
        return cached[1]
    builder = QueryBuilder(searcher, vocabularies)
    parsed = parsed_query(builder, view, q)
    evaluation = evaluate(parsed, VectorScorer(searcher, view.postings, view.live_flags),
                          TIME_LIMIT_SECONDS)
    matches, _ = evaluation.results(ENOUGH_RESULTS, parsed.minimum_match())
    proximity.apply(evaluation.scores, matches, parsed.proximity, view.titles)
    evaluation.scores.flags.writeable = False
    language = detect(" ".join(parsed.words)) if len(parsed.words) >= 2 else None
    matched = _Matched(parsed, bits_of(matches), evaluation.scores, language, evaluation.timed_out)
    if not matched.timed_out:  # a later search may have the time to finish it
        with _rankings_lock:
            while len(view.rankings) >= RANKINGS_KEPT:
                view.rankings.pop(next(iter(view.rankings)), None)
            view.rankings[q] = (vocabularies, matched)
    return matched


@dataclass(frozen=True)
class _Ranking:
    """What every search computes before paging: matches, filters and scores."""

    matched: _Matched
    filters: dict[str, int]
    allowed: int
    scores: np.ndarray

    @property
    def parsed(self) -> ParsedQuery:
        return self.matched.parsed

    @property
    def base(self) -> int:
        return self.matched.base


def _rank(searcher, view: IndexView, request: SearchRequest, vocabularies) -> _Ranking:
    matched = _matched(searcher, view, request.q, vocabularies)
    filters = _filters(request, view)
    allowed = matched.base
    for bits in filters.values():
        allowed &= bits
    scores = matched.scores * _priors(view, matched.language or request.language,
                                      matched.parsed.languages)
    return _Ranking(matched, filters, allowed, scores)


def _search(searcher, view: IndexView, request: SearchRequest, vocabularies) -> SearchResults:
    ranking = _rank(searcher, view, request, vocabularies)
    start = request.start()
    order = _order(request, view, flags_of(ranking.allowed, view.size), ranking.scores,
                   start + request.per_page)
    relevance = request.effective_sort() == "relevance"
    hits = tuple(_hit(searcher, int(d), float(ranking.scores[d]) if relevance else None, ranking.parsed)
                 for d in order[start:start + request.per_page])
    counts = disjunctive_counts(ranking.base, ranking.filters, view)
    suggestion = _suggestion(searcher, view, vocabularies, request, ranking.parsed, ranking.filters)
    return SearchResults(request=request, total=ranking.allowed.bit_count(), hits=hits,
                         facets=_facet_values(request, counts, vocabularies),
                         suggestion=suggestion, timed_out=ranking.matched.timed_out)


def search_ids(index: SearchIndex, request: SearchRequest, vocabularies: Vocabularies,
               limit: int | None = None) -> list[str]:
    """Return the ids of every product `request` matches (up to `limit`), in result order.

    For exports of whole result lists and deep paging: no facets, no snippets.
    """
    check_request(replace(request, page=1, offset=None))
    try:
        with index.searcher() as (searcher, generation):
            view = index_view(searcher, generation)
            ranking = _rank(searcher, view, request, vocabularies)
            allowed = flags_of(ranking.allowed, view.size)
            wanted = int(allowed.sum()) if limit is None else min(limit, int(allowed.sum()))
            order = _order(request, view, allowed, ranking.scores, wanted)
            return [searcher.stored_fields(int(d))["id"] for d in order]
    except DAMAGE as exc:
        raise IndexUnavailableError(f"the search index is damaged ({type(exc).__name__})") from exc


def _order(request: SearchRequest, view: IndexView, allowed: np.ndarray, scores: np.ndarray,
           wanted: int) -> np.ndarray:
    """Return the document numbers of the first `wanted` results, in order.

    Ties always break by document number, so pages never overlap or skip.
    """
    docs = np.flatnonzero(allowed)
    if wanted <= 0:
        return docs[:0]
    sort = request.effective_sort()
    if sort == "relevance":
        keys = -scores[docs]
        if docs.size > wanted:  # only the best `wanted` (and their ties) need sorting
            threshold = np.partition(keys, wanted - 1)[wanted - 1]
            docs, keys = docs[keys <= threshold], keys[keys <= threshold]
        return docs[np.lexsort((docs, keys))][:wanted]
    title = view.sort_keys["title"][docs]
    if sort == "newest":
        order = np.lexsort((docs, title, -view.sort_keys["year_sort"][docs]))
    elif sort == "oldest":
        order = np.lexsort((docs, title, view.sort_keys["year_oldest"][docs]))
    else:
        order = np.lexsort((docs, title))
    return docs[order][:wanted]


def similar(index: SearchIndex, product_id: str, vocabularies: Vocabularies, limit: int = 5) -> tuple[Hit, ...]:
    """Return up to `limit` products most like `product_id` (more like this), best first."""
    ix = index.open()
    try:
        with ix.searcher() as searcher:
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
