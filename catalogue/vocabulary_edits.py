"""Admins' additions to the controlled vocabularies, kept in the database over the shipped files.

A theme, an agency, or an alias or acronym of an existing term can be added without
changing code; the additions are checked against everything else (no string may name two
terms) before they are kept.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from catalogue.errors import ValidationError, VocabularyError
from catalogue.store import Store, as_utc, utcnow
from catalogue.tables import ProductRow, TagRow, VocabularyTermRow
from catalogue.vocabularies import Vocabularies

LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
EDITABLE = {"theme": "themes", "agency": "agencies"}  # vocabulary -> product tag kind
TERM_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
MAX_LABEL = 200


def overlay(store: Store) -> list[tuple[str, str, dict]]:
    """Return the admins' additions, oldest first (empty before the table exists)."""
    try:
        with store.read() as session:
            rows = session.scalars(select(VocabularyTermRow).order_by(VocabularyTermRow.changed_at))
            return [(row.vocabulary, row.term_id, dict(row.data)) for row in rows]
    except SQLAlchemyError:
        return []


def stamp(store: Store) -> tuple[int, datetime | None]:
    """Return what changes whenever an addition is made (count and latest time)."""
    try:
        with store.read() as session:
            count, latest = session.execute(select(func.count(), func.max(VocabularyTermRow.changed_at))).one()
            return count, as_utc(latest)
    except SQLAlchemyError:
        return 0, None


def load(directory: str | Path, store: Store | None) -> Vocabularies:
    """Load the shipped vocabularies with the admins' additions laid over them."""
    return Vocabularies.load(directory, overlay(store) if store is not None else ())


def _clean(text: str, field: str, errors: dict) -> str:
    text = " ".join((text or "").split())
    if len(text) > MAX_LABEL:
        errors.setdefault(field, []).append(f"keep it under {MAX_LABEL} characters")
    return text


def _in_languages(texts: dict[str, str], field: str, errors: dict) -> dict[str, str]:
    """Return the texts given for the UN languages, cleaned (the form field is `FIELD_LANG`)."""
    cleaned = {lang: _clean(texts.get(lang, ""), f"{field}_{lang}", errors) for lang in LANGUAGES}
    return {lang: text for lang, text in cleaned.items() if text}


def _check_new_id(term_id: str, vocabularies: Vocabularies, vocabulary: str, example: str,
                  errors: dict) -> None:
    if not TERM_ID.fullmatch(term_id or ""):
        errors.setdefault("id", []).append(f"use lowercase letters, digits and hyphens, e.g. {example}")
    elif term_id in vocabularies[vocabulary]:
        errors.setdefault("id", []).append(f"there is already a {vocabulary} {term_id!r}")


def _save(store: Store, directory: str | Path, vocabulary: str, term_id: str, data: dict, actor: str) -> Vocabularies:
    """Check the addition against every vocabulary, then keep it; return the new vocabularies."""
    rows = [r for r in overlay(store) if not (r[0] == vocabulary and r[1] == term_id)]
    current = next((r[2] for r in overlay(store) if r[0] == vocabulary and r[1] == term_id), {})
    merged = _merge_data(current, data)
    try:
        vocabularies = Vocabularies.load(directory, rows + [(vocabulary, term_id, merged)])
    except VocabularyError as exc:
        raise ValidationError({"label": [str(exc)]}) from exc
    with store.write() as writer:
        row = writer.session.get(VocabularyTermRow, (vocabulary, term_id))
        if row is None:
            row = VocabularyTermRow(vocabulary=vocabulary, term_id=term_id)
            writer.session.add(row)
        row.data, row.changed_at, row.changed_by = merged, utcnow(), actor
    return vocabularies


def _merge_data(current: dict, data: dict) -> dict:
    merged = dict(current)
    for key, value in data.items():
        if key == "aliases":
            merged["aliases"] = list(dict.fromkeys((merged.get("aliases") or []) + list(value)))
        elif isinstance(value, dict):
            merged[key] = {**(merged.get(key) or {}), **value}
        else:
            merged[key] = value
    return merged


def add_theme(store: Store, directory: str | Path, vocabularies: Vocabularies, term_id: str,
              labels: dict[str, str], actor: str) -> Vocabularies:
    """Add a theme with its labels (English required, the other five UN languages welcome)."""
    errors: dict[str, list[str]] = {}
    labels = _in_languages(labels, "label", errors)
    _check_new_id(term_id, vocabularies, "theme", "social-protection", errors)
    if not labels.get("en"):
        errors.setdefault("label_en", []).append("give at least the English label")
    if errors:
        raise ValidationError(errors)
    return _save(store, directory, "theme", term_id, {"labels": labels}, actor)


def add_agency(store: Store, directory: str | Path, vocabularies: Vocabularies, term_id: str,
               acronym: str, names: dict[str, str], un_system: bool, actor: str) -> Vocabularies:
    """Add a publishing body: acronym, names in the UN languages, and whether it is UN system."""
    errors: dict[str, list[str]] = {}
    acronym = _clean(acronym, "acronym", errors)
    names = _in_languages(names, "name", errors)
    _check_new_id(term_id, vocabularies, "agency", "unhabitat", errors)
    if not acronym:
        errors.setdefault("acronym", []).append("give the acronym (or a short name)")
    if not names.get("en"):
        errors.setdefault("name_en", []).append("give at least the English name")
    if errors:
        raise ValidationError(errors)
    data = {"acronym": acronym, "names": names, "un_system": un_system, "successor": None, "url": None}
    return _save(store, directory, "agency", term_id, data, actor)


def add_alias(store: Store, directory: str | Path, vocabularies: Vocabularies, vocabulary: str,
              term_id: str, alias: str, actor: str) -> Vocabularies:
    """Add another name, acronym or spelling that means an existing theme or agency."""
    errors: dict[str, list[str]] = {}
    alias = _clean(alias, "alias", errors)
    if vocabulary not in EDITABLE:
        errors.setdefault("vocabulary", []).append("aliases can be added to themes and agencies")
    elif term_id not in vocabularies[vocabulary]:
        errors.setdefault("term", []).append(f"no {vocabulary} {term_id!r}")
    if not alias:
        errors.setdefault("alias", []).append("type the alias or acronym")
    if errors:
        raise ValidationError(errors)
    return _save(store, directory, vocabulary, term_id, {"aliases": [alias]}, actor)


def products_tagged(store: Store, vocabulary: str, term_id: str) -> list[str]:
    """Return the ids of products tagged with a term (their index documents name it)."""
    kind = EDITABLE.get(vocabulary)
    if kind is None:
        return []
    with store.read() as session:
        return list(session.scalars(select(TagRow.product_id).where(TagRow.kind == kind, TagRow.value == term_id)))


def mark_for_reindex(store: Store, product_ids: list[str]) -> int:
    """Queue products for re-indexing through the outbox (their content is unchanged)."""
    ids = sorted(set(product_ids))
    with store.write() as writer:
        existing = set(writer.session.scalars(select(ProductRow.id).where(ProductRow.id.in_(ids))))
        for product_id in ids:
            if product_id in existing:
                writer.touch(product_id)
    return len(existing)
