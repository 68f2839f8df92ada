#!/usr/bin/env python
"""Search speed benchmark: the shipped corpus and synthetic catalogues of 1k-100k products.

For each catalogue it builds a Whoosh index in a temporary directory, runs a seeded mix of
queries through `indexer.search.search` (hits, exact total and every facet, page 1 of 20)
and reports build time, docs/s, p50/p95/max latency and queries/s. On the smaller
catalogues (at most NAIVE_MAX_SIZE products, unless --naive-all) it also times the naive
way of counting facets (one Whoosh query per facet value) on the first NAIVE_QUERIES
queries of the same mix, within --naive-budget seconds, for comparison.

    .venv/bin/python benchmarks/search_speed.py                      # 1k, 10k, 100k + corpus
    .venv/bin/python benchmarks/search_speed.py --sizes 1000,10000   # quicker
    .venv/bin/python benchmarks/search_speed.py --json               # machine-readable

Synthetic products are generated lazily from `random.Random(seed)`, so a run is repeatable
and 100,000 products never sit in memory at once. Progress goes to stderr; the table
(or the JSON) goes to stdout.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import importlib.metadata
import inspect
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from whoosh.analysis import STOP_WORDS  # noqa: E402
from whoosh.query import And, AndNot, Every, NumericRange, Or, Query, Term  # noqa: E402

from catalogue.model import LanguageVersion, Product, Status  # noqa: E402
from catalogue.validation import validate  # noqa: E402
from catalogue.vocabularies import Vocabularies  # noqa: E402
from indexer import search as search_module  # noqa: E402
from indexer.index import SearchIndex  # noqa: E402

CORPUS = ROOT / "corpus"
VOCABULARIES = CORPUS / "vocabularies"
WARMUP = 10
NAIVE_QUERIES = 20
NAIVE_MAX_SIZE = 1_000
NAIVE_FACETS = ("agency", "theme", "type", "language")
UN_LANGUAGES = ("fr", "es", "ar", "ru", "zh", "pt")
# Facet name -> vocabulary name (the engine's own table when it has one).
FACET_VOCABULARIES = getattr(search_module, "FACET_VOCABULARIES", None) or {
    "agency": "agency", "theme": "theme", "type": "resource_type", "language": "language",
    "region": "region", "stage": "programming_stage"}
FILTER_FACETS = tuple(getattr(search_module, "FILTER_FACETS",
                              ("agency", "theme", "type", "language", "region", "stage")))
try:
    from indexer.schema import FACET_FIELDS  # facet name -> index field
except ImportError:  # pragma: no cover - the indexer is being rewritten
    FACET_FIELDS = {facet: facet for facet in FILTER_FACETS}
# Query words: frequent corpus words, minus the function words of the corpus languages.
EXTRA_STOP_WORDS = {"des", "les", "los", "las", "del", "une", "para", "por", "con", "pour",
                    "sur", "dans", "aux", "par", "que", "qui", "est", "una", "este", "esta",
                    "how", "its", "their", "also", "who", "what", "which"}
WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
GOALS = (
    ("corpus", "p95", 20.0, "corpus p95 <= 20 ms"),
    (10_000, "p95", 50.0, "10,000 p95 <= 50 ms"),
    (10_000, "build", 60.0, "10,000 rebuild <= 60 s"),
    (100_000, "p95", 300.0, "100,000 p95 <= 300 ms"),
)


def log(message: str) -> None:
    """Print a progress line to stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- corpus data

@dataclasses.dataclass
class CorpusStats:
    """What the synthetic generator borrows from the real corpus."""

    words: list[str]                # every word of every title and summary, with repeats
    query_words: list[str]          # the same, lower case, without function words
    agency_weights: list[tuple[str, float]]
    theme_weights: list[tuple[str, float]]
    type_weights: list[tuple[str, float]]


