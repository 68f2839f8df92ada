"""Import JSON Lines of corpus-format records through the pipeline (pending review).

Unlike `hrba import` (the shipped corpus: published at once, found again by title), this
is for records from elsewhere: each goes through the pipeline like a crawled page, is
found again by its URL (else its title) within `source`, and waits for review unless the
source is trusted. Translation lines (`title_en`) belong to the corpus format's own
importer and are rejected here with that reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from catalogue.importers.corpus import corpus_files, json_lines
from catalogue.importers.pipeline import (Pipeline, Rejection, Row, Suggest, record_candidates,
                                          source_name)
from catalogue.importers.report import ImportReport
from catalogue.importers.runs import record_run
from catalogue.store import Store
from catalogue.vocabularies import Vocabularies


def _rows(paths: list[Path]) -> Iterator[Row | Rejection]:
    for source, number, record, reason in json_lines(paths):
        if reason:
            yield Rejection(source, number, reason)
        elif "title_en" in record:
            yield Rejection(source, number, "a translation line (title_en): import it with "
                            "`hrba import`", kind="version")
        else:
            yield source, number, record, None


def import_jsonl(store: Store, vocabularies: Vocabularies, path: str | Path, *, source: str,
                 actor: str, trusted: bool = False, dry_run: bool = False,
                 suggest: Suggest | None = None) -> ImportReport:
    """Import the records of a JSON Lines file (or a directory of them); return the report."""
    source = source_name(source)
    paths = corpus_files(path)
    report = ImportReport()
    pipeline = Pipeline(vocabularies, source=source, importer=f"jsonl:{source}",
                        trusted=trusted, suggest=suggest, actor=actor, report=report)
    pipeline.run(store, record_candidates(_rows(paths)), dry_run=dry_run)
    if not dry_run:
        record_run(store, "jsonl", source, report.short_summary(),
                   {"files": [p.name for p in paths], "actor": actor, **report.as_dict()})
    return report
