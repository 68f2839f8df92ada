"""Counting events against limits (failed logins, problem reports) in the database.

The database is shared by every worker process and host, so a limit counted here
holds across all of them.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from catalogue.store import Store, utcnow
from catalogue.tables import ThrottleEventRow

MAX_KEY = 400


def record_event(store: Store, *keys: str) -> None:
    """Count one event under each of `keys` (e.g. the client address and the account)."""
    now = utcnow()
    with store.write() as writer:
        writer.session.add_all(ThrottleEventRow(key=key[:MAX_KEY], at=now) for key in keys)


def recent_events(store: Store, key: str, window: timedelta) -> int:
    """Return how many events `key` has had within the last `window`."""
    since = utcnow() - window
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(ThrottleEventRow)
                              .where(ThrottleEventRow.key == key[:MAX_KEY],
                                     ThrottleEventRow.at >= since))


def forget_events(store: Store, key: str | None = None, *, older_than: timedelta | None = None) -> int:
    """Drop events (of `key`, or of every key), all or only those older than `older_than`."""
    query = delete(ThrottleEventRow)
    if key is not None:
        query = query.where(ThrottleEventRow.key == key[:MAX_KEY])
    if older_than is not None:
        query = query.where(ThrottleEventRow.at < utcnow() - older_than)
    with store.write() as writer:
        return writer.session.execute(query).rowcount
