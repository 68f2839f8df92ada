"""Import the corpus format: JSON Lines of products, and of their translations.

A product line has `title`, `agencies`, `year`, `type`, `languages`, `themes`,
`regions`, `url`, `summary` and `source` (optional: `stages`, `links`, `full_text`,
`versions`). A translation line has `title_en` (the exact title of its product),
`language`, `title`, `url` and `source`; it becomes a language version of that product,
never a product of its own. Importing is idempotent: a product is found again by its
title, and a record whose content has not changed leaves the store untouched.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy.exc import SQLAlchemyError

from catalogue.errors import ImportFileError
from catalogue.ids import slug_for, title_key
from catalogue.importers.report import ImportReport
from catalogue.model import Product, Status, content_fields
from catalogue.normalise import product_from_record
from catalogue.store import Store, Writer
from catalogue.validation import MAX_TITLE, validate
from catalogue.vocabularies import Vocabularies

IMPORTER = "corpus"
BATCH = 200
MAX_LINE_BYTES = 2_000_000


@dataclass
class _Line:
    source: str
    number: int
    record: dict


@dataclass
class _ProductLine(_Line):
    versions: list[_Line] = field(default_factory=list)


def origin_key(title: str) -> str:
    """Return the key a corpus product is found by again on re-import."""
    return hashlib.sha256(f"{IMPORTER}:{title_key(title)}".encode("utf-8")).hexdigest()


def content_hash(product: Product) -> str:
    """Return a digest of what an import sets on a product."""
    data = content_fields(product) | {"source_url": product.provenance.source_url}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def corpus_files(path: str | Path) -> list[Path]:
    """Return the JSON Lines files to import from `path` (a file, or a directory of them)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise ImportFileError(f"no .jsonl files in {path}")
        return files
    if not path.is_file():
        raise ImportFileError(f"no such file or directory: {path}")
    return [path]


def json_lines(paths: Iterable[Path]) -> Iterator[tuple[str, int, dict | None, str | None]]:
    """Yield (file name, line number, record, None) for each JSON object line of `paths`,
    and (file name, line number, None, reason) for each other non-blank line."""
    for path in paths:
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise ImportFileError(f"cannot read {path}: {exc.strerror}") from exc
        with handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                record, reason = None, None
                if len(raw) > MAX_LINE_BYTES:
                    reason = f"line is {len(raw):,} bytes; the limit is {MAX_LINE_BYTES:,}"
                else:
                    try:
                        record = json.loads(raw.decode("utf-8"))
                    except UnicodeDecodeError:
                        reason = "line is not valid UTF-8"
                    except ValueError as exc:
                        reason = f"not valid JSON ({exc})"
                    else:
                        if not isinstance(record, dict):
                            record, reason = None, "not a JSON object"
                yield path.name, number, record, reason


def _read_lines(paths: Iterable[Path], report: ImportReport) -> Iterator[_Line]:
    for source, number, record, reason in json_lines(paths):
        if reason:
            report.record(source, number, "rejected", reason=reason)
            continue
        yield _Line(source, number, record)


def _split(lines: Iterable[_Line], report: ImportReport) -> tuple[list[_ProductLine], list[_Line]]:
    """Attach translation lines to the product lines of the same import."""
    products: list[_ProductLine] = []
    orphans: list[_Line] = []
    by_title: dict[str, _ProductLine] = {}
    translations = []
    for line in lines:
        if "title_en" in line.record:
            translations.append(line)
            continue
        product = _ProductLine(line.source, line.number, line.record)
        title = line.record.get("title")
        if isinstance(title, str) and title.strip():
            first = by_title.setdefault(title_key(title), product)
            if first is not product:
                report.record(line.source, line.number, "rejected", title=title,
                              reason=f"title: repeats {first.source} line {first.number}")
                continue
        products.append(product)
    for line in translations:
        parent_title = line.record.get("title_en")
        if not isinstance(parent_title, str) or not parent_title.strip():
            report.record(line.source, line.number, "rejected", kind="version",
                          reason="title_en: is required (the exact title of the English product)")
        elif (parent := by_title.get(title_key(parent_title))) is not None:
            parent.versions.append(line)
        else:
            orphans.append(line)
    return products, orphans


def _version_record(record: dict) -> dict:
    return {"language": record.get("language"), "title": record.get("title"),
            "url": record.get("url"), "summary": record.get("summary"),
            "source": record.get("source")}


def _with_languages(languages, extra: list) -> object:
    """Add the languages of known versions to a record's `languages` (they exist)."""
    if not isinstance(languages, list):
        return languages  # left for validation to report
    return languages + [lang for lang in extra if isinstance(lang, str) and lang not in languages]


def _product_record(line: _ProductLine) -> dict:
    """Return the product line's record with the translation lines merged in as versions."""
    record = dict(line.record)
    if not line.versions:
        return record
    versions = record.get("versions", [])
    if isinstance(versions, list):
        record["versions"] = versions + [_version_record(v.record) for v in line.versions]
        record["languages"] = _with_languages(record.get("languages", []),
                                              [v.record.get("language") for v in line.versions])
    return record