def corpus_stats(vocabularies: Vocabularies) -> CorpusStats:
    """Read `corpus/products.jsonl` for its words and its tag frequencies."""
    words: list[str] = []
    counts = {name: Counter() for name in ("agency", "theme", "resource_type")}
    with (CORPUS / "products.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            for text in (record.get("title") or "", record.get("summary") or ""):
                words += WORD.findall(text)
            for vocabulary, raw_values in (("agency", record.get("agencies") or []),
                                           ("theme", record.get("themes") or []),
                                           ("resource_type", [record.get("type") or ""])):
                for raw in raw_values:
                    term_id = vocabularies[vocabulary].resolve(raw) if raw else None
                    if term_id:
                        counts[vocabulary][term_id] += 1
    stop = set(STOP_WORDS) | EXTRA_STOP_WORDS
    query_words = [w.lower() for w in words
                   if len(w) >= 3 and w.lower() not in stop and not w.isdigit()]

    # Agencies: Zipf-like weights by rank, the corpus's most frequent publishers first,
    # then every other agency of the vocabulary in file order (a long, thin tail).
    agency_ids = [t.id for t in vocabularies["agency"]]
    ranked = sorted(agency_ids, key=lambda a: (-counts["agency"][a], agency_ids.index(a)))
    agency_weights = [(a, 1.0 / (rank + 1) ** 1.1) for rank, a in enumerate(ranked)]
    theme_weights = [(t.id, counts["theme"][t.id] + 1.0) for t in vocabularies["theme"]]
    type_weights = [(t.id, counts["resource_type"][t.id] + 1.0)
                    for t in vocabularies["resource_type"]]
    return CorpusStats(words, query_words, agency_weights, theme_weights, type_weights)


# --------------------------------------------------------------------------- synthetic data

class _Weighted:
    """A seeded weighted choice over a fixed list of values."""

    def __init__(self, pairs: list[tuple[str, float]]):
        self.values = [v for v, _ in pairs]
        total = 0.0
        self.cumulative = []
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cumulative)[0]

    def distinct(self, rng: random.Random, k: int) -> tuple[str, ...]:
        chosen: list[str] = []
        while len(chosen) < min(k, len(self.values)):
            value = self.pick(rng)
            if value not in chosen:
                chosen.append(value)
        return tuple(chosen)


def _sentence(rng: random.Random, words: list[str], n: int, stop: str = "") -> str:
    text = " ".join(rng.choices(words, k=n))
    return text[:1].upper() + text[1:] + stop


def synthetic_products(size: int, seed: int, stats: CorpusStats, vocabularies: Vocabularies,
                       full_text_words: tuple[int, int],
                       timer: dict[str, float] | None = None) -> Iterator[Product]:
    """Yield `size` valid, seeded products one at a time (`timer["seconds"]` accrues
    the time spent generating them, so it can be told apart from indexing)."""
    rng = random.Random(seed)
    agencies = _Weighted(stats.agency_weights)
    themes = _Weighted(stats.theme_weights)
    types = _Weighted(stats.type_weights)
    all_languages = [t.id for t in vocabularies["language"]]
    other_regions = [t.id for t in vocabularies["region"] if t.id != "global"]
    stages = [t.id for t in vocabularies["programming_stage"]]
    un_languages = _Weighted([(lang, w) for lang, w in
                              zip(UN_LANGUAGES, (30, 30, 12, 10, 8, 10))])
    words = stats.words
    low, high = full_text_words
    timer = timer if timer is not None else {}
    timer.setdefault("seconds", 0.0)
    started = time.perf_counter()
    for number in range(1, size + 1):
        t0 = time.perf_counter()
        languages = ["en" if rng.random() < 0.75 else un_languages.pick(rng)]
        for _ in range(rng.choices((0, 1, 2), weights=(65, 25, 10))[0]):
            extra = (rng.choice(all_languages) if rng.random() < 0.05
                     else rng.choice(("en",) + UN_LANGUAGES))
            if extra not in languages:
                languages.append(extra)
        regions: list[str] = []
        for _ in range(rng.choices((1, 2), weights=(85, 15))[0]):
            region = "global" if rng.random() < 0.7 else rng.choice(other_regions)
            if region not in regions:
                regions.append(region)
        versions = tuple(
            LanguageVersion(language=lang, title=_sentence(rng, words, rng.randint(6, 18)),
                            url=f"https://example.org/products/p{number:06d}/{lang}")
            for lang in rng.sample(languages[1:], rng.randint(0, min(2, len(languages) - 1))))
        product = Product(
            id=f"p{number:06d}",
            title=_sentence(rng, words, rng.randint(6, 18)),
            type=types.pick(rng),
            summary=_sentence(rng, words, rng.randint(30, 70), "."),
            agencies=agencies.distinct(rng, rng.choices((1, 2, 3), weights=(70, 22, 8))[0]),
            themes=themes.distinct(rng, rng.choices((1, 2, 3, 4), weights=(20, 35, 35, 10))[0]),
            languages=tuple(languages),
            regions=tuple(regions),
            stages=tuple(rng.sample(stages, rng.choices((0, 1, 2), weights=(50, 30, 20))[0])),
            year=None if rng.random() < 0.2 else rng.randint(1995, 2025),
            url=f"https://example.org/products/p{number:06d}",
            versions=versions,
            full_text=(_sentence(rng, words, rng.randint(low, high), ".") if high > 0 else None),
            status=Status.PUBLISHED,
        )
        if number <= 200:  # the generator must make products the catalogue would accept
            errors = validate(product, vocabularies)
            if errors:
                raise SystemExit(f"synthetic product {product.id} is invalid: {errors}")
        timer["seconds"] += time.perf_counter() - t0
        if number % 10_000 == 0 and size >= 20_000:
            log(f"  {number:,}/{size:,} products indexed "
                f"({time.perf_counter() - started:.0f} s)")
        yield product


