"""Runs of the crawler, the importers and the link checker, with the reports curators read."""

from __future__ import annotations

from sqlalchemy import func, select

from catalogue.store import Store, as_utc, utcnow
from catalogue.tables import ImportRunRow


def record_run(store: Store, kind: str, source: str, summary: str, report: dict) -> int:
    """Keep a finished run's report (kind: csv, jsonl, feed, harvest, links); return its id."""
    now = utcnow()
    with store.write() as writer:
        row = ImportRunRow(kind=kind, source=source, state="finished", started_at=now,
                           finished_at=now, summary=summary, report=report)
        writer.session.add(row)
        writer.session.flush()
        return row.id


def runs_by_source(store: Store) -> dict[str, dict]:
    """Return each source's latest run (of any kind): kind, state, dates and summary."""
    with store.read() as session:
        latest = select(ImportRunRow.source, func.max(ImportRunRow.id).label("id")) \
            .group_by(ImportRunRow.source).subquery()
        rows = session.scalars(select(ImportRunRow).join(latest, ImportRunRow.id == latest.c.id))
        return {row.source: {"id": row.id, "kind": row.kind, "state": row.state,
                             "started_at": as_utc(row.started_at),
                             "finished_at": as_utc(row.finished_at), "summary": row.summary}
                for row in rows}


