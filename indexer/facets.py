"""Facet counting: disjunctive counts from per-document value arrays cached per reader.

Each facet is counted over the documents that match the query and every filter except
the facet's own, so ticking one agency still shows how many products the others have.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Iterable, Mapping

from indexer.schema import FACET_FIELDS

_cache: dict[tuple, dict[str, list[tuple[str, ...]]]] = {}
_cache_lock = threading.Lock()


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(",") if v)


def facet_arrays(searcher, key: tuple) -> dict[str, list[tuple[str, ...]]]:
    """Return, per facet, each document's values (indexed by document number).

    Built once per index generation (`key`) and shared by every request on it.
    """
    with _cache_lock:
        arrays = _cache.get(key)
    if arrays is not None:
        return arrays
    reader = searcher.reader()
    size = reader.doc_count_all()
    arrays = {facet: [()] * size for facet in FACET_FIELDS}
    for docnum, stored in reader.iter_docs():
        for facet, field in FACET_FIELDS.items():
            arrays[facet][docnum] = _split(stored.get(field))
    with _cache_lock:
        _cache.clear()  # only the live generation is worth keeping
        _cache[key] = arrays
    return arrays


def matching(docs: Iterable[int], values: list[tuple[str, ...]], wanted: set[str]) -> set[int]:
    """Return the documents among `docs` with at least one value in `wanted` (OR)."""
    return {d for d in docs if not wanted.isdisjoint(values[d])}


def disjunctive_counts(base: set[int], filters: Mapping[str, set[int]],
                       arrays: Mapping[str, list[tuple[str, ...]]]) -> dict[str, Counter]:
    """Count each facet's values over `base` narrowed by every filter but its own."""
    counts = {}
    for facet in FACET_FIELDS:
        docs = base
        for other, allowed in filters.items():
            if other != facet:
                docs = docs & allowed
        values = arrays[facet]
        counter: Counter = Counter()
        for d in docs:
            counter.update(values[d])
        counts[facet] = counter
    return counts
