"""The index on disk: generations built in new directories and swapped in atomically.

`ROOT/CURRENT` names the live generation (`ROOT/gen-...`). A rebuild writes a whole new
generation, then replaces CURRENT in one `os.replace`, so a searcher always opens either
the old index or the new one, never a half-built one.
"""

from __future__ import annotations

import os
import pickle
import shutil
import struct
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index
from whoosh.index import EmptyIndexError, IndexVersionError
from whoosh.index import IndexError as WhooshIndexError

from catalogue.model import Product
from catalogue.vocabularies import Vocabularies
from indexer.documents import document_for
from indexer.errors import IndexUnavailableError
from indexer.schema import SCHEMA_VERSION, build_schema

POINTER = "CURRENT"
CURSOR = "outbox-cursor"  # in each generation: the last store change it reflects
VERSION = "schema-version"  # in each generation: the SCHEMA_VERSION that built it
KEEP_GENERATIONS = 2  # the live one and the one before it, for searches still open on it
WRITER_MB = 256
# What a damaged index raises when opened or read (measured; see RESEARCH).
DAMAGE = (WhooshIndexError, EmptyIndexError, IndexVersionError, pickle.UnpicklingError,
          EOFError, struct.error, OSError, ValueError)


@dataclass(frozen=True)
class RebuildReport:
    """What a rebuild indexed, where, and how long it took."""

    documents: int
    seconds: float
    path: Path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SearchIndex:
    """The product index under one root directory."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._local = threading.local()
        # A serving process sets a Warmer (indexer/warming.py): searches then stay on the
        # generation they have until the warmer has readied the next one in the background.
        self.warmer = None

    @contextmanager
    def searcher(self):
        """Yield (searcher, generation key) on the live index.

        Opening a reader costs tens of milliseconds on a large index, so each thread keeps
        its own searcher for as long as the index does not change, and opens a fresh one
        when a commit or a rebuild makes a new generation (never `Searcher.refresh()`).
        With a warmer, it opens the new generation only once the warmer has readied it, and
        while the warmer has readied nothing newer it touches no file at all.
        """
        cached = getattr(self._local, "cached", None)
        warmer = self.warmer
        if cached is not None and warmer is not None and warmer.ready == cached[2]:
            # The warmer looks for new generations every tenth of a second and has readied
            # none past this one: no need to read CURRENT and list the directory again.
            try:
                yield cached[1], cached[2]
                return
            except DAMAGE as exc:
                self._local.cached = None
                raise IndexUnavailableError(f"the search index is damaged ({type(exc).__name__})") from exc
        path = self.current_path()
        try:
            if cached is not None:
                ix, searcher, key = cached
                newer = key[0] != str(path) or ix.latest_generation() != key[1]
                if newer and (self.warmer is None or self.warmer.has_moved_past(key)):
                    self._local.cached = cached = None
                    searcher.close()
                    ix.close()
            if cached is None:
                ix = self.open()
                searcher = ix.searcher()
                key = (str(path), searcher.reader().generation())
                self._local.cached = (ix, searcher, key)
            yield self._local.cached[1], self._local.cached[2]
        except DAMAGE as exc:
            self._local.cached = None
            raise IndexUnavailableError(f"the search index is damaged ({type(exc).__name__})") from exc

    @contextmanager
    def searcher_at_latest(self):
        """Yield (searcher, generation key) on the live generation, opened for this block
        only: not the calling thread's kept searcher (the warmer reads ahead with this)."""
        ix = self.open()
        try:
            searcher = ix.searcher()
            try:
                yield searcher, (str(ix.storage.folder), searcher.reader().generation())
            finally:
                searcher.close()
        finally:
            ix.close()

    def close(self) -> None:
        """Close the searcher the calling thread keeps open, if any (`searcher` reopens one)."""
        cached = getattr(self._local, "cached", None)
        self._local.cached = None
        if cached is not None:
            ix, searcher, _ = cached
            searcher.close()
            ix.close()

    def current_path(self) -> Path | None:
        """Return the live generation's directory, or None if there is none."""
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        path = self.root / name
        return path if name and path.is_dir() else None

    def exists(self) -> bool:
        """Tell whether a live generation exists (it may still be damaged)."""
        return self.current_path() is not None

    def open(self):
        """Open the live index; raise IndexUnavailableError if it is missing or damaged."""
        path = self.current_path()
        if path is None:
            raise IndexUnavailableError("the search index has not been built yet: `hrba setup` builds it")
        try:
            version = (path / VERSION).read_text(encoding="utf-8").strip()
        except OSError:
            version = None
        if version != SCHEMA_VERSION:
            raise IndexUnavailableError(
                "the search index was built by another version: `hrba check` rebuilds it")
        try:
            return whoosh_index.open_dir(str(path))
        except DAMAGE as exc:
            raise IndexUnavailableError(f"the search index is damaged ({type(exc).__name__})") from exc

    def doc_count(self) -> int:
        """Return how many products the live index holds."""
        ix = self.open()
        try:
            return ix.doc_count()
        except DAMAGE as exc:
            raise IndexUnavailableError(f"the search index is damaged ({type(exc).__name__})") from exc
        finally:
            ix.close()

    def cursor(self) -> int:
        """Return the last store change the live generation reflects (0 if unknown)."""
        path = self.current_path()
        try:
            return int((path / CURSOR).read_text(encoding="utf-8").strip()) if path else 0
        except (OSError, ValueError):
            return 0

    def _write_cursor(self, path: Path, cursor: int) -> None:
        temporary = path / f".{CURSOR}.{uuid.uuid4().hex}"
        temporary.write_text(str(cursor), encoding="utf-8")
        os.replace(temporary, path / CURSOR)

    def apply(self, documents: list[dict], deleted: list[str], cursor: int) -> None:
        """Update the live generation: replace `documents`, drop `deleted` ids, note `cursor`.

        Only one process may call this for a given index (see `indexer.updates`).
        """
        path = self.current_path()
        if path is None:
            raise IndexUnavailableError("the search index has not been built yet")
        ix = self.open()
        try:
            writer = ix.writer(timeout=10.0)
            try:
                for document in documents:
                    writer.update_document(**document)
                for product_id in deleted:
                    writer.delete_by_term("id", product_id)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(merge=True)
        except DAMAGE as exc:
            raise IndexUnavailableError(f"the search index is damaged ({type(exc).__name__})") from exc
        finally:
            ix.close()
        self._write_cursor(path, cursor)

    def stored_hashes(self) -> dict[str, str]:
        """Return the content hash of every product in the live index, by id."""
        ix = self.open()
        try:
            with ix.searcher() as searcher:
                return {fields["id"]: fields.get("content_hash", "")
                        for fields in searcher.all_stored_fields()}
        except DAMAGE as exc:
            raise IndexUnavailableError(f"the search index is damaged ({type(exc).__name__})") from exc
        finally:
            ix.close()

    def rebuild(self, products: Iterable[Product], vocabularies: Vocabularies,
                cursor: int = 0) -> RebuildReport:
        """Index `products` into a new generation and make it the live one.

        `cursor` is the last store change already visible when `products` was read.
        """
        started = time.perf_counter()
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path = self.root / name
        path.mkdir()
        count = 0
        try:
            ix = whoosh_index.create_in(str(path), build_schema())
            # One writer, one segment: its postings pool spills to disk past WRITER_MB, so
            # memory stays bounded, and nothing is merged twice.
            writer = ix.writer(limitmb=WRITER_MB)
            for product in products:
                writer.add_document(**document_for(product, vocabularies))
                count += 1
            writer.commit()
            ix.close()
            self._write_cursor(path, cursor)
            (path / VERSION).write_text(SCHEMA_VERSION, encoding="utf-8")
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        self._swap_to(name)
        self._remove_old_generations(keep=name)
        return RebuildReport(count, time.perf_counter() - started, path)

    def _swap_to(self, name: str) -> None:
        for file in Path(self.root / name).iterdir():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
        _fsync_dir(self.root / name)
        temporary = self.root / f".{POINTER}.{uuid.uuid4().hex}"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / POINTER)
        _fsync_dir(self.root)

    def _remove_old_generations(self, keep: str) -> None:
        generations = sorted((p for p in self.root.glob("gen-*") if p.is_dir()),
                             key=lambda p: p.stat().st_mtime, reverse=True)
        survivors = [keep] + [p.name for p in generations if p.name != keep][:KEEP_GENERATIONS - 1]
        for path in generations:
            if path.name not in survivors:
                shutil.rmtree(path, ignore_errors=True)
