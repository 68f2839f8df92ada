"""Reading HTML pages: pure functions, bytes or text in, data out (no network here).

Generic metadata comes from, in order of trust: schema.org JSON-LD, Highwire
`citation_*` tags, Dublin Core (`DC.*`, `dcterms.*`), OpenGraph, then `<title>`,
`<meta name=description>` and `<html lang>`. Pages are parsed with lxml through
BeautifulSoup (never html5lib: it takes minutes on badly nested tags).
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from bs4.element import Tag

MAX_TEXT = 200_000
MAX_TITLE = 500
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_YEAR = re.compile(r"(?<!\d)(19[4-9]\d|20\d\d)(?!\d)")
_COMPACT_YEAR = re.compile(r"(?<!\d)(19[4-9]\d|20\d\d)(?:0[1-9]|1[0-2])")  # D:20120101
# WHATWG's encoding rules: these labels mean their supersets.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
              "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
              "us-ascii": "cp1252", "ascii": "cp1252", "iso-8859-9": "cp1254",
              "tis-620": "cp874", "x-sjis": "shift_jis", "big5": "big5hkscs"}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_WORK_TYPES = {"creativework", "article", "report", "book", "scholarlyarticle",
               "publicationissue", "digitaldocument", "guide", "course", "learningresource",
               "dataset", "webpage", "techarticle", "govermentpublication", "manuscript"}
_SKIPPED_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer",
                 "aside", "form", "svg", "iframe")


@dataclass(frozen=True)
class PageMetadata:
    """What a page says about itself."""

    url: str
    title: str = ""
    description: str = ""
    language: str | None = None
    date: str | None = None
    year: int | None = None
    authors: tuple[str, ...] = ()
    publisher: str = ""
    keywords: tuple[str, ...] = ()
    canonical: str | None = None
    pdf_url: str | None = None
    links: tuple[str, ...] = ()
    text: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # from a source's selectors


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(body: bytes, declared: str | None = None) -> str:
    """Decode a page: byte-order mark, then the HTTP charset, then `<meta charset>`,
    then UTF-8, then Windows-1252 (which decodes anything)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, "replace")
    candidates = [_codec(declared)]
    if match := _META_CHARSET.search(body[:4096]):
        candidates.append(_codec(match.group(1).decode("ascii", "ignore")))
    for name in filter(None, candidates):
        if name.startswith("utf-16"):
            continue  # a meta tag readable as ASCII cannot be UTF-16
        try:
            return body.decode(name)
        except UnicodeDecodeError:
            continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode(candidates[0] or "cp1252", "replace")


_CONTROLS = {code: " " for code in range(32) if chr(code) not in "\t\n"}


def clean(text: str | None) -> str:
    """Collapse white space; drop control characters."""
    if not text:
        return ""
    return " ".join(text.translate(_CONTROLS).split())


def language_tag(value: str | None) -> str | None:
    """Return the primary language subtag of a tag such as `fr-FR`, `zh_Hans` or `EN`."""
    if not value:
        return None
    primary = re.split(r"[-_\s,;]", value.strip().lower(), maxsplit=1)[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def year_of(value: str | None) -> int | None:
    """Return the first plausible publication year (1940-2099) in `value`."""
    match = _YEAR.search(value or "") or _COMPACT_YEAR.search(value or "")
    return int(match.group(1)) if match else None


def soup_for(html: str) -> BeautifulSoup:
    """Parse a page with lxml."""
    return BeautifulSoup(html, "lxml")


def _metas(soup: BeautifulSoup) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in soup.find_all("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop") \
            or meta.get("http-equiv")
        value = meta.get("content")
        if isinstance(key, str) and isinstance(value, str) and value.strip():
            found.setdefault(key.strip().lower(), []).append(clean(value))
    return found


def _first(metas: dict[str, list[str]], *keys: str) -> str:
    for key in keys:
        for value in metas.get(key, ()):
            if value:
                return value
    return ""


def _all(metas: dict[str, list[str]], *keys: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for key in keys:
        for value in metas.get(key, ()):
            for part in re.split(r"\s*;\s*", value):
                if part:
                    seen.setdefault(part)
    return tuple(seen)


def _json_ld_works(soup: BeautifulSoup) -> list[dict]:
    """Return the JSON-LD objects that describe a creative work, best first."""
    works = []

    def walk(node, depth=0):
        if depth > 6:
            return
        if isinstance(node, list):
            for item in node[:50]:
                walk(item, depth + 1)
        elif isinstance(node, dict):
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.lower() in _WORK_TYPES for k in kinds):
                works.append(node)
            if "@graph" in node:
                walk(node["@graph"], depth + 1)
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.I)):
        try:
            walk(json.loads(script.string or "", strict=False))
        except (ValueError, RecursionError):
            continue
    # A specific work beats a generic WebPage.
    return sorted(works, key=lambda w: str(w.get("@type")).lower() == "webpage")


def _ld_text(value) -> str:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return _ld_text(value.get("name") or value.get("@value"))
    if isinstance(value, list) and value:
        return _ld_text(value[0])
    return ""


def _ld_names(value) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(name for item in items[:20] if (name := _ld_text(item)))


