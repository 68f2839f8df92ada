"""The app's long-lived resources (vocabularies, store, index) and the tasks that join them.

One `Services` per app: the store's connection pool and the vocabularies are shared by
every request; a fresh index searcher is opened per search.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Callable

from flask import Flask, current_app

from catalogue import backups
from catalogue.backups import BackupReport, RestoreReport
from catalogue.importers.corpus import CorpusImporter
from catalogue.importers.crawl import Crawler, CrawlResult
from catalogue.importers.feeds import import_feed
from catalogue.importers.fetch import Fetcher, FetchPolicy
from catalogue.importers.jsonl import import_jsonl
from catalogue.importers.link_checker import LinkReport, check_links, urls_to_check
from catalogue.importers.oai import harvest
from catalogue.importers.runs import record_run
from catalogue.importers.sources import source_for
from catalogue.importers.report import ImportReport
from catalogue.importers.sheets import table_bytes
from catalogue.importers.spreadsheet import import_table
from catalogue.model import Product, Status
from catalogue.store import Store
from catalogue import vocabulary_edits
from catalogue.vocabularies import Vocabularies
from indexer.errors import IndexUnavailableError, QueryError
from indexer.search import SearchRequest, search_ids
from indexer.index import RebuildReport, SearchIndex
from indexer.language import DETECTABLE, detect
from indexer.updates import Drift, IndexUpdater, check, rebuild, warm_up
from indexer.warming import Warmer


class Services:
    """Vocabularies, store and index of one catalogue, built from the app's config."""

    def __init__(self, config: dict):
        self.config = config
        self.data_dir = Path(config["HRBA_DATA_DIR"])
        self.store = Store(config["HRBA_DATABASE_URL"])
        self.vocabulary_dir = config["HRBA_VOCABULARY_DIR"]
        self.vocabularies = vocabulary_edits.load(self.vocabulary_dir, self.store)
        self._vocabulary_stamp = vocabulary_edits.stamp(self.store)
        self._updaters: weakref.WeakSet[IndexUpdater] = weakref.WeakSet()
        self.index = SearchIndex(self.data_dir / "index")
        self._migrated = False

    def migrate(self) -> None:
        """Bring the database schema up to date (once per process)."""
        if not self._migrated:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.store.upgrade()
            self._migrated = True

    def import_path(self, path: str | Path, *, status: Status = Status.PUBLISHED,
                    progress: Callable[[int], None] | None = None) -> ImportReport:
        """Import a corpus-format file or directory into the store."""
        return CorpusImporter(self.store, self.vocabularies, status=status,
                              progress=progress).run(path)

    def fetch_policy(self, allow_private: bool = False) -> FetchPolicy:
        """Return the crawler's fetch policy from the settings."""
        return FetchPolicy(contact_url=self.config["HRBA_CRAWLER_CONTACT_URL"],
                           delay=float(self.config["HRBA_CRAWL_DELAY"]),
                           allow_private=allow_private)

    def crawl(self, target: str, *, limit: int | None = None, allow_private: bool = False,
              progress: Callable[[str], None] = lambda url: None) -> CrawlResult:
        """Crawl a source (by name or file) or a bare start URL into the store."""
        source = source_for(target, self.config["HRBA_SOURCES_DIR"])
        fetcher = Fetcher(self.fetch_policy(allow_private))
        try:
            return Crawler(self.store, self.vocabularies, source, fetcher, limit=limit,
                           suggest=fill_language, progress=progress).run()
        finally:
            fetcher.close()

    def import_table(self, path: Path, *, source: str | None = None, trusted: bool = False,
                     dry_run: bool = False, mapping: dict[str, str] | None = None) -> ImportReport:
        """Import a CSV or XLSX table of products (pending review unless trusted)."""
        source = source or path.name
        return import_table(self.store, self.vocabularies, table_bytes(path), path.name,
                            source=source, actor=f"importer:table:{source}", trusted=trusted,
                            dry_run=dry_run, mapping=mapping, suggest=fill_language)

    def import_jsonl(self, path: Path, *, source: str | None = None, trusted: bool = False,
                     dry_run: bool = False) -> ImportReport:
        """Import corpus-format JSON Lines through the pipeline (pending review unless trusted)."""
        source = source or path.name
        return import_jsonl(self.store, self.vocabularies, path, source=source,
                            actor=f"importer:jsonl:{source}", trusted=trusted, dry_run=dry_run,
                            suggest=fill_language)

    def import_feed(self, url: str, *, source: str | None = None, trusted: bool = False,
                    agency: str | None = None, allow_private: bool = False) -> ImportReport:
        """Fetch an RSS or Atom feed and import its entries."""
        fetcher = Fetcher(self.fetch_policy(allow_private))
        try:
            return import_feed(self.store, self.vocabularies, url, fetcher, source=source or url,
                               actor=f"importer:feed:{source or url}", trusted=trusted,
                               agency=agency, suggest=fill_language)
        finally:
            fetcher.close()

    def harvest(self, url: str, *, source: str | None = None, set_spec: str | None = None,
                from_date: str | None = None, trusted: bool = False,
                allow_private: bool = False) -> ImportReport:
        """Harvest an OAI-PMH repository's oai_dc records."""
        fetcher = Fetcher(self.fetch_policy(allow_private))
        try:
            return harvest(self.store, self.vocabularies, url, fetcher, source=source or url,
                           actor=f"importer:oai:{source or url}", set_spec=set_spec,
                           from_date=from_date, trusted=trusted, suggest=fill_language)
        finally:
            fetcher.close()

    def check_links(self, *, allow_private: bool = False,
                    progress: Callable[[str], None] = lambda url: None) -> tuple[int, LinkReport]:
        """Check every product and language-version link; return (links, report)."""
        urls = urls_to_check(self.store)
        fetcher = Fetcher(self.fetch_policy(allow_private))
        try:
            report = check_links(self.store, fetcher, urls, progress=progress)
        finally:
            fetcher.close()
        record_run(self.store, "links", "check-links", report.summary(), report.as_dict())
        return len(urls), report

    def rebuild_index(self) -> RebuildReport:
        """Rebuild the search index from the published products in the store."""
        return rebuild(self.store, self.index, self.vocabularies)

    def updater(self) -> IndexUpdater:
        """Return an updater that applies store changes to this app's index."""
        updater = IndexUpdater(self.store, self.index, self.vocabularies,
                               before_round=self.refresh_vocabularies)
        self._updaters.add(updater)
        return updater

    def start_warmer(self) -> Warmer:
        """Ready each new index generation in the background before this process's
        searches move to it (serving processes only: see indexer/warming.py)."""
        return Warmer(self.index, lambda: self.vocabularies).start()

    def use_vocabularies(self, vocabularies: Vocabularies) -> None:
        """Swap in new vocabularies for searches and for this process's updaters."""
        self.vocabularies = vocabularies
        for updater in list(self._updaters):
            updater.vocabularies = vocabularies
        self._vocabulary_stamp = vocabulary_edits.stamp(self.store)

    def refresh_vocabularies(self) -> bool:
        """Reload the vocabularies if an admin changed them (in any process); say whether."""
        current = vocabulary_edits.stamp(self.store)
        if current == self._vocabulary_stamp:
            return False
        self.use_vocabularies(vocabulary_edits.load(self.vocabulary_dir, self.store))
        return True

    def vocabulary_changed(self, vocabularies: Vocabularies, vocabulary: str, term_id: str,
                           words: list[str]) -> int:
        """After an admin's change: use the new vocabularies, and re-tag and re-index the
        products it touches (tagged with the term, or mentioning one of `words`)."""
        self.use_vocabularies(vocabularies)
        touched = set(vocabulary_edits.products_tagged(self.store, vocabulary, term_id))
        for word in words:
            if word.strip():
                request = SearchRequest(q=f'"{word.replace(chr(34), " ")}"')
                try:
                    touched.update(search_ids(self.index, request, vocabularies, limit=5000))
                except (IndexUnavailableError, QueryError):
                    pass  # a rebuild will tag them anyway
        return vocabulary_edits.mark_for_reindex(self.store, sorted(touched))

    def catch_up(self) -> int | None:
        """Apply every pending store change now, if no other process is this index's
        updater; return how many products changed, or None when another updater runs."""
        updater = self.updater()
        if not updater.acquire():
            return None
        try:
            if not self.index.exists():
                return self.rebuild_index().documents
            total = 0
            while changed := updater.run_once():
                total += changed
            return total
        finally:
            updater.release()

    def backup(self, path: Path | None = None) -> BackupReport:
        """Back up the database (online, consistent) to `path` (see `backups.backup_path`)."""
        return backups.backup(self.store, backups.backup_path(path, self.data_dir))

    def restore(self, path: Path, force: bool = False) -> tuple[RestoreReport, RebuildReport]:
        """Load a backup into the empty (or, with `force`, replaced) database, then rebuild
        this process's index from it."""
        report = backups.restore(self.store, path, force=force)
        self._migrated = True
        self.refresh_vocabularies()
        return report, self.rebuild_index()

    def check_index(self, repair: bool = True) -> Drift:
        """Compare the index with the store and repair any drift."""
        return check(self.store, self.index, self.vocabularies, repair=repair)

    def prepare(self, echo: Callable[[str], None] = lambda message: None) -> None:
        """Make the catalogue ready to serve: migrate, import the corpus if empty, index.

        What `make run` relies on: on an empty data directory this builds everything
        from the shipped corpus; on a ready one it only checks.
        """
        # Processes starting together (on one host or many) migrate and import in turn.
        with self.store.exclusive("setup"):
            self.migrate()
            if self.store.count() == 0:
                corpus = Path(self.config["HRBA_CORPUS_DIR"])
                echo(f"Empty catalogue: importing the shipped corpus from {corpus} ...")
                echo(f"Import: {self.import_path(corpus).summary()}")
        if not self.index.exists():
            report = self.rebuild_index()
            echo(f"Search index built: {report.documents} products in {report.seconds:.1f} s")
        else:
            drift = self.check_index()
            if drift.rebuilt:
                echo("The search index was damaged: rebuilt from the store.")
            elif not drift.clean:
                echo(f"Search index repaired: {len(drift.missing)} missing, {len(drift.stale)} "
                     f"stale and {len(drift.extra)} extra products.")
        warm_up(self.index, self.vocabularies)

    def close(self) -> None:
        """Release the database connections and the calling thread's index searcher."""
        self.store.close()
        self.index.close()


def fill_language(product: Product) -> Product:
    """Detect the language of a crawled product that does not say (py3langid, through the
    indexer). Themes and stages are left to curators: the indexer's tagger suggests them
    at index time, apart from the product's own tags."""
    if product.languages:
        return product
    language = detect(f"{product.title}. {product.summary}", DETECTABLE)
    return product.with_changes(languages=(language,)) if language else product


def init_app(app: Flask) -> Services:
    """Create the app's Services and register them."""
    services = Services(app.config)
    app.extensions["hrba"] = services
    return services


def services() -> Services:
    """Return the current app's Services."""
    return current_app.extensions["hrba"]
