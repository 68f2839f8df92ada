"""The curators' workflow: create, edit, approve, reject, merge, withdraw, restore, revert.

Each action is one transaction that writes the product, its outbox row and its revision
(who, what, and the product after it), so nothing is lost and search follows within seconds.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from catalogue.errors import EditConflict, ValidationError, WorkflowError
from catalogue.ids import slug_for
from catalogue.model import TAG_FIELDS, Link, Product, Status
from catalogue.store import Store, Writer, product_from_snapshot
from catalogue.tables import ReviewFlagRow, RevisionRow
from catalogue.validation import validate
from catalogue.vocabularies import Vocabularies

MAX_REASON = 2000


def _valid(product: Product, vocabularies: Vocabularies) -> Product:
    errors = validate(product, vocabularies)
    if errors:
        raise ValidationError(errors)
    return product


def _check_unchanged(writer: Writer, product_id: str, seen_revision: int | None) -> None:
    """Refuse to save over a change the editor has not seen (optimistic locking)."""
    if seen_revision is None:
        return
    latest = writer.session.scalar(select(func.max(RevisionRow.id))
                                   .where(RevisionRow.product_id == product_id)) or 0
    if latest != seen_revision:
        raise EditConflict(f"{product_id} was changed by someone else after you opened it; "
                           "reload it, then make your change again")


def create(store: Store, vocabularies: Vocabularies, product: Product, actor: str) -> Product:
    """Add a product a curator wrote; its id comes from the title when none is given."""
    with store.write() as writer:
        product_id = writer.free_id(product.id or slug_for(product.title) or "product")
        product = _valid(product.with_changes(id=product_id), vocabularies)
        return writer.add(product, actor=actor, action="create")


def save(store: Store, vocabularies: Vocabularies, product: Product, actor: str,
         seen_revision: int | None = None) -> Product:
    """Save a curator's edit of a product (content only: its status is kept)."""
    with store.write() as writer:
        current = writer.get(product.id, for_update=True)
        _check_unchanged(writer, product.id, seen_revision)
        edited = _valid(product.with_changes(status=current.status, replaced_by=current.replaced_by,
                                             provenance=current.provenance), vocabularies)
        if edited == current:
            return current  # nothing to record
        return writer.update(edited, actor=actor, action="edit")


def _transition(store: Store, product_id: str, actor: str, action: str, allowed: set[Status],
                target: Status, note: str | None = None, seen_revision: int | None = None) -> Product:
    with store.write() as writer:
        current = writer.get(product_id, for_update=True)
        _check_unchanged(writer, product_id, seen_revision)
        if current.status not in allowed:
            raise WorkflowError(f"cannot {action} {product_id}: it is {current.status.value.replace('_', ' ')}")
        updated = writer.update(current.with_changes(status=target), actor=actor, action=action, note=note)
        if target is not Status.PENDING_REVIEW:
            writer.session.execute(delete(ReviewFlagRow).where(ReviewFlagRow.product_id == product_id))
        return updated


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["give a reason; it is kept in the product's history"]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [f"keep it under {MAX_REASON} characters"]})
    return reason


def approve(store: Store, product_id: str, actor: str) -> Product:
    """Publish a product waiting for review."""
    return _transition(store, product_id, actor, "approve", {Status.PENDING_REVIEW, Status.DRAFT},
                       Status.PUBLISHED)


def reject(store: Store, product_id: str, actor: str, reason: str) -> Product:
    """Turn down a product waiting for review; it stays, so a re-crawl does not bring it back."""
    return _transition(store, product_id, actor, "reject", {Status.PENDING_REVIEW, Status.DRAFT},
                       Status.REJECTED, note=_reason(reason))


def withdraw(store: Store, product_id: str, actor: str, reason: str) -> Product:
    """Take a published product out of the catalogue; a tombstone remains for harvesters."""
    return _transition(store, product_id, actor, "withdraw", {Status.PUBLISHED}, Status.WITHDRAWN,
                       note=_reason(reason))


def restore(store: Store, product_id: str, actor: str) -> Product:
    """Publish again a withdrawn or rejected product."""
    return _transition(store, product_id, actor, "restore", {Status.WITHDRAWN, Status.REJECTED},
                       Status.PUBLISHED)


def merge(store: Store, vocabularies: Vocabularies, product_id: str, into_id: str, actor: str) -> Product:
    """Merge a duplicate into the product it duplicates and return the one that remains.

    The remaining product gains what only the duplicate had (tags, language versions, links,
    the duplicate's address as an extra link); the duplicate points to it and leaves the
    catalogue (withdrawn if it was published, so harvesters learn it is gone; else rejected).
    """
    if product_id == into_id:
        raise WorkflowError("a product cannot be merged into itself")
    with store.write() as writer:
        duplicate = writer.get(product_id, for_update=True)
        target = writer.get(into_id, for_update=True)
        if target.status in (Status.WITHDRAWN, Status.REJECTED):
            raise WorkflowError(f"cannot merge into {into_id}: it is {target.status.value}")
        if duplicate.status in (Status.WITHDRAWN, Status.REJECTED):
            raise WorkflowError(f"{product_id} is already {duplicate.status.value}")
        merged = _combined(target, duplicate)
        kept = writer.update(_valid(merged, vocabularies), actor=actor, action="merge",
                             note=f"merged {product_id} into this product")
        gone = Status.WITHDRAWN if duplicate.status is Status.PUBLISHED else Status.REJECTED
        writer.update(duplicate.with_changes(status=gone, replaced_by=into_id), actor=actor,
                      action="merge", note=f"merged into {into_id}")
        writer.session.execute(delete(ReviewFlagRow).where(ReviewFlagRow.product_id == product_id))
        return kept


def _combined(target: Product, duplicate: Product) -> Product:
    tags = {name: tuple(dict.fromkeys(getattr(target, name) + getattr(duplicate, name)))
            for name in TAG_FIELDS}
    languages = {v.language for v in target.versions}
    versions = target.versions + tuple(v for v in duplicate.versions if v.language not in languages)
    known = {target.url, *(link.url for link in target.links)}
    extra = [link for link in duplicate.links if link.url not in known]
    if duplicate.url and duplicate.url not in known:
        extra.insert(0, Link(url=duplicate.url, label=duplicate.title[:200]))
    return target.with_changes(**tags, versions=versions, links=target.links + tuple(extra),
                               year=target.year or duplicate.year,
                               summary=target.summary or duplicate.summary)


def revert(store: Store, vocabularies: Vocabularies, product_id: str, revision_id: int,
           actor: str) -> Product:
    """Bring a product back to what an earlier revision recorded (as a new revision)."""
    with store.write() as writer:
        row = writer.session.get(RevisionRow, revision_id)
        if row is None or row.product_id != product_id:
            raise WorkflowError(f"{product_id} has no revision {revision_id}")
        current = writer.get(product_id, for_update=True)
        restored = _valid(product_from_snapshot(row.snapshot, current), vocabularies)
        return writer.update(restored, actor=actor, action="revert", note=f"back to revision {revision_id}")
