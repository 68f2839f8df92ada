"""From what a page or a PDF says to an import record (pure; the pipeline takes it on)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from catalogue.importers.html import PageMetadata, clean, year_of
from catalogue.importers.pdf import PdfInfo
from catalogue.importers.sources import Source
from catalogue.vocabularies import Vocabularies


LANDING_PAGES = frozenset({"home", "index", "index.html", "index.htm", "index.php"})
LANGUAGE_SEGMENT = re.compile(r"[a-z]{2}(-[a-z]{2,4})?")


def _host(netloc: str) -> str:
    return netloc.lower().rpartition("@")[2].split(":")[0].removeprefix("www.")


def _sections(path: str) -> tuple[str, ...]:
    """A path's sections, without a leading language (`/en/`, `/fr/`) or a landing page."""
    sections = [part for part in path.lower().split("/") if part]
    if sections and LANGUAGE_SEGMENT.fullmatch(sections[0]):
        sections = sections[1:]
    if sections and sections[-1] in LANDING_PAGES:
        sections = sections[:-1]
    return tuple(sections)


def agency_for_url(vocabularies: Vocabularies, url: str) -> str | None:
    """Return the agency whose web address holds `url`: the most specific one.

    Agencies share hosts (OHCHR, its treaty bodies and special procedures on ohchr.org;
    FAO and the CFS on fao.org), so the agency whose address is the longest match wins, by
    host first (dppa.un.org before un.org), then by path section (/en/treaty-bodies/cedaw
    before /). A leading language section is ignored on both sides, so a French page of
    a treaty body finds it as an English one does.
    """
    parts = urlsplit(url)
    host, sections = _host(parts.netloc), _sections(parts.path)
    best, best_rank = None, (-1, -1)
    for term in vocabularies["agency"]:
        home_url = term.data.get("url") if hasattr(term, "data") else None
        if not isinstance(home_url, str) or not home_url:
            continue
        home = urlsplit(home_url)
        home_host, home_sections = _host(home.netloc), _sections(home.path)
        if not home_host or not (host == home_host or host.endswith("." + home_host)):
            continue
        if sections[:len(home_sections)] != home_sections:
            continue
        rank = (len(home_host), len(home_sections))
        if rank > best_rank:
            best, best_rank = term.id, rank
    return best


def _agencies(source: Source, meta: PageMetadata, vocabularies: Vocabularies) -> list[str]:
    named = meta.fields.get("agency")
    if named:
        return [part.strip() for part in named.replace(";", ",").split(",") if part.strip()]
    if source.agency:
        return [source.agency]
    if meta.publisher and vocabularies["agency"].resolve(meta.publisher):
        return [meta.publisher]
    found = agency_for_url(vocabularies, meta.url)
    return [found] if found else []


def describes_a_work(meta: PageMetadata, source: Source) -> bool:
    """Tell whether a page of a generic source is a product (it says it is a document)."""
    return bool(meta.fields.get("title")) or bool(meta.date and meta.title) \
        or bool(meta.authors and meta.title)


def page_record(meta: PageMetadata, source: Source, vocabularies: Vocabularies,
                pdf: PdfInfo | None = None, page_url: str | None = None) -> dict:
    """Return the import record of a product page (and of its PDF, when read).

    `page_url` is the page's canonical address, kept as the record's source.
    """
    fields = meta.fields
    language = fields.get("language") or meta.language or source.language
    record = {
        "title": fields.get("title") or meta.title,
        "summary": fields.get("summary") or meta.description,
        "type": fields.get("type") or source.type or "other",
        "agencies": _agencies(source, meta, vocabularies),
        "languages": [language] if language else [],
        "year": year_of(fields.get("year")) or meta.year or (year_of(pdf.created) if pdf else None),
        "url": meta.pdf_url or meta.canonical or meta.url,
        "source": page_url or meta.url,
        "links": [{"url": meta.pdf_url, "label": f"PDF, {pdf.pages} pages" if pdf else "PDF"}]
        if meta.pdf_url else [],
        "full_text": (pdf.text if pdf and pdf.text.strip() else meta.text) or None,
    }
    return record


def pdf_record(url: str, info: PdfInfo, source: Source, vocabularies: Vocabularies,
               language: str | None = None) -> dict:
    """Return the import record of a PDF reached directly."""
    lines = [clean(line) for line in info.text.splitlines() if clean(line)]
    title = info.title or (lines[0] if lines else "")
    agency = source.agency or agency_for_url(vocabularies, url)
    language = language or source.language
    return {"title": title, "summary": info.subject, "type": source.type or "other",
            "agencies": [agency] if agency else [], "languages": [language] if language else [],
            "year": year_of(info.created), "url": url, "source": url,
            "links": [{"url": url, "label": f"PDF, {info.pages} pages"}],
            "full_text": info.text or None}