# --------------------------------------------------------------------------- queries

@dataclasses.dataclass(frozen=True)
class QueryTemplate:
    """One query of the mix, before its filter values are picked from a catalogue."""

    kind: str                              # words | browse | word+filter | words+2filters+years
    q: str
    filter_facets: tuple[str, ...] = ()
    picks: tuple[float, ...] = ()          # where in the catalogue's value list to pick
    year_from: int | None = None
    year_to: int | None = None


@dataclasses.dataclass(frozen=True)
class BenchQuery:
    """One query of the mix, ready to run on a given catalogue."""

    kind: str
    q: str
    filters: dict[str, tuple[str, ...]]
    year_from: int | None
    year_to: int | None


def query_templates(n: int, rng: random.Random, query_words: list[str]) -> list[QueryTemplate]:
    """Return `n` seeded queries: 60% 1-3 words, 15% browse, 15% a word and one agency or
    theme filter, 10% two words, two filters of different facets and a year range."""
    kinds = ["words"] * 60 + ["browse"] * 15 + ["word+filter"] * 15 + ["words+2filters+years"] * 10
    templates = []
    for _ in range(n):
        kind = rng.choice(kinds)
        if kind == "words":
            templates.append(QueryTemplate(kind, " ".join(rng.choices(query_words,
                                                                      k=rng.randint(1, 3)))))
        elif kind == "browse":
            templates.append(QueryTemplate(kind, ""))
        elif kind == "word+filter":
            templates.append(QueryTemplate(kind, rng.choice(query_words),
                                           (rng.choice(("agency", "theme")),), (rng.random(),)))
        else:
            year_from = rng.randint(1995, 2020)
            templates.append(QueryTemplate(
                kind, " ".join(rng.choices(query_words, k=2)),
                tuple(rng.sample(FILTER_FACETS, 2)), (rng.random(), rng.random()),
                year_from, min(2025, year_from + rng.randint(3, 10))))
    return templates


def present_values(index: SearchIndex, vocabularies: Vocabularies) -> dict[str, list[str]]:
    """Return, per facet, the vocabulary values that occur in the index (vocabulary order)."""
    ix = index.open()
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            values = {}
            for facet in FILTER_FACETS:
                field = FACET_FIELDS.get(facet, facet)
                terms = {t.decode("utf-8") if isinstance(t, bytes) else t
                         for t in reader.field_terms(field)} if field in reader.indexed_field_names() else set()
                values[facet] = [t.id for t in vocabularies[FACET_VOCABULARIES[facet]]
                                 if t.id in terms]
            return values
    finally:
        ix.close()


