"""The app's long-lived resources (vocabularies, store, index) and the tasks that join them.

One `Services` per app: the store's connection pool and the vocabularies are shared by
every request; a fresh index searcher is opened per search.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from flask import Flask, current_app

from catalogue.importers.corpus import CorpusImporter
from catalogue.importers.report import ImportReport
from catalogue.model import Status
from catalogue.store import Store
from catalogue.vocabularies import Vocabularies
from indexer.errors import IndexUnavailableError
from indexer.index import RebuildReport, SearchIndex


class Services:
    """Vocabularies, store and index of one catalogue, built from the app's config."""

    def __init__(self, config: dict):
        self.config = config
        self.data_dir = Path(config["HRBA_DATA_DIR"])
        self.vocabularies = Vocabularies.load(config["HRBA_VOCABULARY_DIR"])
        self.store = Store(config["HRBA_DATABASE_URL"])
        self.index = SearchIndex(self.data_dir / "index")

    def import_path(self, path: str | Path, *, status: Status = Status.PUBLISHED,
                    progress: Callable[[int], None] | None = None) -> ImportReport:
        """Import a corpus-format file or directory into the store."""
        return CorpusImporter(self.store, self.vocabularies, status=status,
                              progress=progress).run(path)

    def rebuild_index(self) -> RebuildReport:
        """Rebuild the search index from the published products in the store."""
        return self.index.rebuild(self.store.iter_products(Status.PUBLISHED), self.vocabularies)

    def index_is_current(self) -> bool:
        """Tell whether the index opens and holds as many products as are published."""
        try:
            return self.index.doc_count() == self.store.count(Status.PUBLISHED)
        except IndexUnavailableError:
            return False

    def prepare(self, echo: Callable[[str], None] = lambda message: None) -> None:
        """Make the catalogue ready to serve: migrate, import the corpus if empty, index.

        What `make run` relies on: on an empty data directory this builds everything
        from the shipped corpus; on a ready one it only checks.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store.upgrade()
        if self.store.count() == 0:
            corpus = Path(self.config["HRBA_CORPUS_DIR"])
            echo(f"Empty catalogue: importing the shipped corpus from {corpus} ...")
            echo(f"Import: {self.import_path(corpus).summary()}")
        if not self.index_is_current():
            report = self.rebuild_index()
            echo(f"Search index built: {report.documents} products in {report.seconds:.1f} s")

    def close(self) -> None:
        """Release the database connections."""
        self.store.close()


def init_app(app: Flask) -> Services:
    """Create the app's Services and register them."""
    services = Services(app.config)
    app.extensions["hrba"] = services
    return services


def services() -> Services:
    """Return the current app's Services."""
    return current_app.extensions["hrba"]
