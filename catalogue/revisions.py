"""The history of products: every recorded change, as revisions with field-by-field diffs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from catalogue.store import Store, as_utc
from catalogue.tables import RevisionRow

# Snapshot fields in the order a reader wants to see their changes.
FIELD_ORDER = ("title", "summary", "type", "agencies", "themes", "languages", "regions", "stages",
               "year", "url", "links", "versions", "full_text", "status", "replaced_by",
               "source_url", "source", "canonical_url", "file_hash")


@dataclass(frozen=True)
class FieldChange:
    """One field of a product before and after a change."""

    name: str
    before: object
    after: object


@dataclass(frozen=True)
class Revision:
    """One recorded change: who did what to which product, when, and the product after it."""

    id: int
    product_id: str
    at: datetime
    actor: str
    action: str
    note: str | None
    snapshot: dict
    changes: tuple[FieldChange, ...] = ()


def diff(before: dict | None, after: dict) -> tuple[FieldChange, ...]:
    """Return the fields that differ between two snapshots (all of them for a creation)."""
    before = before or {}
    names = [n for n in FIELD_ORDER if n in after or n in before]
    names += sorted((set(after) | set(before)) - set(FIELD_ORDER) - {"id"})
    return tuple(FieldChange(n, before.get(n), after.get(n)) for n in names
                 if before.get(n) != after.get(n) and not (before == {} and after.get(n) in (None, "", [])))


def _revision(row: RevisionRow, previous: dict | None, with_changes: bool) -> Revision:
    changes = diff(previous, row.snapshot) if with_changes else ()
    return Revision(id=row.id, product_id=row.product_id, at=as_utc(row.at), actor=row.actor,
                    action=row.action, note=row.note, snapshot=row.snapshot, changes=changes)


def history(store: Store, product_id: str) -> list[Revision]:
    """Return every revision of a product, newest first, each with its diff from the one before."""
    with store.read() as session:
        rows = list(session.scalars(select(RevisionRow).where(RevisionRow.product_id == product_id)
                                    .order_by(RevisionRow.id)))
    found, previous = [], None
    for row in rows:
        found.append(_revision(row, previous, True))
        previous = row.snapshot
    return found[::-1]


def get_revision(store: Store, revision_id: int) -> Revision | None:
    """Return one revision (without its diff), or None."""
    with store.read() as session:
        row = session.get(RevisionRow, revision_id)
        return _revision(row, None, False) if row else None


def activity(store: Store, limit: int = 50, before: int | None = None,
             include_importers: bool = True) -> list[Revision]:
    """Return the latest changes across the catalogue, newest first, each with its diff."""
    query = select(RevisionRow).order_by(RevisionRow.id.desc()).limit(limit)
    if before is not None:
        query = query.where(RevisionRow.id < before)
    if not include_importers:
        query = query.where(~RevisionRow.actor.startswith("importer:"))
    with store.read() as session:
        rows = list(session.scalars(query))
        found = []
        for row in rows:
            previous = session.scalars(
                select(RevisionRow.snapshot).where(RevisionRow.product_id == row.product_id,
                                                   RevisionRow.id < row.id)
                .order_by(RevisionRow.id.desc()).limit(1)).first()
            found.append(_revision(row, previous, True))
        return found


def latest_revision_id(store: Store, product_id: str) -> int:
    """Return the id of the product's newest revision (0 if none): what an editor saw."""
    with store.read() as session:
        return session.scalar(select(func.max(RevisionRow.id))
                              .where(RevisionRow.product_id == product_id)) or 0