def resolve(templates: list[QueryTemplate], values: dict[str, list[str]]) -> list[BenchQuery]:
    """Pick each template's filter values among those present in a catalogue."""
    queries = []
    for t in templates:
        filters = {}
        for facet, pick in zip(t.filter_facets, t.picks):
            choices = values.get(facet) or []
            if choices:
                filters[facet] = (choices[min(len(choices) - 1, int(pick * len(choices)))],)
        queries.append(BenchQuery(t.kind, t.q, filters, t.year_from, t.year_to))
    return queries


# --------------------------------------------------------------------------- the engine

_REQUEST_FIELDS = {f.name for f in dataclasses.fields(search_module.SearchRequest)}


def make_request(query: BenchQuery):
    """Return the engine's SearchRequest for `query`: page 1 of 20, every facet."""
    wanted = dict(q=query.q, filters=dict(query.filters), year_from=query.year_from,
                  year_to=query.year_to, page=1, per_page=20)
    if "facets" in _REQUEST_FIELDS:  # in case the engine learns to compute only some
        wanted["facets"] = tuple(FILTER_FACETS) + ("year",)
    return search_module.SearchRequest(**{k: v for k, v in wanted.items() if k in _REQUEST_FIELDS})


def engine_caller(index: SearchIndex, vocabularies: Vocabularies) -> Callable:
    """Return `call(request)` that runs `indexer.search.search` whatever order it takes
    its index, request and vocabularies in."""
    search = search_module.search
    params = [p for p in inspect.signature(search).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]

    def role(name: str) -> str | None:
        name = name.lower()
        if "vocab" in name:
            return "vocabularies"
        if "req" in name:
            return "request"
        if "index" in name or name in ("ix", "idx", "engine"):
            return "index"
        return None

    roles = [(p, role(p.name)) for p in params]
    if any(r is None and p.default is p.empty for p, r in roles):
        raise SystemExit(f"cannot call indexer.search.search{inspect.signature(search)}")

    def call(request):
        given = {"index": index, "request": request, "vocabularies": vocabularies}
        args, kwargs = [], {}
        for p, r in roles:
            if r is None:
                continue
            if p.kind == p.KEYWORD_ONLY:
                kwargs[p.name] = given[r]
            else:
                args.append(given[r])
        return search(*args, **kwargs)

    return call


def user_query(q: str, searcher, vocabularies: Vocabularies, any_word: bool = False) -> Query:
    """Return one Whoosh query for the user's words, matching what the engine matches.

    Uses `indexer.search.parse_query` if the engine has it; else the engine's
    `indexer.query.QueryBuilder` (clauses, of which `minimum_match()` must match, plus
    required and excluded parts); else a plain MultifieldParser over title and summary.
    """
    parse = getattr(search_module, "parse_query", None)
    if parse is not None:
        try:
            return parse(q, any_word=any_word)
        except TypeError:
            return parse(q)
    if not q.strip():
        return Every()
    try:
        from indexer.query import QueryBuilder
    except ImportError:
        QueryBuilder = None
    if QueryBuilder is not None:
        parsed = QueryBuilder(searcher, vocabularies).parse(q)
        if parsed.is_everything:
            return Every()
        parts: list[Query] = list(parsed.required)
        clauses = list(parsed.clauses)
        if clauses:
            need = 1 if any_word else min(len(clauses), parsed.minimum_match())
            if need >= len(clauses):
                parts += clauses
            elif need == 1:
                parts.append(Or(clauses))
            else:
                parts.append(Or([And(list(c)) for c in combinations(clauses, need)]))
        query: Query = And(parts) if len(parts) > 1 else (parts[0] if parts else Every())
        if parsed.excluded:
            query = AndNot(query, Or(list(parsed.excluded)))
        return query
    from whoosh import qparser
    names = [n for n in ("title", "summary") if n in searcher.schema] or \
        [n for n, f in searcher.schema.items() if f.format and f.scorable][:4]
    group = qparser.OrGroup if any_word else qparser.AndGroup
    return qparser.MultifieldParser(names, searcher.schema, group=group).parse(q)


