"""`import_jsonl`: corpus-format records from elsewhere, through the pipeline, pending review."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from catalogue.errors import ImportFileError
from catalogue.importers.jsonl import import_jsonl
from catalogue.model import Status
from catalogue.tables import ImportRunRow

RECORD = {"title": "Rights-based water programming", "agencies": ["UNICEF"], "type": "Case study",
          "languages": ["en"], "year": 2014, "url": "https://example.org/water.pdf",
          "summary": "What changed.", "themes": ["Participation"], "regions": ["Global"]}


def _write(tmp_path, lines: list) -> object:
    path = tmp_path / "partner.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
                    + "\n", encoding="utf-8")
    return path


def test_records_wait_for_review_and_bad_lines_are_reported(store, vocabularies, tmp_path):
    path = _write(tmp_path, [
        RECORD,
        "{not json",
        ["a", "list"],
        {"title_en": RECORD["title"], "language": "fr", "title": "Eau", "url": "https://x.org/fr"},
        {**RECORD, "title": "Same URL, other title"},
        {**RECORD, "title": "Unknown agency", "url": "https://example.org/other", "agencies": ["Nobody"]},
        {**RECORD, "title": "No URL at all", "url": None},
    ])
    report = import_jsonl(store, vocabularies, path, source="partner", actor="importer:test")
    assert [(line.line, line.outcome, line.reason) for line in report.lines] == [
        (1, "added", None),
        (2, "rejected", "not valid JSON (Expecting property name enclosed in double quotes: "
                        "line 1 column 2 (char 1))"),
        (3, "rejected", "not a JSON object"),
        (4, "rejected", "a translation line (title_en): import it with `hrba import`"),
        (5, "rejected", "repeats line 1 (same URL)"),
        (6, "rejected", "agencies: unknown agency 'Nobody'"),
        (7, "added", None)]
    water = store.get("rights-based-water-programming")
    assert (water.status, water.type, water.themes, water.provenance.importer) == \
        (Status.PENDING_REVIEW, "case-study", ("participation",), "jsonl:partner")
    again = import_jsonl(store, vocabularies, path, source="partner", actor="importer:test")
    assert again.counts == {"added": 0, "updated": 0, "unchanged": 2, "rejected": 5}
    with store.read() as session:
        runs = [(r.kind, r.source, r.summary) for r in session.scalars(select(ImportRunRow))]
    assert runs[-1] == ("jsonl", "partner", "0 added, 0 updated, 2 unchanged, 5 rejected; "
                                            "0 waiting for review")


def test_a_dry_run_keeps_nothing_and_a_missing_file_is_a_file_error(store, vocabularies, tmp_path):
    path = _write(tmp_path, [RECORD])
    report = import_jsonl(store, vocabularies, path, source="partner", actor="x", dry_run=True)
    assert report.counts["added"] == 1 and store.count() == 0
    with pytest.raises(ImportFileError, match="no such file"):
        import_jsonl(store, vocabularies, tmp_path / "missing.jsonl", source="partner", actor="x")
