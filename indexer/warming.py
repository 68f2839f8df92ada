"""Ready each new index generation in the background, before searches move to it.

Without this, the first searches after a commit pay for the new generation: its in-memory
view (facet bitsets, priors, titles), its query readings and its term postings, all at
once, while every other request of the process waits behind them. A serving process runs
one Warmer thread: it notices a new generation within `interval`, opens it, builds its
view and replays the latest distinct searches against it (`search.warm`), and only then
lets the request threads move over (`SearchIndex.searcher` asks `has_moved_past`). Until
then they keep searching the generation they have open, a fraction of a second old, as
Lucene's SearcherManager and Solr's autowarming do.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from catalogue.vocabularies import Vocabularies
from indexer.errors import IndexUnavailableError
from indexer.index import DAMAGE, SearchIndex
from indexer.search import warm

log = logging.getLogger(__name__)

INTERVAL = 0.1  # seconds between two looks for a new generation
# Seconds the warmer rests after each replayed search. Warming holds the interpreter while
# it works, and every serving process readies each generation at the same moment: without
# rests, all of them answered a third slower for a fifth of a second at each commit, which
# made the slowest requests under load (benchmarks/load.py, run alternately: p95 24 to 51
# ms lower with 5 ms rests, a little lower again with 10). Searches keep the generation
# they have open meanwhile; a commit reaches search some 0.3 s later.
PAUSE = 0.01


class Warmer:
    """The background thread that readies new generations of one index."""

    def __init__(self, index: SearchIndex, vocabularies: Callable[[], Vocabularies],
                 interval: float = INTERVAL, pause: float = PAUSE):
        self.index = index
        self.pause = pause
        self.vocabularies = vocabularies
        self.interval = interval
        self.ready: tuple | None = None  # the newest generation key readied
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def has_moved_past(self, key: tuple) -> bool:
        """Tell whether a generation newer than `key` is ready for searches to move to."""
        return self.ready is not None and self.ready != key

    def warm_once(self) -> bool:
        """Ready the live generation if it is not yet; return whether it was new."""
        path = self.index.current_path()
        if path is None:
            return False
        try:
            with self.index.searcher_at_latest() as (searcher, key):
                if key == self.ready:
                    return False
                replayed = warm(searcher, key, self.vocabularies(), self.pause)
        except (IndexUnavailableError, *DAMAGE) as exc:
            # Let the request threads open it themselves: they report the damage, and the
            # updater rebuilds the index.
            log.warning("could not warm the new index generation (%s)", type(exc).__name__)
            self.ready = ("unreadable", path)
            return True
        log.debug("index generation %s ready (%d searches replayed)", key, replayed)
        self.ready = key
        return True

    def run(self) -> None:
        """Keep readying new generations until `stop`."""
        while not self._stop.is_set():
            try:
                self.warm_once()
            except Exception:  # keep the thread alive; searches fall back to opening it
                log.exception("warming the index failed")
                self.ready = ("failed",)
            self._stop.wait(self.interval)

    def start(self) -> "Warmer":
        """Ready the live generation now, then watch for new ones in a daemon thread."""
        self.warm_once()
        self._thread = threading.Thread(target=self.run, name="index-warmer", daemon=True)
        self._thread.start()
        self.index.warmer = self
        return self

    def stop(self) -> None:
        """Stop the thread; searches go back to opening new generations themselves."""
        self.index.warmer = None
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