# --------------------------------------------------------------------------- measuring

def summary(times: list[float]) -> dict[str, float]:
    """Return p50, p95 and max in ms, and queries per second, of `times` (seconds)."""
    ordered = sorted(times)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"p50_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000,
            "max_ms": ordered[-1] * 1000, "qps": len(ordered) / sum(ordered),
            "queries": len(ordered)}


def run_engine(index: SearchIndex, vocabularies: Vocabularies, warmup: list[BenchQuery],
               queries: list[BenchQuery]) -> dict:
    """Time `search()` on every query (after untimed warm-up ones)."""
    call = engine_caller(index, vocabularies)
    for query in warmup:
        call(make_request(query))
    times, by_kind, empty, timed_out = [], {}, 0, 0
    for query in queries:
        request = make_request(query)
        t0 = time.perf_counter()
        results = call(request)
        elapsed = time.perf_counter() - t0
        times.append(elapsed)
        by_kind.setdefault(query.kind, []).append(elapsed)
        empty += getattr(results, "total", 1) == 0
        timed_out += bool(getattr(results, "timed_out", False))
    out = summary(times)
    out["by_kind"] = {kind: summary(t) for kind, t in by_kind.items()}
    out["no_results"] = empty
    out["timed_out"] = timed_out
    return out


def run_naive(index: SearchIndex, vocabularies: Vocabularies, values: dict[str, list[str]],
              queries: list[BenchQuery], budget: float) -> dict:
    """Time the naive way: page-1 hits, then one count query per facet value.

    Stops starting new queries once `budget` seconds of timed queries have run."""
    ix = index.open()
    try:
        def answer(query: BenchQuery) -> int:
            with ix.searcher() as searcher:
                words = user_query(query.q, searcher, vocabularies)
                filters: dict[str, Query] = {
                    facet: Or([Term(FACET_FIELDS.get(facet, facet), v) for v in chosen])
                    for facet, chosen in query.filters.items()}
                years = ([NumericRange("year_sort", query.year_from or 0, query.year_to or 9999)]
                         if query.year_from is not None or query.year_to is not None else [])
                hits = searcher.search(And([words, *filters.values(), *years]), limit=20)
                if len(hits) == 0 and query.q.strip():  # the engine's any-word fallback
                    words = user_query(query.q, searcher, vocabularies, any_word=True)
                    hits = searcher.search(And([words, *filters.values(), *years]), limit=20)
                [hit.fields() for hit in hits]
                counted = 0
                for facet in NAIVE_FACETS:
                    field = FACET_FIELDS.get(facet, facet)
                    others = [q for f, q in filters.items() if f != facet]  # disjunctive
                    for value in values.get(facet, ()):
                        len(searcher.search(And([words, *others, *years, Term(field, value)]),
                                            limit=1))
                        counted += 1
                return counted

        for query in queries[:2]:  # warm-up, untimed
            answer(query)
        times, searches = [], 0
        for number, query in enumerate(queries, start=1):
            t0 = time.perf_counter()
            searches += answer(query)
            times.append(time.perf_counter() - t0)
            if number % 5 == 0 and sum(times) > 30:
                log(f"  naive: {number}/{len(queries)} queries ({sum(times):.0f} s)")
            if sum(times) >= budget and number < len(queries):
                log(f"  naive: time budget of {budget:.0f} s used up after {number} queries")
                break
    finally:
        ix.close()
    out = summary(times)
    out["count_queries_per_search"] = searches / len(times)
    out["planned"] = len(queries)
    return out


