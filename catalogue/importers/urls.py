"""Canonical URLs: one spelling per resource, so two links to it are seen as one."""

from __future__ import annotations

from urllib.parse import urlsplit

from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
            "fbclid", "gclid", "mc_cid", "mc_eid", "ref", "share")


def canonical_url(url: str) -> str:
    """Return `url` with scheme and host lower-cased, default port, fragment and tracking
    parameters dropped, and the query sorted (w3lib)."""
    try:
        cleaned = url_query_cleaner(url.strip(), TRACKING, remove=True, keep_fragments=False)
        canonical = canonicalize_url(cleaned, keep_fragments=False)
    except ValueError:
        return url.strip()
    parts = urlsplit(canonical)
    netloc = parts.netloc.lower()
    if (parts.scheme, parts.port) in (("http", 80), ("https", 443)):
        netloc = netloc.rsplit(":", 1)[0]
    path = parts.path or "/"
    return parts._replace(netloc=netloc, path=path).geturl()
