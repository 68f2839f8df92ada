"""What the link checker found at each URL, and the archived copy to offer when broken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select

from catalogue.store import Store, as_utc, utcnow
from catalogue.tables import LinkCheckRow

WAYBACK = "https://web.archive.org/web/"


def archived_copy(url: str, when: datetime | None = None) -> str:
    """Return the Wayback Machine address of the copy of `url` nearest to `when`.

    The Wayback Machine redirects a timestamped address to its nearest capture,
    so this works without asking it first (the link checker may confirm it).
    """
    stamp = when.strftime("%Y%m%d%H%M%S") if when else "2"
    return f"{WAYBACK}{stamp}/{quote(url, safe=':/?&=#%+,;@~')}"


@dataclass(frozen=True)
class LinkCheck:
    """One URL's last check: whether it answered, how, and when."""

    url: str
    ok: bool
    checked_at: datetime
    status_code: int | None = None
    final_url: str | None = None
    error: str | None = None
    last_ok_at: datetime | None = None

    @property
    def archived_url(self) -> str:
        """The archived copy to offer instead, as it was when the link last worked."""
        return archived_copy(self.url, self.last_ok_at)


def _from_row(row: LinkCheckRow) -> LinkCheck:
    return LinkCheck(url=row.url, ok=row.ok, checked_at=as_utc(row.checked_at),
                     status_code=row.status_code, final_url=row.final_url, error=row.error,
                     last_ok_at=as_utc(row.last_ok_at))


def record_check(store: Store, url: str, *, ok: bool, status_code: int | None = None,
                 final_url: str | None = None, error: str | None = None,
                 when: datetime | None = None) -> LinkCheck:
    """Store the result of visiting `url` (replacing the previous one) and return it."""
    if not url:
        raise ValueError("a link check needs the URL it checked")
    when = when or utcnow()
    with store.write() as writer:
        row = writer.session.get(LinkCheckRow, url)
        if row is None:
            row = LinkCheckRow(url=url)
            writer.session.add(row)
        row.ok, row.status_code, row.final_url, row.error = ok, status_code, final_url, error
        row.checked_at = when
        if ok:
            row.last_ok_at = when
        writer.session.flush()
        return _from_row(row)


def checks_for(store: Store, urls: list[str]) -> dict[str, LinkCheck]:
    """Return the last check of each of `urls` that has been checked."""
    wanted = sorted({url for url in urls if url})
    if not wanted:
        return {}
    with store.read() as session:
        rows = session.scalars(select(LinkCheckRow).where(LinkCheckRow.url.in_(wanted)))
        return {row.url: _from_row(row) for row in rows}
