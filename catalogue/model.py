"""The product model: plain dataclasses that cross every boundary (store, index, web)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields, replace
from datetime import datetime


class Status(str, enum.Enum):
    """Where a product stands in the editorial workflow."""

    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"  # a tombstone: harvesters learn it is gone
    REJECTED = "rejected"  # a curator said no; kept so a re-crawl does not bring it back


@dataclass(frozen=True)
class LanguageVersion:
    """A published version of a product in another language (its own title and link)."""

    language: str
    title: str
    url: str | None = None
    summary: str | None = None
    source_url: str | None = None


@dataclass(frozen=True)
class Link:
    """An extra link of a product besides its main `url` (a PDF, a mirror, a module)."""

    url: str
    label: str = ""


@dataclass(frozen=True)
class Provenance:
    """Where a product came from and when the catalogue first saw and last changed it."""

    source_url: str | None = None
    importer: str = "manual"
    first_seen: datetime | None = None
    last_changed: datetime | None = None
    source: str | None = None  # the crawl source or import that brought it (e.g. "ohchr-hrba")
    canonical_url: str | None = None  # normalised URL of the product, for finding duplicates
    file_hash: str | None = None  # SHA-256 of the product's file (PDF), for finding duplicates


# The tag lists of a product and the vocabulary each one draws from.
TAG_FIELDS: dict[str, str] = {
    "agencies": "agency",
    "themes": "theme",
    "languages": "language",
    "regions": "region",
    "stages": "programming_stage",
}


@dataclass(frozen=True)
class Product:
    """A knowledge product: a guide, toolkit, training package, report or portal on HRBA.

    Tags (agencies, themes, type, languages, regions, stages) hold vocabulary ids.
    The title is kept exactly as published.
    """

    id: str
    title: str
    type: str
    summary: str = ""
    agencies: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    year: int | None = None
    url: str | None = None
    links: tuple[Link, ...] = ()
    versions: tuple[LanguageVersion, ...] = ()
    full_text: str | None = None
    status: Status = Status.PUBLISHED
    provenance: Provenance = field(default_factory=Provenance)
    replaced_by: str | None = None  # set when merged into another product (then withdrawn)

    def version(self, language: str) -> LanguageVersion | None:
        """Return the language version in `language`, if there is one."""
        return next((v for v in self.versions if v.language == language), None)

    def with_changes(self, **changes) -> "Product":
        """Return a copy with `changes` applied."""
        return replace(self, **changes)


def content_fields(product: Product) -> dict:
    """Return the product's editorial content as plain data (no id, status or provenance).

    Two products with equal content fields say the same thing; importers hash this to
    tell a changed record from an unchanged one.
    """
    skip = {"id", "status", "provenance", "replaced_by"}
    data = {}
    for f in fields(product):
        if f.name in skip:
            continue
        value = getattr(product, f.name)
        if f.name in ("links", "versions"):
            value = [vars(item).copy() for item in value]
        elif isinstance(value, tuple):
            value = list(value)
        data[f.name] = value
    return data
