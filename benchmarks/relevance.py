"""Relevance benchmark: how well our search ranks the shipped corpus, against plain Whoosh.

Builds a throw-away catalogue (SQLite store + our index) from the corpus, runs the dev
queries through `indexer.search.search` and through a plain Whoosh BM25F baseline, and
scores both with the metrics of `shared/eval/README.md`:

* nDCG@10: linear gain (gain = grade), discount 1/log2(rank + 1), the ideal ranking built
  from all judged products of the query;
* MRR@10: reciprocal rank of the first product graded >= 2;
* titles are matched after Unicode NFC and whitespace collapse; only the first occurrence
  of a title in a ranking counts.

Usage (from the repository root)::

    .venv/bin/python benchmarks/relevance.py [--queries P] [--qrels P] [--corpus DIR]
                                             [--k 10] [--json] [--show-misses]

The metric functions are pure; check them with `python -m doctest benchmarks/relevance.py`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

REPOSITORY = Path(__file__).resolve().parents[1]
EVAL_DIR = REPOSITORY.parent / "shared" / "eval"
DEFAULT_QUERIES = EVAL_DIR / "dev_queries.jsonl"
DEFAULT_QRELS = EVAL_DIR / "dev_qrels.jsonl"
DEFAULT_CORPUS = REPOSITORY / "corpus"
KIND_ORDER = ("topic", "question", "acronym", "agency", "typo", "crosslang", "facet")
RELEVANT = 2  # the grade from which a product counts as relevant for MRR
GOALS = {"overall": 0.75, "crosslang": 0.60}  # minimum mean nDCG@10 of our engine

if str(REPOSITORY) not in sys.path:  # run as `python benchmarks/relevance.py`
    sys.path.insert(0, str(REPOSITORY))


# --- metrics (pure) ---------------------------------------------------------------------

def normalise_title(title: str) -> str:
    """Return the comparison form of a title: Unicode NFC, whitespace collapsed.

    >>> normalise_title("  Cafe\\u0301   and\\n rights ")
    'Café and rights'
    """
    return " ".join(unicodedata.normalize("NFC", title).split())


def ranked_grades(titles: Sequence[str], judgments: Mapping[str, int]) -> list[int]:
    """Return the grade of each ranked title; unjudged titles and repeats get 0.

    `judgments` maps normalised titles to grades.

    >>> ranked_grades(["A", "b", "A ", "C"], {"A": 3, "C": 1})
    [3, 0, 0, 1]
    """
    seen: set[str] = set()
    grades = []
    for title in titles:
        key = normalise_title(title)
        grades.append(0 if key in seen else judgments.get(key, 0))
        seen.add(key)
    return grades


def dcg(grades: Sequence[int], k: int) -> float:
    """Return the discounted cumulative gain of the first `k` grades (linear gain).

    >>> dcg([3, 2, 1], 10) == 3 + 2 / math.log2(3) + 1 / math.log2(4)
    True
    """
    return sum(grade / math.log2(rank + 1) for rank, grade in enumerate(grades[:k], start=1))


def ndcg_at_k(grades: Sequence[int], judged: Iterable[int], k: int = 10) -> float:
    """Return nDCG@k of a ranking's `grades` given the grades of all judged products.

    The ideal ranking is every judged grade, best first, cut at `k`. A query with no
    positive judgment scores 0.

    >>> ndcg_at_k([3, 2, 1], [1, 2, 3])
    1.0
    >>> round(ndcg_at_k([0, 3, 0, 2], [3, 2, 1]), 3)
    0.578
    >>> ndcg_at_k([0, 0], [3])
    0.0
    >>> ndcg_at_k([1], [])
    0.0
    """
    ideal = dcg(sorted(judged, reverse=True), k)
    return dcg(grades, k) / ideal if ideal > 0 else 0.0


def mrr_at_k(grades: Sequence[int], k: int = 10, relevant: int = RELEVANT) -> float:
    """Return 1/rank of the first grade >= `relevant` within the first `k`, else 0.

    >>> mrr_at_k([1, 0, 2, 3])
    0.3333333333333333
    >>> mrr_at_k([1, 1, 1])
    0.0
    >>> mrr_at_k([0, 3], k=1)
    0.0
    """
    for rank, grade in enumerate(grades[:k], start=1):
        if grade >= relevant:
            return 1.0 / rank
    return 0.0


def mean(values: Sequence[float]) -> float:
    """Return the arithmetic mean, 0 for no values.

    >>> mean([0.5, 1.0]), mean([])
    (0.75, 0.0)
    """
    return sum(values) / len(values) if values else 0.0


# --- evaluation data --------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """One dev query."""

    qid: str
    text: str
    lang: str
    kind: str


def read_jsonl(path: Path) -> list[dict]:
    """Return the JSON objects of a JSON Lines file, skipping blank lines."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_queries(path: Path) -> list[Query]:
    """Read the query file."""
    return [Query(r["qid"], r["query"], r.get("lang", "en"), r.get("kind", "other"))
            for r in read_jsonl(path)]


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Read the judgments as {qid: {normalised title: grade}} (the highest grade if repeated)."""
    qrels: dict[str, dict[str, int]] = {}
    for r in read_jsonl(path):
        judged = qrels.setdefault(r["qid"], {})
        title = normalise_title(r["title"])
        judged[title] = max(int(r["grade"]), judged.get(title, 0))
    return qrels


# --- engines ----------------------------------------------------------------------------

def build_catalogue(corpus: Path, tmp: Path):
    """Import `corpus` into a fresh SQLite store under `tmp` and build our index there.

    Return (store, index, vocabularies, products) with `products` the published ones.
    """
    from catalogue.importers.corpus import CorpusImporter
    from catalogue.model import Status
    from catalogue.store import Store
    from catalogue.vocabularies import Vocabularies
    from indexer.index import SearchIndex

    corpus_dir = corpus if corpus.is_dir() else corpus.parent
    vocabularies = Vocabularies.load(corpus_dir / "vocabularies")
    store = Store(f"sqlite:///{tmp}/b.sqlite3")
    store.upgrade()
    report = CorpusImporter(store, vocabularies).run(corpus)
    if report.rejected:
        print(f"warning: import {report.summary()}", file=sys.stderr)
    products = list(store.iter_products(Status.PUBLISHED))
    index = SearchIndex(tmp / "index")
    index.rebuild(products, vocabularies)
    return store, index, vocabularies, products


def our_titles(index, vocabularies, query: Query, k: int) -> list[str]:
    """Return the titles our engine ranks first for `query`, best first."""
    from indexer.search import SearchRequest, search

    request = SearchRequest(q=query.text, per_page=k, language=query.lang)
    return [hit.title for hit in search(index, request, vocabularies).hits]


class Baseline:
    """Plain Whoosh: title + summary, StandardAnalyzer, AND group, BM25F defaults."""

    def __init__(self, products, directory: Path):
        from whoosh import index as whoosh_index
        from whoosh.fields import ID, TEXT, Schema

        self.schema = Schema(id=ID(stored=True), title=TEXT(stored=True), summary=TEXT)
        directory.mkdir(parents=True, exist_ok=True)
        self.ix = whoosh_index.create_in(str(directory), self.schema)
        writer = self.ix.writer()
        for product in products:
            writer.add_document(id=product.id, title=product.title, summary=product.summary or "")
        writer.commit()

    def titles(self, text: str, k: int) -> list[str]:
        """Return the top-`k` titles for `text`; raise if Whoosh cannot parse or run it."""
        from whoosh.qparser import MultifieldParser

        query = MultifieldParser(["title", "summary"], self.schema).parse(text)
        with self.ix.searcher() as searcher:
            return [hit["title"] for hit in searcher.search(query, limit=k)]

    def close(self) -> None:
        """Release the index."""
        self.ix.close()


# --- the run ----------------------------------------------------------------------------

@dataclass
class Result:
    """Both engines' figures for one query."""

    query: Query
    ndcg: dict[str, float]
    mrr: dict[str, float]
    ours_top: list[tuple[str, int]] = field(default_factory=list)
    missed: list[tuple[str, int]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def run_engine(fetch, query: Query, k: int) -> tuple[list[str], str | None]:
    """Call `fetch(query)`; on an exception return no titles (the query scores 0) and the error."""
    try:
        return fetch(query)[:k], None
    except Exception as exc:  # noqa: BLE001 - a failing query scores 0 and is reported
        return [], f"{type(exc).__name__}: {exc}"


def evaluate(query: Query, judged: Mapping[str, int], engines: Mapping, k: int) -> Result:
    """Run `query` through every engine and score it."""
    result = Result(query, {}, {})
    for name, fetch in engines.items():
        titles, error = run_engine(fetch, query, k)
        grades = ranked_grades(titles, judged)
        result.ndcg[name] = ndcg_at_k(grades, judged.values(), k)
        result.mrr[name] = mrr_at_k(grades, k)
        if error:
            result.errors[name] = error
        if name == "ours":
            result.ours_top = list(zip(titles, grades))
            found = {normalise_title(t) for t in titles}
            result.missed = sorted(((t, g) for t, g in judged.items()
                                    if g >= RELEVANT and t not in found), key=lambda tg: -tg[1])
    return result


def kinds_of(results: Sequence[Result]) -> list[str]:
    """Return the kinds present, in README order, then any others alphabetically."""
    present = {r.query.kind for r in results}
    return [k for k in KIND_ORDER if k in present] + sorted(present - set(KIND_ORDER))


def summarise(results: Sequence[Result]) -> dict[str, dict]:
    """Return {group: {n, ndcg: {engine: mean}, mrr: {engine: mean}}} by kind and overall."""
    groups = {kind: [r for r in results if r.query.kind == kind] for kind in kinds_of(results)}
    groups["overall"] = list(results)
    return {name: {"n": len(rs),
                   "ndcg": {e: mean([r.ndcg[e] for r in rs]) for e in ("ours", "baseline")},
                   "mrr": {e: mean([r.mrr[e] for r in rs]) for e in ("ours", "baseline")}}
            for name, rs in groups.items()}


def goals(summary: Mapping[str, dict]) -> dict[str, dict]:
    """Return each goal with our figure and whether it is met (a missing group is not met)."""
    out = {}
    for group, target in GOALS.items():
        value = summary[group]["ndcg"]["ours"] if group in summary else None
        out[group] = {"target": target, "ours": value, "met": value is not None and value >= target}
    return out


# --- output -----------------------------------------------------------------------------

def table(results: Sequence[Result], summary: Mapping[str, dict], k: int) -> list[str]:
    """Return the lines of the summary table."""
    lines = [f"relevance on {len(results)} dev queries (k={k})",
             f"{'kind':<11} {'n':<3} {f'nDCG@{k} ours':<13} {'baseline':<10} "
             f"{f'MRR@{k} ours':<12} {'baseline'}"]
    for name, s in summary.items():
        if name == "overall":
            lines.append("-" * 60)
        lines.append(f"{name:<11} {s['n']:<3} {s['ndcg']['ours']:<13.3f} "
                     f"{s['ndcg']['baseline']:<10.3f} "
                     f"{s['mrr']['ours']:<12.3f} {s['mrr']['baseline']:.3f}")
    return lines


def per_query(results: Sequence[Result], k: int) -> list[str]:
    """Return one line per query: qid, kind, nDCG ours vs baseline, and any error."""
    lines = ["", f"per query (nDCG@{k} ours vs baseline)"]
    for r in results:
        delta = r.ndcg["ours"] - r.ndcg["baseline"]
        errors = "".join(f"  [{e} error: {msg}]" for e, msg in r.errors.items())
        lines.append(f"{r.query.qid:<5} {r.query.kind:<10} {r.ndcg['ours']:.3f} vs "
                     f"{r.ndcg['baseline']:.3f}  ({delta:+.3f})  {r.query.text}{errors}")
    return lines


def misses(results: Sequence[Result], k: int) -> list[str]:
    """Return, per query, our top-k titles with their grades and the relevant ones we missed."""
    lines = []
    for r in results:
        lines += ["", f"{r.query.qid} [{r.query.kind}, {r.query.lang}] {r.query.text!r}  "
                      f"nDCG@{k} {r.ndcg['ours']:.3f}"]
        lines += [f"  {rank:>2}. [{grade}] {title}"
                  for rank, (title, grade) in enumerate(r.ours_top, start=1)]
        if not r.ours_top:
            lines.append("  (no hits)")
        lines += [f"  missed [{grade}] {title}" for title, grade in r.missed]
    return lines


def goal_line(status: Mapping[str, dict]) -> str:
    """Return the goal line, met or not met, with our figures."""
    def part(group: str, s: Mapping) -> str:
        value = "n/a" if s["ours"] is None else f"{s['ours']:.3f}"
        return f"{group} {value} {'met' if s['met'] else 'not met'}"
    verdict = "met" if all(s["met"] for s in status.values()) else "not met"
    return (f"goal: overall nDCG@10 >= {GOALS['overall']:.2f}, "
            f"crosslang >= {GOALS['crosslang']:.2f}"
            f": {verdict} ({'; '.join(part(g, s) for g, s in status.items())})")


def as_json(results, summary, status, k: int, seconds: float, documents: int,
            show_misses: bool) -> dict:
    """Return every figure as one JSON-ready document."""
    queries = []
    for r in results:
        entry = {"qid": r.query.qid, "kind": r.query.kind, "lang": r.query.lang,
                 "query": r.query.text, "ndcg": r.ndcg, "mrr": r.mrr, "errors": r.errors}
        if show_misses:
            entry["ours_top"] = [{"title": t, "grade": g} for t, g in r.ours_top]
            entry["missed"] = [{"title": t, "grade": g} for t, g in r.missed]
        queries.append(entry)
    return {"k": k, "queries": len(results), "documents": documents, "seconds": round(seconds, 2),
            "summary": summary, "goals": status, "per_query": queries}


# --- main -------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES,
                        help="dev queries (JSON Lines)")
    parser.add_argument("--qrels", type=Path, default=DEFAULT_QRELS,
                        help="graded judgments (JSON Lines)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="corpus file or directory (default: the repository's corpus/)")
    parser.add_argument("--k", type=int, default=10, help="cut-off rank (default 10)")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    parser.add_argument("--show-misses", action="store_true",
                        help="print our top-k per query and the relevant products we missed")
    args = parser.parse_args(argv)
    for option, path in (("--queries", args.queries), ("--qrels", args.qrels)):
        if not path.is_file():
            parser.exit(2, f"{parser.prog}: error: {option} file not found: {path}\n"
                           "pass the evaluation files with --queries PATH --qrels PATH\n")
    if not 1 <= args.k <= 100:
        parser.error("--k must be from 1 to 100")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Build everything, run both engines on every query, print the figures."""
    args = parse_args(argv)
    started = time.perf_counter()
    queries, qrels = load_queries(args.queries), load_qrels(args.qrels)
    with tempfile.TemporaryDirectory(prefix="hrba-relevance-") as tmp_name:
        tmp = Path(tmp_name)
        store, index, vocabularies, products = build_catalogue(args.corpus, tmp)
        baseline = Baseline(products, tmp / "baseline")
        published = {normalise_title(p.title) for p in products}
        unknown = sorted({t for judged in qrels.values() for t in judged} - published)
        for title in unknown:
            print(f"warning: judged title not among published products: {title}", file=sys.stderr)
        engines = {"ours": lambda q: our_titles(index, vocabularies, q, args.k),
                   "baseline": lambda q: baseline.titles(q.text, args.k)}
        try:
            results = [evaluate(q, qrels.get(q.qid, {}), engines, args.k) for q in queries]
        finally:
            baseline.close()
            store.close()
    seconds = time.perf_counter() - started
    summary = summarise(results)
    status = goals(summary)
    if args.json:
        print(json.dumps(as_json(results, summary, status, args.k, seconds, len(products),
                                 args.show_misses), indent=2, ensure_ascii=False))
        return 0
    lines = table(results, summary, args.k) + per_query(results, args.k)
    if args.show_misses:
        lines += misses(results, args.k)
    lines += ["", goal_line(status),
              f"{len(products)} published products; run took {seconds:.1f} s"]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
