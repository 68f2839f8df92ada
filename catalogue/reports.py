"""Problems users report about products, kept for the curators' worklist."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from catalogue.errors import ProductNotFound, ValidationError
from catalogue.store import Store, as_utc, utcnow
from catalogue.tables import ProductRow, ReportRow
from catalogue.validation import has_control_characters

MAX_MESSAGE = 5000
MAX_CONTACT = 320


class ReportKind(str, enum.Enum):
    """What kind of problem the user saw."""

    BROKEN_LINK = "broken_link"
    WRONG_DETAILS = "wrong_details"
    MISSING_VERSION = "missing_version"
    OTHER = "other"


@dataclass(frozen=True)
class ProblemReport:
    """One report: which product, what is wrong, and whether a curator has dealt with it."""

    id: int
    product_id: str
    kind: ReportKind
    message: str
    created_at: datetime
    status: str = "open"
    contact: str | None = None
    language: str | None = None


def _from_row(row: ReportRow) -> ProblemReport:
    return ProblemReport(id=row.id, product_id=row.product_id, kind=ReportKind(row.kind),
                         message=row.message, created_at=as_utc(row.created_at),
                         status=row.status, contact=row.contact, language=row.language)


def validate_report(kind: str, message: str, contact: str | None) -> dict[str, list[str]]:
    """Return the problems with a report's fields, per field (empty when it is fine)."""
    errors: dict[str, list[str]] = {}
    if kind not in {k.value for k in ReportKind}:
        errors["kind"] = ["choose what kind of problem it is"]
    text = (message or "").strip()
    if not text:
        errors["message"] = ["describe the problem"]
    elif len(text) > MAX_MESSAGE:
        errors["message"] = [f"keep it under {MAX_MESSAGE} characters"]
    elif has_control_characters(text):
        errors["message"] = ["must not contain control characters"]
    if contact and (len(contact) > MAX_CONTACT or "@" not in contact
                    or any(ch.isspace() for ch in contact.strip())):
        errors["contact"] = ["give an email address, or leave this empty"]
    return errors


def add_report(store: Store, product_id: str, kind: str, message: str,
               contact: str | None = None, language: str | None = None) -> ProblemReport:
    """Validate and store a report about `product_id`; raise ValidationError or ProductNotFound."""
    contact = (contact or "").strip() or None
    errors = validate_report(kind, message, contact)
    if errors:
        raise ValidationError(errors)
    with store.write() as writer:
        if writer.session.get(ProductRow, product_id) is None:
            raise ProductNotFound(product_id)
        row = ReportRow(product_id=product_id, kind=kind, message=message.strip(),
                        contact=contact, language=language, status="open",
                        created_at=utcnow())
        writer.session.add(row)
        writer.session.flush()
        return _from_row(row)


def open_reports(store: Store, limit: int = 50) -> list[ProblemReport]:
    """Return the oldest open reports first: they have waited longest."""
    with store.read() as session:
        rows = session.scalars(select(ReportRow).where(ReportRow.status == "open")
                               .order_by(ReportRow.created_at, ReportRow.id).limit(limit))
        return [_from_row(row) for row in rows]


def count_open(store: Store) -> int:
    """Return how many reports wait for a curator."""
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(ReportRow)
                              .where(ReportRow.status == "open"))


def resolve_report(store: Store, report_id: int, curator: str, resolution: str) -> bool:
    """Close an open report, recording who closed it and how; False if none was open."""
    with store.write() as writer:
        row = writer.session.get(ReportRow, report_id)
        if row is None or row.status != "open":
            return False
        row.status, row.resolved_at, row.resolved_by = "resolved", utcnow(), curator
        row.resolution = (resolution or "").strip()[:MAX_MESSAGE] or None
        return True