def _problems(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {', '.join(messages)}" for name, messages in errors.items())


def _save(writer: Writer, product: Product, key: str) -> tuple[str, str]:
    """Insert or update one imported product; return (outcome, product id)."""
    digest = content_hash(product)
    found = writer.by_origin(key)
    if found is None:
        product = product.with_changes(id=writer.free_id(product.id))
        writer.add(product, origin_key=key, import_hash=digest, actor=f"importer:{IMPORTER}")
        return "added", product.id
    stored, stored_digest = found
    if stored_digest == digest:
        return "unchanged", stored.id
    # Keep what the catalogue decided (id, status, first seen); take the new content.
    updated = product.with_changes(id=stored.id, status=stored.status)
    writer.update(updated, import_hash=digest, actor=f"importer:{IMPORTER}")
    return "updated", stored.id


class CorpusImporter:
    """Import corpus-format files into a store, reporting on every line."""

    def __init__(self, store: Store, vocabularies: Vocabularies, *,
                 status: Status = Status.PUBLISHED,
                 progress: Callable[[int], None] | None = None):
        self.store = store
        self.vocabularies = vocabularies
        self.status = status
        self.progress = progress or (lambda n: None)

    def run(self, path: str | Path) -> ImportReport:
        """Import every record under `path` and return the report."""
        report = ImportReport()
        products, orphans = _split(_read_lines(corpus_files(path), report), report)
        for start in range(0, len(products), BATCH):
            batch = products[start:start + BATCH]
            with self.store.write() as writer:
                for line in batch:
                    self._import_product(writer, line, report)
            self.progress(len(batch))
        if orphans:
            with self.store.write() as writer:
                for line in orphans:
                    self._attach_version(writer, line, report)
            self.progress(len(orphans))
        return report

    def count(self, path: str | Path) -> int:
        """Return roughly how many records `path` holds (for a progress bar)."""
        total = 0
        for file in corpus_files(path):
            with file.open("rb") as handle:
                total += sum(1 for raw in handle if raw.strip())
        return total

    def _import_product(self, writer: Writer, line: _ProductLine, report: ImportReport) -> None:
        record = _product_record(line)
        title = record.get("title") if isinstance(record.get("title"), str) else None
        product, errors = product_from_record(
            record, self.vocabularies, product_id=slug_for(title or "untitled"),
            importer=f"{IMPORTER}:{line.source}", status=self.status)
        errors = {**validate(product, self.vocabularies), **errors}
        outcome, product_id, reason = "rejected", None, _problems(errors) if errors else None
        if not errors:
            try:
                with writer.savepoint():
                    outcome, product_id = _save(writer, product, origin_key(product.title))
            except SQLAlchemyError as exc:
                reason = f"the database refused the record ({type(exc).__name__})"
        report.record(line.source, line.number, outcome, product_id=product_id,
                      title=title, reason=reason)
        for version in line.versions:
            version_reason = None
            if outcome == "rejected":
                version_reason = "its product was rejected"
            report.record(version.source, version.number, outcome, kind="version",
                          product_id=product_id, title=version.record.get("title")
                          if isinstance(version.record.get("title"), str) else None,
                          reason=version_reason)

    def _attach_version(self, writer: Writer, line: _Line, report: ImportReport) -> None:
        """Add a translation to a product already in the store (found by exact title)."""
        parent_title = line.record["title_en"]
        title = line.record.get("title") if isinstance(line.record.get("title"), str) else None
        found = writer.by_origin(origin_key(parent_title))
        if found is None:
            report.record(line.source, line.number, "rejected", kind="version", title=title,
                          reason=f"title_en: no product titled {parent_title[:MAX_TITLE]!r}")
            return
        stored, _ = found
        wanted, errors = product_from_record({"versions": [_version_record(line.record)]},
                                             self.vocabularies, product_id=stored.id)
        version = wanted.versions[0] if wanted.versions else None
        if version is not None:
            others = tuple(v for v in stored.versions if v.language != version.language)
            languages = stored.languages + (() if version.language in stored.languages
                                            else (version.language,))
            candidate = stored.with_changes(versions=others + (version,), languages=languages)
            errors |= {k: v for k, v in validate(candidate, self.vocabularies).items()
                       if k == "versions"}
        if errors or version is None:
            report.record(line.source, line.number, "rejected", kind="version", title=title,
                          reason=_problems(errors))
            return
        if stored.version(version.language) == version and version.language in stored.languages:
            outcome = "unchanged"
        else:
            with writer.savepoint():
                writer.update(candidate, actor=f"importer:{IMPORTER}", note="language version")
            outcome = "updated"
        report.record(line.source, line.number, outcome, kind="version",
                      product_id=stored.id, title=title)
