"""What never changes in a Whoosh segment, read once and kept across index generations.

A commit of one edited product writes a new small segment and marks the old copy deleted
in its segment; every other segment's postings, term statistics, field lengths and
columns stay byte for byte what they were. Reading them again for each new generation
cost a serving process about 200 ms per commit, while its searches waited. Here they are
read per segment, kept under the segment's id (Lucene keeps its per-segment caches the
same way), and a generation's arrays are the segments' arrays side by side. Deletions
are not part of a segment's cached data: callers mask with the generation's live flags.

Segment internals (`_terms`, `_perdoc`) are Whoosh 3's; with another Whoosh everything
falls back to the public, generation-wide reads.
"""

from __future__ import annotations

import bisect
import threading
from typing import Callable

import numpy as np

ENTRIES_KEPT = 100_000  # per-segment terms, columns and documents kept in all (the oldest go first)


class _Kept:
    """A bounded map, safe across threads; the oldest entries go first when it is full.

    Lookups take no lock (a dict read is atomic in CPython); a value computed twice by
    two threads at once is the same value.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self._items: dict = {}
        self._lock = threading.Lock()

    def get(self, key, compute: Callable[[], object]):
        found = self._items.get(key)
        if found is not None:
            return found
        found = compute()
        with self._lock:
            self._items[key] = found
            while len(self._items) > self.limit:
                del self._items[next(iter(self._items))]
        return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_kept = _Kept(ENTRIES_KEPT)
_EMPTY = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32))


def _segment_key(segment_reader) -> tuple | None:
    try:
        segment = segment_reader.segment()
        return (segment.segment_id(), segment.doc_count_all())
    except AttributeError:
        return None


def leaves(reader) -> list[tuple[object, int, tuple | None]]:
    """Return (segment reader, first document number, cache key) of each segment (noted
    on the reader: its segments never change)."""
    found = getattr(reader, "_hrba_leaves", None)
    if found is None:
        found = [(leaf, offset, _segment_key(leaf)) for leaf, offset in reader.leaf_readers()]
        try:
            reader._hrba_leaves = found
        except AttributeError:
            pass
    return found


def raw_postings(leaf, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Read one segment's postings of a term, deleted documents included."""
    try:
        btext = leaf._text_to_bytes(field, text)
        matcher = leaf._terms.matcher(field, btext, leaf.schema[field].format)
    except Exception:  # TermNotFound, KeyError, a field without postings: none
        return _EMPTY
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)


def postings(reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Return (document numbers, term frequencies) of `text` in `field` over every
    segment, deleted documents included; None when segments cannot be read one by one."""
    parts = []
    for leaf, offset, key in leaves(reader):
        if key is None or not hasattr(leaf, "_terms"):
            return None
        ids, weights = _kept.get(("postings", key, field, text),
                                 lambda leaf=leaf: raw_postings(leaf, field, text))
        if ids.size:
            parts.append((ids + offset if offset else ids, weights))
    if not parts:
        return _EMPTY
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def doc_frequency(reader, field: str, text: str) -> int:
    """Return how many documents hold `text` in `field` (deleted ones included, as
    Whoosh counts them), summed over the segments' kept counts."""
    total = 0
    for leaf, _, key in leaves(reader):
        if key is None:
            return reader.doc_frequency(field, text)
        total += _kept.get(("df", key, field, text), lambda leaf=leaf: leaf.doc_frequency(field, text))
    return total


def stored_fields(reader, docnum: int) -> dict:
    """Return document `docnum`'s stored fields, decoded once per segment document (a hit
    of a frequent search is shown again and again). The dict is shared: do not change it."""
    found = leaves(reader)
    index = bisect.bisect_right([offset for _, offset, _ in found], docnum) - 1
    leaf, offset, key = found[index]
    if key is None:
        return reader.stored_fields(docnum)
    return _kept.get(("stored", key, docnum - offset), lambda: leaf.stored_fields(docnum - offset))


def per_document(reader, name: str, read: Callable[[object], np.ndarray]) -> np.ndarray:
    """Return a per-document array over every segment, each segment's part made by
    `read(segment reader)` once and kept under `name`."""
    parts = []
    for leaf, _, key in leaves(reader):
        if key is None:
            parts.append(read(leaf))
        else:
            parts.append(_kept.get(("column", key, name), lambda leaf=leaf: read(leaf)))
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.empty(0)


def kept(key: tuple, compute: Callable[[], object]):
    """Return what is kept under `key` (which must hold the segment's key), computing it
    once."""
    return _kept.get(key, compute)


def clear() -> None:
    """Forget everything kept (tests; memory is otherwise bounded by ENTRIES_KEPT)."""
    _kept.clear()
