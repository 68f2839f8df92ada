"""The database tables (SQLAlchemy 2 declarative). Alembic migrations create them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
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