def measure(label: str, size: int, index: SearchIndex, build: dict, vocabularies: Vocabularies,
            templates: list[QueryTemplate], warmup: list[QueryTemplate], naive: bool,
            naive_budget: float) -> dict:
    """Run the query mix (and the naive comparison, if asked) on one built catalogue."""
    values = present_values(index, vocabularies)
    queries = resolve(templates, values)
    log(f"{label}: timing {len(queries)} queries through search() "
        f"(+{len(warmup)} warm-up)")
    row = {"catalogue": label, "products": size, **build,
           "engine": run_engine(index, vocabularies, resolve(warmup, values), queries)}
    e = row["engine"]
    log(f"{label}: p50 {e['p50_ms']:.1f} ms, p95 {e['p95_ms']:.1f} ms, "
        f"max {e['max_ms']:.1f} ms, {e['qps']:.1f} q/s")
    if naive:
        subset = queries[:NAIVE_QUERIES]
        log(f"{label}: timing the naive facet counting on the first {len(subset)} queries")
        row["naive"] = run_naive(index, vocabularies, values, subset, naive_budget)
        n = row["naive"]
        log(f"{label}: naive p50 {n['p50_ms']:.1f} ms, p95 {n['p95_ms']:.1f} ms "
            f"({n['count_queries_per_search']:.0f} count queries per search)")
    else:
        row["naive"] = None
        row["naive_note"] = "skipped: would take too long"
    return row


# --------------------------------------------------------------------------- catalogues

def bench_corpus(vocabularies, templates, warmup, naive: bool, naive_budget: float) -> dict:
    """Import the shipped corpus into a temporary SQLite store, index and measure it."""
    from catalogue.importers.corpus import CorpusImporter
    from catalogue.store import Store

    tmp = Path(tempfile.mkdtemp(prefix="hrba-bench-corpus-"))
    store = None
    try:
        log("corpus: importing corpus/ into a temporary SQLite store")
        store = Store(f"sqlite:///{tmp / 'catalogue.sqlite3'}")
        store.upgrade()
        t0 = time.perf_counter()
        CorpusImporter(store, vocabularies).run(CORPUS)
        imported = time.perf_counter() - t0
        index = SearchIndex(tmp / "index")
        report = index.rebuild(store.iter_products(Status.PUBLISHED), vocabularies)
        log(f"corpus: imported in {imported:.1f} s; indexed {report.documents} products "
            f"in {report.seconds:.2f} s")
        build = {"build_s": report.seconds, "docs_per_s": report.documents / report.seconds,
                 "import_s": imported}
        return measure("corpus", report.documents, index, build, vocabularies,
                       templates, warmup, naive, naive_budget)
    finally:
        if store is not None:
            store.close()
        shutil.rmtree(tmp, ignore_errors=True)


def bench_synthetic(size, seed, stats, vocabularies, full_text_words, templates, warmup,
                    naive: bool, naive_budget: float) -> dict:
    """Generate, index and measure one synthetic catalogue of `size` products."""
    tmp = Path(tempfile.mkdtemp(prefix=f"hrba-bench-{size}-"))
    label = f"synthetic {size:,}"
    try:
        log(f"{label}: generating and indexing {size:,} products "
            f"(full text {full_text_words[0]}-{full_text_words[1]} words)")
        timer: dict[str, float] = {}
        index = SearchIndex(tmp)
        report = index.rebuild(
            synthetic_products(size, seed, stats, vocabularies, full_text_words, timer),
            vocabularies)
        if report.documents != size:
            raise SystemExit(f"{label}: indexed {report.documents} products, expected {size}")
        log(f"{label}: built in {report.seconds:.1f} s "
            f"({timer['seconds']:.1f} s of it generating products), "
            f"{report.documents / report.seconds:,.0f} docs/s")
        build = {"build_s": report.seconds, "docs_per_s": report.documents / report.seconds,
                 "generation_s": timer["seconds"]}
        return measure(label, size, index, build, vocabularies, templates, warmup, naive,
                       naive_budget)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        gc.collect()


# --------------------------------------------------------------------------- output

