"""Stable product ids: readable slugs made once from the title and never changed."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from slugify import slugify

MAX_ID_LENGTH = 80
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_for(title: str) -> str:
    """Return a URL-safe ASCII slug for `title` (transliterating any script).

    >>> slug_for("Droits de l'homme : guide pratique")
    'droits-de-l-homme-guide-pratique'
    """
    slug = slugify(title, max_length=MAX_ID_LENGTH, word_boundary=True, save_order=True)
    if not slug:
        # A title of symbols alone: fall back to a short digest, still stable.
        slug = "product-" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:10]
    return slug


def unique_id(base: str, taken) -> str:
    """Return `base`, or `base-2`, `base-3`... whichever `taken(candidate)` says is free."""
    if not taken(base):
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix
        if not taken(candidate):
            return candidate
        n += 1


def is_valid_id(value: str) -> bool:
    """Tell whether `value` has the shape of a product id."""
    return bool(ID_PATTERN.match(value)) and len(value) <= MAX_ID_LENGTH


def title_key(title: str) -> str:
    """Return the comparison key of a title: NFC, case-folded, whitespace collapsed."""
    text = unicodedata.normalize("NFC", title)
    return " ".join(text.casefold().split())
