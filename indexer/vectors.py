"""Score a query over every document at once, as numpy vectors.

Whoosh's matcher trees walk one posting at a time in Python; a query that searches each
word in a dozen fields and languages builds deep trees, and ranking slows with every
product added. Here each term's postings are read once per index generation into arrays
(ids and term frequencies), and BM25F, "best of" alternatives, AND, OR and the prior are
array arithmetic. Phrases, which need positions, are still matched by Whoosh.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

import numpy as np
from whoosh.query import And, Every, NullQuery, Or, Query, Term

from indexer import segments
from indexer.ranking import TIEBREAK, BestOf

K1 = 1.2
B = 0.75
POSTINGS_CACHED = 20_000  # terms kept in memory per index generation


class Postings:
    """Per-generation cache of term postings and field lengths, as arrays.

    A generation's arrays are put together from its segments' (indexer/segments.py), which
    outlive it: after a commit only the new segment is read. `live` (one flag per document)
    drops the deleted documents the segments still hold.
    """

    def __init__(self, size: int, live: np.ndarray | None = None):
        self.size = size
        self.live = live
        self._terms: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lengths: dict[str, tuple[np.ndarray, float]] = {}
        self._lock = threading.Lock()

    def term(self, reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (document numbers, term frequencies) of `text` in `field`."""
        key = (field, text)
        with self._lock:
            found = self._terms.get(key)
            if found is not None:
                self._terms.move_to_end(key)
                return found
        found = segments.postings(reader, field, text)
        if found is None:  # segments not readable one by one: the generation-wide way
            found = _read_postings(reader, field, text)
        elif self.live is not None and found[0].size:
            keep = self.live[found[0]]
            if not keep.all():
                found = (found[0][keep], found[1][keep])
        with self._lock:
            self._terms[key] = found
            while len(self._terms) > POSTINGS_CACHED:
                self._terms.popitem(last=False)
        return found

    def lengths(self, reader, field: str) -> tuple[np.ndarray, float]:
        """Return each document's length in `field`, and the average length."""
        found = self._lengths.get(field)
        if found is None:
            lengths = _field_lengths(reader, field, self.size)
            live = max(1, reader.doc_count())
            average = max(1.0, reader.field_length(field) / live)
            found = (lengths, average)
            self._lengths[field] = found
        return found


def _field_lengths(reader, field: str, size: int) -> np.ndarray:
    """Return every document's length in `field`.

    Whoosh keeps lengths as one byte per document in a column per segment; reading that
    column whole and decoding the bytes through a 256-entry table takes milliseconds
    where asking document by document takes seconds on a large index.
    """
    try:
        lengths = segments.per_document(reader, f"lengths:{field}",
                                        lambda leaf: _segment_lengths(leaf, field))
        if lengths.size == size:
            return lengths
    except (ImportError, AttributeError):  # another Whoosh: the slow, public way
        pass
    return np.fromiter((reader.doc_field_length(d, field) or 0 for d in range(size)),
                       dtype=np.float32, count=size)


def _length_table() -> np.ndarray:
    from whoosh.util.numeric import byte_to_length  # noqa: PLC0415

    return np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


_LENGTHS = _length_table()


def _segment_lengths(leaf, field: str) -> np.ndarray:
    """Return one segment's document lengths in `field` (its whole length column)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield  # noqa: PLC0415

    lengths = np.zeros(leaf.doc_count_all(), dtype=np.float32)
    column = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is not None:
        raw = np.frombuffer(bytes(column.load()), dtype=np.uint8)[:lengths.size]
        lengths[:raw.size] = _LENGTHS[raw]
    return lengths


def _read_postings(reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    ids: list[int] = []
    weights: list[float] = []
    try:
        matcher = reader.postings(field, text)
    except Exception:  # TermNotFound, or a field without postings: no documents
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)


class VectorScorer:
    """Evaluate Whoosh query trees as (score, match) vectors over all documents."""

    def __init__(self, searcher, postings: Postings, live: np.ndarray):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.postings = postings
        self.size = postings.size
        self.live = live
        self.documents = max(1, int(live.sum()))

    def evaluate(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        """Return (scores, matches) of `query` for every document number."""
        if query is NullQuery:
            return np.zeros(self.size, np.float32), np.zeros(self.size, bool)
        if isinstance(query, Every):
            return np.ones(self.size, np.float32), self.live.copy()
        if isinstance(query, Term):
            return self._term(query)
        if isinstance(query, BestOf):
            return self._best_of(query.subqueries, query.boost)
        if isinstance(query, And):
            return self._and(query.subqueries, query.boost)
        if isinstance(query, Or):
            return self._or(query.subqueries, query.boost)
        return self._by_whoosh(query)

    def _term(self, query: Term) -> tuple[np.ndarray, np.ndarray]:
        scores = np.zeros(self.size, np.float32)
        matches = np.zeros(self.size, bool)
        ids, frequencies = self.postings.term(self.reader, query.fieldname, query.text)
        if ids.size:
            lengths, average = self.postings.lengths(self.reader, query.fieldname)
            idf = math.log(1 + (self.documents - ids.size + 0.5) / (ids.size + 0.5))
            norm = K1 * ((1 - B) + B * lengths[ids] / average)
            scores[ids] = query.boost * idf * frequencies * (K1 + 1) / (frequencies + norm)
            matches[ids] = True
        return scores, matches

    def _parts(self, subqueries):
        parts = [self.evaluate(q) for q in subqueries]
        return [s for s, _ in parts], [m for _, m in parts]

    def _best_of(self, subqueries, boost: float):
        scores, matches = self._parts(subqueries)
        stacked = np.vstack(scores)
        best = stacked.max(axis=0)
        total = best + TIEBREAK * (stacked.sum(axis=0) - best)
        return total * boost, np.logical_or.reduce(matches)

    def _and(self, subqueries, boost: float):
        scores, matches = self._parts(subqueries)
        matched = np.logical_and.reduce(matches)
        return np.sum(scores, axis=0) * matched * boost, matched

    def _or(self, subqueries, boost: float):
        scores, matches = self._parts(subqueries)
        return np.sum(scores, axis=0) * boost, np.logical_or.reduce(matches)

    def _by_whoosh(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        """Phrases and anything else: let Whoosh match and score it."""
        scores = np.zeros(self.size, np.float32)
        matches = np.zeros(self.size, bool)
        results = self.searcher.search(query, limit=None)
        for hit in results:
            scores[hit.docnum] = hit.score
            matches[hit.docnum] = True
        return scores, matches
