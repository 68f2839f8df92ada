"""The database tables (SQLAlchemy 2 declarative). Alembic migrations create them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every catalogue table."""


class ProductRow(Base):
    """One knowledge product."""

    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(60))
    year: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list] = mapped_column(JSON, default=list)
    full_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    source_url: Mapped[str | None] = mapped_column(Text)
    importer: Mapped[str] = mapped_column(String(100))
    # Which import record this product came from, so a re-import finds it again.
    origin_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Digest of the content last imported, to tell changed records from unchanged ones.
    import_hash: Mapped[str | None] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_changed: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    source: Mapped[str | None] = mapped_column(String(100), index=True)
    canonical_url: Mapped[str | None] = mapped_column(Text, index=True)
    file_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    replaced_by: Mapped[str | None] = mapped_column(String(80))

    tags: Mapped[list["TagRow"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="TagRow.position")
    versions: Mapped[list["VersionRow"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="VersionRow.language")


class TagRow(Base):
    """One vocabulary value on a product (kind: agencies, themes, languages, regions, stages)."""

    __tablename__ = "product_tags"
    __table_args__ = (Index("ix_product_tags_kind_value", "kind", "value"),)

    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    product: Mapped[ProductRow] = relationship(back_populates="tags")


class VersionRow(Base):
    """A product's version in another language."""

    __tablename__ = "language_versions"

    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(12), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)

    product: Mapped[ProductRow] = relationship(back_populates="versions")


class ChangeRow(Base):
    """The outbox: one row per product change, written in the same transaction.

    Indexes follow it to stay in step with the store; ids only grow (AUTOINCREMENT).
    """

    __tablename__ = "changes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LinkCheckRow(Base):
    """The last time the link checker visited a URL, and what it found."""

    __tablename__ = "link_checks"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # When the URL last answered well, so a curator sees how long it has been broken.
    last_ok_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReportRow(Base):
    """A problem with a product reported by a user of the public site."""

    __tablename__ = "problem_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str | None] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(320))
    resolution: Mapped[str | None] = mapped_column(Text)


class UserRow(Base):
    """A curator or admin account. Passwords are kept only as argon2id hashes."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout everywhere, password change and disable: older sessions end.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ThrottleEventRow(Base):
    """One event counted against a limit (a failed login, a problem report), by key.

    Kept in the database so limits hold across worker processes and hosts.
    """

    __tablename__ = "throttle_events"
    __table_args__ = (Index("ix_throttle_events_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(400))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RevisionRow(Base):
    """One recorded change of a product: who, when, what they did, and the product after it.

    The product before a change is the previous revision's snapshot, so every change can
    be shown as a diff and any revision restored.
    """

    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_product_id_id", "product_id", "id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(320))  # an account's email, or "importer:NAME"
    action: Mapped[str] = mapped_column(String(30))  # create, edit, approve, reject, withdraw, ...
    note: Mapped[str | None] = mapped_column(Text)  # a rejection reason, a merge target...
    snapshot: Mapped[dict] = mapped_column(JSON)


class ReviewFlagRow(Base):
    """Why a product waiting for review may be a duplicate of another."""

    __tablename__ = "review_flags"

    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    other_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40), primary_key=True)  # same_url, same_file, similar_title
    detail: Mapped[str | None] = mapped_column(Text)


class SearchMissRow(Base):
    """A search that found nothing: what people look for and the catalogue lacks."""

    __tablename__ = "search_misses"

    query_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    query: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class VocabularyTermRow(Base):
    """A vocabulary term added or changed by an admin, laid over the shipped files."""

    __tablename__ = "vocabulary_terms"

    vocabulary: Mapped[str] = mapped_column(String(40), primary_key=True)
    term_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str] = mapped_column(String(320))


class CrawlUrlRow(Base):
    """One URL a crawl source has met: the frontier, what was seen, and how to re-ask.

    A crawl round queues the rows it reaches (`round`); a killed crawl resumes from the
    rows still queued in its round. ETag and Last-Modified make the next round's
    request conditional, and `links` lets a page that answers 304 still lead on.
    """

    __tablename__ = "crawl_urls"
    __table_args__ = (Index("ix_crawl_urls_source_round_state", "source", "round", "state"),)

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # listing, product or page
    depth: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))  # queued, done, failed
    reason: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(100))
    links: Mapped[list | None] = mapped_column(JSON)
    product_id: Mapped[str | None] = mapped_column(String(80))
    queued_at: Mapped[int] = mapped_column(Integer, default=0)  # order of discovery
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportRunRow(Base):
    """One run of a crawl, an import or the link checker, and the report curators read."""

    __tablename__ = "import_runs"
    __table_args__ = (Index("ix_import_runs_source_id", "source", "id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # crawl, csv, jsonl, feed, harvest, links
    source: Mapped[str] = mapped_column(String(100))
    round: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))  # running, finished, failed
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str | None] = mapped_column(Text)
    report: Mapped[dict | None] = mapped_column(JSON)
