"""Keep the index in step with the store through the outbox, and repair it when it drifts.

Every product change writes an outbox row in the same transaction as the change. One
updater per index (an exclusive lock file makes sure of it) reads the rows after the
index's cursor, re-indexes those products from the store, commits, then moves the cursor.
Applying a change twice is harmless, so a crash between commit and cursor loses nothing.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from typing import Callable
from dataclasses import dataclass, field
from pathlib import Path

from catalogue.model import Status
from catalogue.store import Store
from catalogue.vocabularies import Vocabularies
from indexer.documents import document_for, product_hash
from indexer.errors import IndexUnavailableError
from indexer.index import RebuildReport, SearchIndex
from indexer.language import detect
from indexer.search import SearchRequest, search
from indexer.tagging import tagger_for

log = logging.getLogger(__name__)

BATCH = 500
GAP_PATIENCE_SECONDS = 30.0  # a missing outbox id older than this was rolled back
LOCK_FILE = "updater.lock"
# Seconds between two rounds, so at most one new index generation per second, as
# Elasticsearch's default refresh interval: each generation costs a commit here and a
# readying in every serving process (indexer/warming.py), some 0.3 s of CPU in all, and
# edits saved in the meantime go into the same commit.
REFRESH_SECONDS = 1.0


def warm_up(index: SearchIndex, vocabularies: Vocabularies) -> None:
    """Load what the first search would otherwise load: the tagger, the language model,
    and the in-memory view of the live index generation."""
    tagger_for(vocabularies)
    detect("warm up the language model")
    search(index, SearchRequest(), vocabularies)


def rebuild(store: Store, index: SearchIndex, vocabularies: Vocabularies) -> RebuildReport:
    """Rebuild the whole index from the published products, noting the outbox position."""
    cursor = store.last_change()  # read before the products: later changes get re-applied
    return index.rebuild(store.iter_products(Status.PUBLISHED), vocabularies, cursor=cursor)


@dataclass
class Drift:
    """How the index differs from the store."""

    missing: list[str] = field(default_factory=list)  # published, not in the index
    stale: list[str] = field(default_factory=list)  # in both, with other content
    extra: list[str] = field(default_factory=list)  # in the index, not published
    rebuilt: bool = False

    @property
    def clean(self) -> bool:
        """Tell whether the index matched the store."""
        return not (self.missing or self.stale or self.extra or self.rebuilt)


def check(store: Store, index: SearchIndex, vocabularies: Vocabularies, repair: bool = True) -> Drift:
    """Compare the index with the store product by product, and repair what differs.

    A missing or damaged index is rebuilt whole.
    """
    try:
        indexed = index.stored_hashes()
    except IndexUnavailableError:
        if repair:
            rebuild(store, index, vocabularies)
        return Drift(rebuilt=True)
    cursor = store.last_change()
    published = {p.id: p for p in store.iter_products(Status.PUBLISHED)}
    drift = Drift(
        missing=sorted(set(published) - set(indexed)),
        stale=sorted(i for i in set(published) & set(indexed)
                     if product_hash(published[i]) != indexed[i]),
        extra=sorted(set(indexed) - set(published)),
    )
    if repair and not drift.clean:
        documents = [document_for(published[i], vocabularies) for i in drift.missing + drift.stale]
        index.apply(documents, drift.extra, max(cursor, index.cursor()))
    return drift


class IndexUpdater:
    """Applies outbox rows to one index; at most one runs per index directory."""

    def __init__(self, store: Store, index: SearchIndex, vocabularies: Vocabularies,
                 before_round: Callable[[], object] | None = None):
        self.store = store
        self.index = index
        self.vocabularies = vocabularies
        # Called before each round of `run`, e.g. to pick up vocabulary changes.
        self.before_round = before_round
        self._lock_handle = None
        self._gap_seen: dict[int, float] = {}

    def acquire(self) -> bool:
        """Try to become this index's one updater; return whether we are."""
        if self._lock_handle is not None:
            return True
        self.index.root.mkdir(parents=True, exist_ok=True)
        handle = open(Path(self.index.root) / LOCK_FILE, "a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_handle = handle
        return True

    def release(self) -> None:
        """Stop being the updater."""
        if self._lock_handle is not None:
            fcntl.flock(self._lock_handle.fileno(), fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    def apply_pending(self) -> int:
        """Apply the outbox rows after the index's cursor; return how many products changed."""
        cursor = self.index.cursor()
        rows = self.store.changes_after(cursor, BATCH)
        if not rows:
            return 0
        ids = list(dict.fromkeys(product_id for _, product_id in rows))
        products = self.store.get_many(ids)
        documents, deleted = [], []
        for product_id in ids:
            product = products.get(product_id)
            if product is not None and product.status is Status.PUBLISHED:
                documents.append(document_for(product, self.vocabularies))
            else:
                deleted.append(product_id)
        self.index.apply(documents, deleted, self._advance(cursor, [row_id for row_id, _ in rows]))
        return len(ids)

    def _advance(self, cursor: int, row_ids: list[int]) -> int:
        """Move the cursor over the contiguous ids; wait a while at a gap (a transaction
        still committing may hold the missing id), then skip it."""
        now = time.monotonic()
        for row_id in row_ids:
            if row_id == cursor + 1:
                cursor = row_id
                continue
            missing = cursor + 1
            first_seen = self._gap_seen.setdefault(missing, now)
            if now - first_seen < GAP_PATIENCE_SECONDS:
                break
            self._gap_seen.pop(missing, None)
            cursor = row_id
        return cursor

    def run_once(self) -> int:
        """Apply what is pending, rebuilding first if the index is missing or damaged."""
        try:
            changed = self.apply_pending()
            # Make sure the index (the new generation, if any) still opens. Readying it for
            # searches is each serving process's warmer's work (indexer/warming.py).
            self.index.doc_count()
            return changed
        except IndexUnavailableError as exc:
            log.error("search index unavailable (%s): rebuilding from the store", exc)
            report = rebuild(self.store, self.index, self.vocabularies)
            log.info("search index rebuilt: %d products in %.1f s", report.documents, report.seconds)
            return report.documents

    def run(self, stop: threading.Event, interval: float = REFRESH_SECONDS) -> None:
        """Keep applying changes every `interval` seconds until `stop` is set."""
        while not stop.is_set():
            if self.before_round is not None:
                try:
                    self.before_round()
                except Exception:
                    log.exception("the updater's before-round hook failed")
            if self.acquire():
                try:
                    self.run_once()
                except Exception:  # keep the loop alive; the next round retries
                    log.exception("applying store changes to the search index failed")
            stop.wait(interval)
        self.release()
