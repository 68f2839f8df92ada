"""Facet counting with bitsets, cached once per index generation.

Every facet value keeps the set of documents that have it as a bitset (a Python int);
a count is then `(matching & value).bit_count()`. Each facet is counted over the documents
that match the query and every filter except the facet's own (disjunctive facets), so
ticking one agency still shows how many products the others have.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np

from indexer import segments
from indexer.schema import FACET_FIELDS
from indexer.vectors import Postings


def flags_of(bits: int, size: int) -> np.ndarray:
    """Return `bits` as one boolean per document."""
    raw = np.frombuffer(bits.to_bytes((size + 7) // 8 or 1, "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:size].astype(bool)


def bits_of(flags: np.ndarray) -> int:
    """Return the bitset of the documents flagged True."""
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


@dataclass
class IndexView:
    """What facet counting and ranking need of one index generation, in memory."""

    size: int
    live: int
    values: dict[str, dict[str, int]]  # facet -> value -> bitset
    priors: np.ndarray  # per document
    languages: dict[str, np.ndarray]  # language -> per-document flag
    sort_keys: dict[str, np.ndarray]  # year_sort, year_oldest, title (a rank): per document
    titles: np.ndarray  # each document's title, folded (for the nearness bonus)
    postings: Postings  # term postings as arrays, filled as queries need them
    # Queries read against this generation, by (query, correct): the same searches come
    # again and again, and reading one looks up many terms. See `search.parsed_query`.
    parses: dict = field(default_factory=dict)
    # What each query finds in this generation, by query: see `search._matched`.
    rankings: dict = field(default_factory=dict)

    @property
    def live_flags(self) -> np.ndarray:
        """Return one boolean per document: not deleted."""
        return flags_of(self.live, self.size)

    def matching(self, facet: str, wanted: Iterable[str]) -> int:
        """Return the documents with at least one of `wanted` values of `facet` (OR)."""
        bits = 0
        for value in wanted:
            bits |= self.values[facet].get(value, 0)
        return bits


def _build_view(searcher) -> IndexView:
    reader = searcher.reader()
    size = reader.doc_count_all()
    live_flags = np.zeros(size, dtype=bool)
    live_ids = np.fromiter(reader.all_doc_ids(), dtype=np.int64)
    live_flags[live_ids] = True
    live = bits_of(live_flags)
    values: dict[str, dict[str, int]] = {}
    flags: dict[str, np.ndarray] = {}
    for facet, field in FACET_FIELDS.items():
        values[facet] = {}
        for value, docs in _facet_documents(reader, field, size).items():
            docs &= live_flags
            values[facet][value] = bits_of(docs)
            if facet == "language":
                flags[value] = docs
    priors = _column(reader, "prior", size, np.float64, 1.0)
    titles = _column(reader, "title_sort", size, object, "")
    sort_keys = {
        "year_sort": _column(reader, "year_sort", size, np.int64, 0),
        "year_oldest": _column(reader, "year_oldest", size, np.int64, 9999),
        "title": np.argsort(np.argsort(titles, kind="stable"), kind="stable"),
    }
    return IndexView(size, live, values, priors, flags, sort_keys, titles, Postings(size, live_flags))


def _facet_documents(reader, field: str, size: int) -> dict[str, np.ndarray]:
    """Return each value of facet `field` with its documents flagged (deleted ones too),
    put together from each segment's values, read once per segment (indexer/segments.py)."""
    found: dict[str, np.ndarray] = {}
    for leaf, offset, key in segments.leaves(reader):
        if key is None:
            return _facet_documents_whole(reader, field, size)
        for value, ids in segments.kept(("facet", key, field),
                                        lambda leaf=leaf: _segment_facet(leaf, field)).items():
            if value not in found:
                found[value] = np.zeros(size, dtype=bool)
            found[value][ids + offset] = True
    return found


def _segment_facet(leaf, field: str) -> dict[str, np.ndarray]:
    """Return one segment's values of facet `field` and their documents."""
    if field not in leaf.indexed_field_names():
        return {}
    return {raw.decode("utf-8"): segments.raw_postings(leaf, field, raw.decode("utf-8"))[0]
            for raw in leaf.lexicon(field)}


def _facet_documents_whole(reader, field: str, size: int) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    if field not in reader.indexed_field_names():
        return found
    for raw in reader.lexicon(field):
        value = raw.decode("utf-8")
        flags = np.zeros(size, dtype=bool)
        flags[np.fromiter(reader.postings(field, value).all_ids(), dtype=np.int64)] = True
        found[value] = flags
    return found


def _column(reader, field: str, size: int, dtype, default) -> np.ndarray:
    """Return a sortable column as an array (`default` where a document has no value),
    each segment's part read once (indexer/segments.py)."""
    if not reader.has_column(field):
        return np.full(size, default, dtype=dtype)
    return segments.per_document(reader, f"column:{field}",
                                 lambda leaf: _segment_column(leaf, field, dtype, default))


def _segment_column(leaf, field: str, dtype, default) -> np.ndarray:
    count = leaf.doc_count_all()
    if not leaf.has_column(field):
        return np.full(count, default, dtype=dtype)
    column = leaf.column_reader(field)
    values = [column[d] for d in range(count)]
    if dtype is object:
        values = [v.decode("utf-8") if isinstance(v, bytes) else (v or default) for v in values]
        return np.array(values, dtype=object)
    return np.array([default if v is None else v for v in values], dtype=dtype)


VIEWS_KEPT = 2
_views: dict[tuple, IndexView] = {}
_lock = threading.Lock()


def index_view(searcher, key: tuple) -> IndexView:
    """Return the in-memory view of the index generation `key`, building it once."""
    with _lock:
        view = _views.get(key)
        if view is None:
            view = _build_view(searcher)
            while len(_views) >= VIEWS_KEPT:  # the live generation, and the one still searched
                _views.pop(next(iter(_views)))  # while the live one warms (indexer/warming.py)
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
