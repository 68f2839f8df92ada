"""Import a CSV or XLSX table of products through the pipeline, reporting on every row.

Each row becomes a corpus-format record (`columns`), is found again on the next import
by its URL (else its title) within `source`, and lands pending review unless the source
is trusted. A bad row is one rejected line of the report; a file that cannot be read as
a table raises ImportFileError before anything is stored. A dry run goes through every
step in a transaction that is rolled back.
"""

from __future__ import annotations

from typing import Iterator

from catalogue.importers.columns import column_mapping, record_from_row
from catalogue.importers.pipeline import (Pipeline, Rejection, Row, Suggest, record_candidates,
                                          source_name)
from catalogue.importers.report import ImportReport
from catalogue.importers.runs import record_run
from catalogue.importers.sheets import Table, read_table
from catalogue.store import Store
from catalogue.vocabularies import Vocabularies


def _rows(table: Table, filename: str, mapping: dict[int, str]) -> Iterator[Row | Rejection]:
    for line, cells in table.rows:
        record, problems = record_from_row(cells, table.headers, mapping)
        if problems:
            yield Rejection(filename, line, "; ".join(problems), record.get("title"))
        else:
            yield filename, line, record, None


def import_table(store: Store, vocabularies: Vocabularies, data: bytes, filename: str, *,
                 source: str, actor: str, trusted: bool = False, dry_run: bool = False,
                 mapping: dict[str, str] | None = None, suggest: Suggest | None = None
                 ) -> ImportReport:
    """Import the products of a CSV or XLSX table (`filename` and content tell which).

    `mapping` maps headers to fields where the default matching is not enough. Rows land
    pending review unless `trusted`. With `dry_run` nothing is kept and no run is
    recorded: the report says what would be added, updated, unchanged and rejected.
    The report's notes say how the table was read and which columns went unused.
    """
    source = source_name(source)
    table = read_table(data, filename)
    columns, unused = column_mapping(table.headers, mapping)
    report = ImportReport()
    how = table.kind.upper() + (f" ({table.encoding}, delimiter {table.delimiter!r})"
                                if table.kind == "csv" else " (first sheet)")
    read = ", ".join(f"{table.headers[i]} → {field}" for i, field in sorted(columns.items()))
    report.notes.append(f"read {filename} as {how}: {len(table.rows)} rows; columns: {read}")
    if unused:
        report.notes.append("columns not imported: " + ", ".join(unused))
    pipeline = Pipeline(vocabularies, source=source, importer=f"{table.kind}:{source}",
                        trusted=trusted, suggest=suggest, actor=actor, report=report)
    pipeline.run(store, record_candidates(_rows(table, filename, columns)), dry_run=dry_run)
    if not dry_run:
        record_run(store, table.kind, source, report.short_summary(),
                   {"file": filename, "actor": actor, **report.as_dict()})
    return report
