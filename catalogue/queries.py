"""Queries for the curators' worklists: finding products, the review queue, gaps, broken links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select

from catalogue.model import Product, Status
from catalogue.store import Store, eager_options, product_from_row
from catalogue.tables import LinkCheckRow, ProductRow, ReviewFlagRow, TagRow, VersionRow


@dataclass(frozen=True)
class Page:
    """One page of products and how many there are in all."""

    products: list[Product]
    total: int


@dataclass(frozen=True)
class Flag:
    """Why a product waiting for review may duplicate another."""

    other_id: str
    reason: str
    detail: str | None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_products(store: Store, *, text: str = "", statuses: tuple[Status, ...] = (),
                  source: str | None = None, agency: str | None = None,
                  since: datetime | None = None, flagged: bool | None = None,
                  missing: str | None = None, limit: int = 50, offset: int = 0) -> Page:
    """Return products matching every given condition, most recently changed first.

    `text` matches the id or any part of the title (any case); `missing` is `themes`,
    `stages` or `either` for products lacking them.
    """
    conditions = []
    if text.strip():
        pattern = f"%{_escape_like(text.strip().lower())}%"
        conditions.append(or_(func.lower(ProductRow.title).like(pattern, escape="\\"),
                              ProductRow.id.like(pattern, escape="\\")))
    if statuses:
        conditions.append(ProductRow.status.in_([s.value for s in statuses]))
    if source:
        conditions.append(ProductRow.source == source)
    if agency:
        conditions.append(exists().where(TagRow.product_id == ProductRow.id, TagRow.kind == "agencies",
                                         TagRow.value == agency))
    if since:
        conditions.append(ProductRow.first_seen >= since)
    if flagged is not None:
        has_flag = exists().where(ReviewFlagRow.product_id == ProductRow.id)
        conditions.append(has_flag if flagged else ~has_flag)
    if missing:
        def lacks(kind):
            return ~exists().where(TagRow.product_id == ProductRow.id, TagRow.kind == kind)
        conditions.append({"themes": lacks("themes"), "stages": lacks("stages"),
                           "either": or_(lacks("themes"), lacks("stages"))}[missing])
    where = and_(*conditions) if conditions else True
    with store.read() as session:
        total = session.scalar(select(func.count()).select_from(ProductRow).where(where))
        rows = session.scalars(select(ProductRow).where(where).options(*eager_options())
                               .order_by(ProductRow.last_changed.desc(), ProductRow.id)
                               .limit(limit).offset(offset))
        return Page([product_from_row(row) for row in rows], total)


def flags_for(store: Store, product_ids: list[str]) -> dict[str, list[Flag]]:
    """Return the duplicate flags of each of these products."""
    if not product_ids:
        return {}
    found: dict[str, list[Flag]] = {}
    with store.read() as session:
        for row in session.scalars(select(ReviewFlagRow).where(ReviewFlagRow.product_id.in_(product_ids))
                                   .order_by(ReviewFlagRow.product_id, ReviewFlagRow.reason)):
            found.setdefault(row.product_id, []).append(Flag(row.other_id, row.reason, row.detail))
    return found


def set_flags(store: Store, product_id: str, flags: list[Flag]) -> None:
    """Replace the duplicate flags of a product."""
    with store.write() as writer:
        writer.session.query(ReviewFlagRow).filter(ReviewFlagRow.product_id == product_id).delete()
        writer.session.add_all(ReviewFlagRow(product_id=product_id, other_id=f.other_id, reason=f.reason,
                                             detail=f.detail) for f in flags)


def sources(store: Store) -> list[str]:
    """Return the sources products came from, for the review queue's filter."""
    with store.read() as session:
        return [s for s in session.scalars(select(ProductRow.source).distinct().order_by(ProductRow.source)) if s]


@dataclass(frozen=True)
class BrokenLink:
    """A product whose link (or a language version's) the link checker found broken."""

    product_id: str
    title: str
    url: str
    status_code: int | None
    error: str | None
    checked_at: datetime
    last_ok_at: datetime | None


def broken_links(store: Store, limit: int = 200) -> tuple[list[BrokenLink], int]:
    """Return published products with a broken link, the longest-broken first, and the count."""
    main = select(ProductRow.id, ProductRow.title, LinkCheckRow).join(
        LinkCheckRow, LinkCheckRow.url == ProductRow.url)
    versions = select(ProductRow.id, ProductRow.title, LinkCheckRow).join(
        VersionRow, VersionRow.product_id == ProductRow.id).join(LinkCheckRow, LinkCheckRow.url == VersionRow.url)
    found = []
    with store.read() as session:
        for query in (main, versions):
            query = query.where(ProductRow.status == Status.PUBLISHED.value, LinkCheckRow.ok.is_(False))
            for product_id, title, check in session.execute(query):
                found.append(BrokenLink(product_id, title, check.url, check.status_code, check.error,
                                        check.checked_at, check.last_ok_at))
    found.sort(key=lambda b: (b.last_ok_at is not None, b.last_ok_at or b.checked_at, b.product_id))
    return found[:limit], len(found)
