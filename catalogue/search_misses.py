"""Searches that found nothing: what people look for and the catalogue does not have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from catalogue.store import Store, as_utc, utcnow
from catalogue.tables import SearchMissRow

MAX_QUERY = 300


@dataclass(frozen=True)
class SearchMiss:
    """A query that found nothing, how often, and when last."""

    query: str
    count: int
    last_at: datetime


def _key(query: str) -> str:
    return " ".join(query.casefold().split())[:MAX_QUERY]


def record_miss(store: Store, query: str) -> None:
    """Count one search for `query` that found nothing."""
    key = _key(query)
    if not key:
        return
    with store.write() as writer:
        row = writer.session.get(SearchMissRow, key)
        if row is None:
            writer.session.add(SearchMissRow(query_key=key, query=" ".join(query.split())[:MAX_QUERY],
                                             count=1, last_at=utcnow()))
        else:
            row.count += 1
            row.last_at = utcnow()


def top_misses(store: Store, limit: int = 100) -> tuple[list[SearchMiss], int]:
    """Return the most frequent queries that found nothing, and how many distinct ones there are."""
    with store.read() as session:
        total = session.scalar(select(func.count()).select_from(SearchMissRow))
        rows = session.scalars(select(SearchMissRow).order_by(SearchMissRow.count.desc(),
                                                              SearchMissRow.last_at.desc()).limit(limit))
        return [SearchMiss(r.query, r.count, as_utc(r.last_at)) for r in rows], total


def forget_miss(store: Store, query: str) -> None:
    """Drop a query from the list (a curator has dealt with it)."""
    with store.write() as writer:
        row = writer.session.get(SearchMissRow, _key(query))
        if row is not None:
            writer.session.delete(row)
