"""The import pipeline every importer shares: normalise, validate, deduplicate, store.

A record (corpus-format keys: title, agencies, type, languages, year, url, summary,
source, links, full_text, themes, stages, versions) becomes a Product, is checked, is
found again by its origin (a canonical URL, an identifier, a row key) so that a re-run
updates instead of duplicating, and is stored pending review, or published when its
source is trusted and nothing looks like a duplicate. Suspected duplicates are written
to `review_flags` for the curators. Nothing here stops a run: each record ends as one
line of the ImportReport, with its reason when rejected.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Callable

from sqlalchemy.exc import SQLAlchemyError

from catalogue.duplicates import flag_duplicates, suspected_duplicates
from catalogue.ids import slug_for
from catalogue.importers.report import ImportReport
from catalogue.model import Product, Provenance, Status, content_fields
from catalogue.normalise import product_from_record
from catalogue.store import Writer
from catalogue.validation import validate
from catalogue.vocabularies import Vocabularies

# Fills what a product lacks (language, suggested themes and stages); wired by the web
# layer from the indexer's tagger, since importers may not import the indexer.
Suggest = Callable[[Product], Product]


@dataclass(frozen=True)
class Candidate:
    """One record on its way in, and where it came from."""

    record: dict
    origin: str                        # finds the product again on the next run
    where: str                         # for the report: a URL or a file name
    line: int = 0
    canonical_url: str | None = None
    file_hash: str | None = None


def origin_key(source: str, origin: str) -> str:
    """Return the key a product from `source` is found by again."""
    return hashlib.sha256(f"{source}:{origin}".encode("utf-8")).hexdigest()


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
                 trusted: bool = False, suggest: Suggest | None = None, dry_run: bool = False,
                 report: ImportReport | None = None):
        self.vocabularies = vocabularies
        self.source = source
        self.importer = importer
        self.trusted = trusted
        self.suggest = suggest
        self.dry_run = dry_run
        self.report = report if report is not None else ImportReport()

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
                outcome, product_id = self._save(writer, product, candidate)
        except SQLAlchemyError as exc:
            return self._note(candidate, "rejected", None, title,
                              f"the database refused the record ({type(exc).__name__})")
        return self._note(candidate, outcome, product_id, title, None)

    def _note(self, candidate: Candidate, outcome: str, product_id, title, reason) -> str:
        self.report.record(candidate.where, candidate.line, outcome, product_id=product_id,
                           title=title, reason=reason)
        return outcome

    def _save(self, writer: Writer, product: Product, candidate: Candidate) -> tuple[str, str | None]:
        key = origin_key(self.source, candidate.origin)
        digest = import_digest(product)
        found = writer.by_origin(key)
        if found is not None:
            stored, stored_digest = found
            if stored_digest == digest:
                return "unchanged", stored.id
            if not self.dry_run:
                # Keep what the catalogue decided: id, status (a rejection stays one).
                updated = writer.update(product.with_changes(
                    id=stored.id, status=stored.status,
                    provenance=product.provenance.__class__(
                        **{**vars(product.provenance), "first_seen": stored.provenance.first_seen})),
                    import_hash=digest)
                if updated.status == Status.PENDING_REVIEW:
                    flag_duplicates(writer.session, updated)
            return "updated", stored.id
        product = product.with_changes(id=writer.free_id(product.id))
        if self.dry_run:
            return "added", None
        if product.status == Status.PUBLISHED and suspected_duplicates(writer.session, product):
            product = product.with_changes(status=Status.PENDING_REVIEW)
        added = writer.add(product, origin_key=key, import_hash=digest)
        if added.status == Status.PENDING_REVIEW:
            flag_duplicates(writer.session, added)
        return "added", added.id
