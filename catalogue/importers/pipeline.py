"""The import pipeline every importer shares: normalise, validate, deduplicate, store.

A record (corpus-format keys: title, agencies, type, languages, year, url, summary,
source, links, full_text, themes, stages, versions) becomes a Product, is checked, is
found again by its origin (a canonical URL, an identifier, a row key) so that a re-run
updates instead of duplicating, and is stored pending review, or published when its
source is trusted and nothing looks like a duplicate. Suspected duplicates are written
to `review_flags` for the curators. Nothing here stops a run: each record ends as one
line of the ImportReport, with its reason when rejected.

`Pipeline.run` takes a whole import through in batches of one transaction each, or, for
a dry run, in one transaction that is rolled back: the report says what would happen.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from itertools import islice
from typing import Callable, Iterable, Iterator

from sqlalchemy.exc import SQLAlchemyError

from catalogue.duplicates import flag_duplicates, suspected_duplicates
from catalogue.errors import ImportFileError
from catalogue.ids import slug_for, title_key
from catalogue.importers.report import ImportReport
from catalogue.importers.urls import canonical_url
from catalogue.model import Product, Provenance, Status, content_fields
from catalogue.normalise import product_from_record
from catalogue.store import Store, Writer
from catalogue.validation import validate
from catalogue.vocabularies import Vocabularies

# Fills what a product lacks (language, suggested themes and stages); wired by the web
# layer from the indexer's tagger, since importers may not import the indexer.
Suggest = Callable[[Product], Product]

BATCH = 200  # records per transaction
MAX_SOURCE = 80  # characters of a source's name (the database keeps 100 with the importer's)


@dataclass(frozen=True)
class Candidate:
    """One record on its way in, and where it came from."""

    record: dict
    origin: str                        # finds the product again on the next run
    where: str                         # for the report: a URL or a file name
    line: int = 0
    canonical_url: str | None = None
    file_hash: str | None = None


@dataclass(frozen=True)
class Rejection:
    """A record refused before the pipeline (unreadable, or a repeat), and why."""

    where: str
    line: int
    reason: str
    title: str | None = None
    kind: str = "product"


Item = Candidate | Rejection
Row = tuple[str, int, dict, str | None]  # where, line, record, identifier (or None)


def source_name(text: str) -> str:
    """Return `text` (a name, a file name, a URL) as a source name: without a URL's scheme,
    and at most MAX_SOURCE characters (a long one keeps a digest of the rest, so it stays
    apart from others)."""
    name = text.strip()
    for scheme in ("https://", "http://"):
        name = name.removeprefix(scheme)
    if not name:
        raise ImportFileError("an import needs a source name")
    if len(name) > MAX_SOURCE:
        name = name[:MAX_SOURCE - 9] + "-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return name


def origin_key(source: str, origin: str) -> str:
    """Return the key a product from `source` is found by again."""
    return hashlib.sha256(f"{source}:{origin}".encode("utf-8")).hexdigest()


def _http(value) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def record_origin(record: dict) -> str | None:
    """Return what finds a record without an identifier again: its canonical URL, else
    its title (case and white space folded); None when it has neither."""
    if _http(record.get("url")):
        return canonical_url(record["url"])
    title = record.get("title")
    if isinstance(title, str) and title.strip():
        return "title:" + title_key(title)
    return None


def record_candidates(rows: Iterable[Row | Rejection]) -> Iterator[Item]:
    """Turn each (where, line, record, identifier) into a Candidate: found again by its
    identifier (a feed entry's id, an OAI-PMH identifier) when it has one, else by
    `record_origin`. Rejections pass through, in their place.

    A record that repeats an earlier one of the same run (same identifier, URL, or title
    when it has no URL) is rejected: otherwise the second would silently overwrite the first.
    """
    seen: dict[str, int] = {}
    for row in rows:
        if isinstance(row, Rejection):
            yield row
            continue
        where, line, record, identifier = row
        origin = f"id:{identifier}" if identifier else record_origin(record) or f"line:{line}"
        if origin in seen:
            title = record.get("title") if isinstance(record.get("title"), str) else None
            what = "id" if identifier else "title" if origin.startswith("title:") else "URL"
            yield Rejection(where, line, f"repeats line {seen[origin]} (same {what})",
                            title or None)
            continue
        seen[origin] = line
        url = canonical_url(record["url"]) if _http(record.get("url")) else None
        yield Candidate(record, origin=origin, where=where, line=line, canonical_url=url)


def import_digest(product: Product) -> str:
    """Return a digest of everything an import sets on a product."""
    data = content_fields(product) | {"source_url": product.provenance.source_url,
                                      "canonical_url": product.provenance.canonical_url,
                                      "file_hash": product.provenance.file_hash}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
                          .encode("utf-8")).hexdigest()


def _problems(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {', '.join(messages)}" for name, messages in errors.items())


class Pipeline:
    """Bring records of one source into the store, reporting on each."""

    def __init__(self, vocabularies: Vocabularies, *, source: str, importer: str,
                 trusted: bool = False, suggest: Suggest | None = None,
                 actor: str | None = None, report: ImportReport | None = None):
        self.vocabularies = vocabularies
        self.source = source
        self.importer = importer
        self.trusted = trusted
        self.suggest = suggest
        self.actor = actor or f"importer:{importer}"  # who the revisions name
        self.report = report if report is not None else ImportReport()

    def run(self, store: Store, items: Iterable[Item], *, dry_run: bool = False) -> ImportReport:
        """Take every candidate through, `BATCH` to a transaction, note every rejection in
        its place, and return the report.

        Items are drawn before each transaction opens, so a reader that fetches (a feed,
        a harvest) never holds the database's write lock while it waits. A dry run goes
        through all of it in one transaction rolled back at the end.
        """
        items = iter(items)
        if dry_run:
            batch = list(items)
            with store.rehearse() as writer:
                self._take(writer, batch)
        else:
            while batch := list(islice(items, BATCH)):
                with store.write() as writer:
                    self._take(writer, batch)
        return self.report

    def _take(self, writer: Writer, batch: list[Item]) -> None:
        for item in batch:
            if isinstance(item, Rejection):
                self.report.record(item.where, item.line, "rejected", kind=item.kind,
                                   title=item.title, reason=item.reason)
            else:
                self.process(writer, item)

    def product_for(self, candidate: Candidate) -> tuple[Product, dict[str, list[str]]]:
        """Normalise a record into a Product and return it with its problems."""
        record = candidate.record
        title = record.get("title") if isinstance(record.get("title"), str) else ""
        status = Status.PUBLISHED if self.trusted else Status.PENDING_REVIEW
        product, errors = product_from_record(record, self.vocabularies,
                                              product_id=slug_for(title or "untitled"),
                                              importer=self.importer, status=status)
        product = product.with_changes(provenance=Provenance(
            source_url=product.provenance.source_url, importer=self.importer,
            source=self.source, canonical_url=candidate.canonical_url,
            file_hash=candidate.file_hash))
        if self.suggest is not None and not errors:
            product = self.suggest(product)
        return product, {**validate(product, self.vocabularies), **errors}

    def process(self, writer: Writer, candidate: Candidate) -> str:
        """Take one record through the pipeline inside `writer`'s transaction; return
        its outcome (added, updated, unchanged or rejected)."""
        product, errors = self.product_for(candidate)
        title = product.title or None
        if errors:
            return self._note(candidate, "rejected", None, title, _problems(errors))
        try:
            with writer.savepoint():
                outcome, stored = self._save(writer, product, candidate)
        except SQLAlchemyError as exc:
            return self._note(candidate, "rejected", None, title,
                              f"the database refused the record ({type(exc).__name__})")
        return self._note(candidate, outcome, stored, title, None)

    def _note(self, candidate: Candidate, outcome: str, stored: Product | None, title,
              reason) -> str:
        self.report.record(candidate.where, candidate.line, outcome,
                           product_id=stored.id if stored else None, title=title, reason=reason,
                           status=stored.status.value if stored else None)
        return outcome

    def _save(self, writer: Writer, product: Product, candidate: Candidate) -> tuple[str, Product]:
        key = origin_key(self.source, candidate.origin)
        digest = import_digest(product)
        found = writer.by_origin(key)
        if found is not None:
            stored, stored_digest = found
            if stored_digest == digest:
                return "unchanged", stored
            # Keep what the catalogue decided: id, status (a rejection stays one).
            updated = writer.update(product.with_changes(
                id=stored.id, status=stored.status,
                provenance=product.provenance.__class__(
                    **{**vars(product.provenance), "first_seen": stored.provenance.first_seen})),
                import_hash=digest, actor=self.actor)
            if updated.status == Status.PENDING_REVIEW:
                flag_duplicates(writer.session, updated)
            return "updated", updated
        product = product.with_changes(id=writer.free_id(product.id))
        if product.status == Status.PUBLISHED and suspected_duplicates(writer.session, product):
            product = product.with_changes(status=Status.PENDING_REVIEW)
        added = writer.add(product, origin_key=key, import_hash=digest, actor=self.actor)
        if added.status == Status.PENDING_REVIEW:
            flag_duplicates(writer.session, added)
        return "added", added