def goals(rows: list[dict]) -> list[dict]:
    """Return each goal with the measured value and met / not met / not measured."""
    by_key = {("corpus" if r["catalogue"] == "corpus" else r["products"]): r for r in rows}
    out = []
    for key, metric, limit, text in GOALS:
        row = by_key.get(key)
        if row is None:
            out.append({"goal": text, "value": None, "status": "not measured"})
            continue
        value = row["engine"]["p95_ms"] if metric == "p95" else row["build_s"]
        out.append({"goal": text, "value": value,
                    "status": "met" if value <= limit else "not met"})
    return out


def table(rows: list[dict]) -> str:
    """Return the results as an aligned text table."""
    head = ["catalogue", "products", "build s", "docs/s", "p50 ms", "p95 ms", "max ms",
            "q/s", "naive p50", "naive p95"]
    lines = []
    for r in rows:
        e, n = r["engine"], r["naive"]
        lines.append([r["catalogue"], f"{r['products']:,}", f"{r['build_s']:.1f}",
                      f"{r['docs_per_s']:,.0f}", f"{e['p50_ms']:.1f}", f"{e['p95_ms']:.1f}",
                      f"{e['max_ms']:.1f}", f"{e['qps']:.1f}",
                      f"{n['p50_ms']:.1f}" if n else "skipped",
                      f"{n['p95_ms']:.1f}" if n else "skipped"])
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]

    def fmt(cells):
        return " | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                          for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([fmt(head), "-+-".join("-" * w for w in widths), *map(fmt, lines)])


def kind_table(rows: list[dict]) -> str:
    """Return p95 (ms) per query kind and catalogue."""
    kinds = ["words", "browse", "word+filter", "words+2filters+years"]
    head = ["p95 ms by query kind"] + kinds
    lines = [[r["catalogue"]] + [f"{r['engine']['by_kind'][k]['p95_ms']:.1f}"
                                 if k in r["engine"]["by_kind"] else "-" for k in kinds]
             for r in rows]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
    return "\n".join(" | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                for i, (c, w) in enumerate(zip(cells, widths)))
                     for cells in [head] + lines)


def machine() -> dict:
    """Return what the numbers were measured on."""
    try:
        whoosh_version = importlib.metadata.version("whoosh3")
    except importlib.metadata.PackageNotFoundError:
        whoosh_version = "unknown (whoosh3 not installed as such)"
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "whoosh3": whoosh_version}


# --------------------------------------------------------------------------- main

def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("sizes are comma-separated whole numbers") from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be 1 or more")
    return sizes


