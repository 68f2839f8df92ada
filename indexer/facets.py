"""Facet counting with bitsets, cached once per index generation.

Every facet value keeps the set of documents that have it as a bitset (a Python int);
a count is then `(matching & value).bit_count()`. Each facet is counted over the documents
that match the query and every filter except the facet's own (disjunctive facets), so
ticking one agency still shows how many products the others have.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from indexer.schema import FACET_FIELDS


def bitset(docnums: Iterable[int], size: int) -> int:
    """Return the bitset (an int, bit n = document n) of `docnums`."""
    flags = np.zeros(size, dtype=bool)
    array = np.fromiter(docnums, dtype=np.int64)
    if array.size:
        flags[array] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def members(bits: int, size: int) -> np.ndarray:
    """Return the document numbers in `bits`, in order."""
    raw = np.frombuffer(bits.to_bytes((size + 7) // 8 or 1, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")[:size])


@dataclass
class IndexView:
    """What facet counting and ranking need of one index generation, in memory."""

    size: int
    live: int
    values: dict[str, dict[str, int]]  # facet -> value -> bitset
    priors: np.ndarray  # per document
    languages: dict[str, np.ndarray]  # language -> per-document flag

    def matching(self, facet: str, wanted: Iterable[str]) -> int:
        """Return the documents with at least one of `wanted` values of `facet` (OR)."""
        bits = 0
        for value in wanted:
            bits |= self.values[facet].get(value, 0)
        return bits


def _build_view(searcher) -> IndexView:
    reader = searcher.reader()
    size = reader.doc_count_all()
    live = bitset(reader.all_doc_ids(), size)
    values: dict[str, dict[str, int]] = {}
    flags: dict[str, np.ndarray] = {}
    for facet, field in FACET_FIELDS.items():
        values[facet] = {}
        if field not in reader.indexed_field_names():
            continue
        for raw in reader.lexicon(field):
            value = raw.decode("utf-8")
            docs = np.fromiter(reader.postings(field, value).all_ids(), dtype=np.int64)
            values[facet][value] = bitset(docs, size) & live
            if facet == "language":
                flags[value] = np.zeros(size, dtype=bool)
                flags[value][docs] = True
    priors = np.ones(size, dtype=np.float64)
    column = reader.column_reader("prior") if reader.has_column("prior") else None
    if column is not None:
        priors = np.fromiter((column[d] or 1.0 for d in range(size)), dtype=np.float64, count=size)
    return IndexView(size, live, values, priors, flags)


_views: dict[tuple, IndexView] = {}
_lock = threading.Lock()


def index_view(searcher, key: tuple) -> IndexView:
    """Return the in-memory view of the index generation `key`, building it once."""
    with _lock:
        view = _views.get(key)
        if view is None:
            view = _build_view(searcher)
            _views.clear()  # only the live generation is worth keeping
            _views[key] = view
        return view


def disjunctive_counts(base: int, filters: Mapping[str, int], view: IndexView,
                       facets: Iterable[str] = FACET_FIELDS) -> dict[str, dict[str, int]]:
    """Count each facet's values over `base` narrowed by every filter but its own."""
    counts = {}
    for facet in facets:
        docs = base
        for other, allowed in filters.items():
            if other != facet:
                docs &= allowed
        counts[facet] = {value: n for value, bits in view.values[facet].items()
                         if (n := (docs & bits).bit_count())}
    return counts
