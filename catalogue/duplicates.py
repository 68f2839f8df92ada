"""Finding products that may be the same as another: same URL, same file, same title.

The import pipeline flags a new product waiting for review with what this finds
(`review_flags`); the curator workspace shows the flags and reuses the same function.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from catalogue.model import Product
from catalogue.store import Store
from catalogue.tables import ProductRow, ReviewFlagRow, VersionRow

SIMILAR_TITLE = 0.93  # difflib ratio of two normalised titles
MIN_TITLE_KEY = 12    # shorter titles ("Guide", "Toolkit") say too little to compare

Suspicion = tuple[str, str, str]  # (other product id, reason, detail)


def title_fingerprint(title: str) -> str:
    """Return a title reduced to letters and digits, case and accents folded."""
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", text))


def _titles(product: Product) -> list[tuple[str, str]]:
    found = [("", product.title)] + [(v.language, v.title) for v in product.versions]
    return [(language, key) for language, title in found
            if len(key := title_fingerprint(title or "")) >= MIN_TITLE_KEY]


def _suspicions(session: Session, product: Product) -> list[Suspicion]:
    found: dict[tuple[str, str], str] = {}
    urls = {u for u in (product.url, product.provenance.canonical_url) if u}
    if urls:
        rows = session.execute(select(ProductRow.id, ProductRow.url).where(
            ProductRow.id != product.id,
            or_(ProductRow.canonical_url.in_(urls), ProductRow.url.in_(urls))))
        for other_id, url in rows:
            found.setdefault((other_id, "same_url"), f"both at {url or sorted(urls)[0]}")
        rows = session.execute(select(VersionRow.product_id, VersionRow.language, VersionRow.url)
                               .where(VersionRow.product_id != product.id, VersionRow.url.in_(urls)))
        for other_id, language, url in rows:
            found.setdefault((other_id, "same_url"), f"its {language} version is at {url}")
    if product.provenance.file_hash:
        rows = session.scalars(select(ProductRow.id).where(
            ProductRow.id != product.id, ProductRow.file_hash == product.provenance.file_hash))
        for other_id in rows:
            found.setdefault((other_id, "same_file"), "the same file (SHA-256)")
    mine = _titles(product)
    if mine:
        others = [(pid, "", title) for pid, title in session.execute(
            select(ProductRow.id, ProductRow.title).where(ProductRow.id != product.id))]
        others += list(session.execute(select(VersionRow.product_id, VersionRow.language,
                                              VersionRow.title)
                                       .where(VersionRow.product_id != product.id)))
        for other_id, language, title in others:
            theirs = title_fingerprint(title or "")
            for _, key in mine:
                matcher = difflib.SequenceMatcher(None, key, theirs, autojunk=False)
                if matcher.real_quick_ratio() >= SIMILAR_TITLE and \
                        matcher.quick_ratio() >= SIMILAR_TITLE and matcher.ratio() >= SIMILAR_TITLE:
                    where = f" ({language} version)" if language else ""
                    found.setdefault((other_id, "similar_title"), f"title{where}: {title[:200]}")
                    break
    return [(other_id, reason, detail) for (other_id, reason), detail in found.items()]


def suspected_duplicates(source: Store | Session, product: Product) -> list[Suspicion]:
    """Return the products `product` may duplicate: [(other id, reason, detail)].

    Reasons: `same_url` (its URL or canonical URL is another product's, or a language
    version's), `same_file` (same SHA-256), `similar_title` (titles, in any language
    and including language versions, equal once case, accents and punctuation are
    folded, or nearly so). Pass a Store, or the session of an open transaction.
    """
    if isinstance(source, Store):
        with source.read() as session:
            return _suspicions(session, product)
    return _suspicions(source, product)


def flag_duplicates(session: Session, product: Product) -> list[Suspicion]:
    """Replace `product`'s review flags with what `suspected_duplicates` finds now."""
    suspicions = _suspicions(session, product)
    for row in session.scalars(select(ReviewFlagRow).where(ReviewFlagRow.product_id == product.id)):
        session.delete(row)
    session.flush()
    session.add_all(ReviewFlagRow(product_id=product.id, other_id=other_id, reason=reason,
                                  detail=detail) for other_id, reason, detail in suspicions)
    session.flush()
    return suspicions