def _word_range(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text)
    if not match:
        raise argparse.ArgumentTypeError("give a number of words (N) or a range (LOW-HIGH)")
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    if high < low:
        raise argparse.ArgumentTypeError("the range's high end is below its low end")
    return low, high


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=_sizes, default=[1_000, 10_000, 100_000],
                        help="synthetic catalogue sizes, comma-separated (default 1000,10000,100000)")
    parser.add_argument("--queries", type=int, default=200,
                        help="queries in the timed mix (default 200)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--full-text-words", type=_word_range, default=(300, 800),
                        metavar="LOW-HIGH",
                        help="words of full text per synthetic product (default 300-800; 0 omits it)")
    parser.add_argument("--include-corpus", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure the shipped corpus (default on)")
    parser.add_argument("--naive-all", action="store_true",
                        help=f"time the naive facet counting on every catalogue, not only "
                             f"those of at most {NAIVE_MAX_SIZE:,} products")
    parser.add_argument("--naive-budget", type=float, default=300.0, metavar="SECONDS",
                        help="stop timing the naive way on a catalogue once its queries have "
                             "taken this long (default 300)")
    parser.add_argument("--json", action="store_true",
                        help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    if args.queries < 1:
        parser.error("--queries must be 1 or more")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    vocabularies = Vocabularies.load(VOCABULARIES)
    stats = corpus_stats(vocabularies)
    templates = query_templates(args.queries, random.Random(args.seed), stats.query_words)
    warmup = query_templates(WARMUP, random.Random(f"{args.seed}:warm-up"), stats.query_words)
    info = machine()
    log(f"machine: {info['cpus']} CPUs, Python {info['python']}, whoosh3 {info['whoosh3']}; "
        f"{len(stats.words):,} corpus words ({len(set(stats.query_words)):,} distinct query words)")

    rows: list[dict] = []
    interrupted = False
    signal.signal(signal.SIGTERM, _terminate)  # clean up and report what is done
    try:
        if args.include_corpus:
            rows.append(bench_corpus(vocabularies, templates, warmup, True, args.naive_budget))
        for size in args.sizes:
            rows.append(bench_synthetic(size, args.seed, stats, vocabularies,
                                        args.full_text_words, templates, warmup,
                                        args.naive_all or size <= NAIVE_MAX_SIZE,
                                        args.naive_budget))
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: reporting the catalogues finished so far")
    results = {"machine": info,
               "settings": {"sizes": args.sizes, "queries": args.queries, "seed": args.seed,
                            "full_text_words": list(args.full_text_words),
                            "warmup_queries": WARMUP, "naive_queries": NAIVE_QUERIES,
                            "naive_facets": list(NAIVE_FACETS),
                            "naive_budget_s": args.naive_budget},
               "interrupted": interrupted, "rows": rows, "goals": goals(rows)}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_report(results, args)
    return 130 if interrupted else 0


def _terminate(signum, frame):
    raise KeyboardInterrupt


def print_report(results: dict, args: argparse.Namespace) -> None:
    """Print the results as tables, notes and goals."""
    rows, info = results["rows"], results["machine"]
    print(f"Search speed: {args.queries} queries per catalogue (seed {args.seed}; 60% 1-3 words, "
          f"15% browse, 15% a word + an agency or theme filter, 10% two words + two filters + "
          f"years), page 1 of 20, every facet; {WARMUP} warm-up queries untimed.")
    print(f"Synthetic products: full text of {args.full_text_words[0]}-{args.full_text_words[1]} "
          f"words each" if args.full_text_words[1] else "Synthetic products: no full text")
    if results["interrupted"]:
        print("INTERRUPTED: only the catalogues finished before the interruption are shown.")
    print()
    if rows:
        print(table(rows))
        print()
        print(kind_table(rows))
        print()
    print("Notes:")
    for r in rows:
        extra = []
        if "import_s" in r:
            extra.append(f"corpus import into SQLite {r['import_s']:.1f} s (not in build s)")
        if "generation_s" in r:
            extra.append(f"build s includes {r['generation_s']:.1f} s generating the products")
        extra.append(f"{r['engine']['no_results']} of {r['engine']['queries']} queries "
                     f"found nothing")
        if r["engine"]["timed_out"]:
            extra.append(f"{r['engine']['timed_out']} hit the engine's time limit")
        n = r["naive"]
        if n:
            done = (f"the first {n['queries']} queries" if n["queries"] == n["planned"] else
                    f"the first {n['queries']} of {n['planned']} queries (time budget "
                    f"{args.naive_budget:.0f} s used up)")
            extra.append(f"naive timed on {done}, "
                         f"{n['count_queries_per_search']:.0f} Whoosh count queries each")
        else:
            extra.append(f"naive {r['naive_note']} (pass --naive-all to run it)")
        print(f"  {r['catalogue']}: " + "; ".join(extra))
    print(f"  naive = page-1 hits + one Whoosh query per facet value present in the index, "
          f"for {', '.join(NAIVE_FACETS)} only, on the first {NAIVE_QUERIES} queries of the mix "
          f"and only on catalogues of at most {NAIVE_MAX_SIZE:,} products unless --naive-all.")
    print()
    print("Goals:")
    for g in results["goals"]:
        value = "" if g["value"] is None else (f" (measured {g['value']:.1f} "
                                                f"{'s' if 'rebuild' in g['goal'] else 'ms'})")
        print(f"  {g['goal']}: {g['status']}{value}")
    print()
    print(f"Machine: {info['cpus']} CPUs, Python {info['python']}, whoosh3 {info['whoosh3']}, "
          f"{info['platform']}")


if __name__ == "__main__":
    sys.exit(main())