def main_text(soup: BeautifulSoup) -> str:
    """Return the readable text of the page's main content (menus, footers, scripts out)."""
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article") \
        or soup.body or soup
    if not isinstance(root, Tag):
        return ""
    for tag in root.find_all(_SKIPPED_TAGS):
        tag.decompose()
    return clean(root.get_text(" "))[:MAX_TEXT]


def _links(soup: BeautifulSoup, base: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for anchor in soup.find_all("a", href=True):
        href = anchor["href"].strip() if isinstance(anchor["href"], str) else ""
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:", "data:")):
            continue
        try:
            absolute = urljoin(base, href).split("#", 1)[0]
        except ValueError:
            continue
        if urlsplit(absolute).scheme in ("http", "https"):
            found.setdefault(absolute)
    return tuple(found)


def _base_url(soup: BeautifulSoup, url: str) -> str:
    base = soup.find("base", href=True)
    if base and isinstance(base["href"], str):
        try:
            return urljoin(url, base["href"].strip())
        except ValueError:
            pass
    return url


def _labelled(soup: BeautifulSoup, label: str) -> str:
    """Return the text that follows `label` ("Resource Type:") in the same element or the next."""
    wanted = clean(label).casefold()
    for node in soup.find_all(string=lambda s: wanted in clean(s).casefold()):
        parent = node.parent
        own = clean(parent.get_text(" ")) if parent else ""
        at = own.casefold().find(wanted)
        rest = own[at + len(wanted):].strip(" :") if at >= 0 else ""
        if rest:
            return rest
        sibling = parent.find_next_sibling() if parent else None
        if sibling is not None and (text := clean(sibling.get_text(" "))):
            return text
    return ""


def read_fields(soup: BeautifulSoup, selectors: dict[str, object]) -> dict[str, str]:
    """Read fields with a source's selectors: a CSS selector string, or {label = "Type:"}.

    A selector that matches nothing, or that is malformed, yields no field.
    """
    found: dict[str, str] = {}
    for name, selector in selectors.items():
        value = ""
        if isinstance(selector, dict) and isinstance(selector.get("label"), str):
            value = _labelled(soup, selector["label"])
        elif isinstance(selector, str):
            try:
                node = soup.select_one(selector)
            except Exception:  # soupsieve raises several types on a malformed selector
                node = None
            if node is not None:
                # Fields named *_url take the link itself; meta tags their content.
                attribute = "href" if name.endswith("url") else "content"
                raw = node.get(attribute) if node.has_attr(attribute) else node.get_text(" ")
                value = clean(raw if isinstance(raw, str) else "")
        if value:
            found[name] = value
    return found


def page_metadata(html: str, url: str, selectors: dict[str, object] | None = None) -> PageMetadata:
    """Read a page's metadata, links and main text (and any fields `selectors` name)."""
    soup = soup_for(html)
    fields = read_fields(soup, selectors) if selectors else {}
    metas = _metas(soup)
    works = _json_ld_works(soup)
    work = works[0] if works else {}
    base = _base_url(soup, url)
    title_tag = soup.find("title")
    h1 = soup.find("h1")
    title = (_ld_text(work.get("name") or work.get("headline"))
             or _first(metas, "citation_title", "dc.title", "dcterms.title", "og:title")
             or (clean(h1.get_text(" ")) if h1 else "")
             or (clean(title_tag.get_text(" ")) if title_tag else ""))
    description = (_ld_text(work.get("description"))
                   or _first(metas, "citation_abstract", "dc.description", "dcterms.abstract",
                             "dcterms.description", "og:description", "description"))
    date = (_ld_text(work.get("datePublished") or work.get("dateCreated"))
            or _first(metas, "citation_publication_date", "citation_date", "dc.date.issued",
                      "dcterms.issued", "dc.date", "dcterms.date", "article:published_time"))
    if not date and (time_tag := soup.find("time", datetime=True)):
        date = clean(str(time_tag["datetime"]))
    html_tag = soup.find("html")
    language = language_tag(
        _ld_text(work.get("inLanguage"))
        or _first(metas, "citation_language", "dc.language", "dcterms.language",
                  "content-language")
        or (html_tag.get("lang") or html_tag.get("xml:lang") if html_tag else None)
        or _first(metas, "og:locale"))
    pdf = _first(metas, "citation_pdf_url")
    canonical = soup.find("link", rel="canonical", href=True)
    links = _links(soup, base)
    if not pdf:
        pdf = next((link for link in links if urlsplit(link).path.lower().endswith(".pdf")), "")
    return PageMetadata(
        url=url,
        title=title[:MAX_TITLE],
        description=description,
        language=language,
        date=date or None,
        year=year_of(date),
        authors=_ld_names(work.get("author")) or _all(metas, "citation_author", "dc.creator",
                                                      "dcterms.creator", "author"),
        publisher=(_ld_text(work.get("publisher"))
                   or _first(metas, "citation_publisher", "dc.publisher", "dcterms.publisher",
                             "og:site_name")),
        keywords=_all(metas, "citation_keywords", "keywords", "dc.subject", "dcterms.subject"),
        canonical=urljoin(base, str(canonical["href"]).strip()) if canonical else None,
        pdf_url=urljoin(base, pdf) if pdf else None,
        links=links,
        text=main_text(soup),
        fields=fields,
    )
