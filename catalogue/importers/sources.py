"""Crawl sources as data: one TOML file per site under `corpus/sources/`.

```toml
name = "hrba-portal"                 # defaults to the file's name
title = "HRBA Portal"
start_urls = ["https://hrbaportal.org/resources"]
agency = "undg"                       # vocabulary id, acronym or name
language = "en"                       # when a page does not say
type = "guidance"                     # when the page does not say (optional)
trusted = false                       # true: publish at once; false: pending review
schedule = "weekly"                   # daily, weekly, monthly or manual
max_pages = 500
max_depth = 5

[links]
products = ['/resources/[\\w-]+$']    # regular expressions on the URL's path and query
listings = ['/resources(\\?page=\\d+)?$', '/agencies/']

[fields]                              # when generic metadata is not enough
title = "h1.resource-title"           # a CSS selector
type = { label = "Resource Type:" }  # the text that follows a label
```

A bare start URL with no file becomes a generic source: same host only, every page a
listing, products recognised by their metadata (or being PDFs).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from catalogue.importers.errors import SourceError

SCHEDULES = ("manual", "daily", "weekly", "monthly")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass(frozen=True)
class Source:
    """Where and how to crawl one site."""

    name: str
    start_urls: tuple[str, ...]
    title: str = ""
    agency: str | None = None
    language: str | None = None
    type: str | None = None
    trusted: bool = False
    schedule: str = "manual"
    max_pages: int = 500
    max_depth: int = 5
    product_patterns: tuple[str, ...] = ()
    listing_patterns: tuple[str, ...] = ()
    fields: dict = field(default_factory=dict)
    path: str | None = None

    @property
    def generic(self) -> bool:
        """True for a bare start URL: every page a listing, products by their metadata."""
        return not self.product_patterns and not self.listing_patterns

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset(urlsplit(url).netloc.lower() for url in self.start_urls)

    def kind_of(self, url: str) -> str | None:
        """Return `product`, `listing` or None (not to be followed) for a link."""
        parts = urlsplit(url)
        if parts.netloc.lower() not in self.hosts:
            return None
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if self.generic:
            return "page"
        if any(re.search(p, target) for p in self.product_patterns):
            return "product"
        if any(re.search(p, target) for p in self.listing_patterns):
            return "listing"
        return None


def _strings(data: dict, key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourceError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def source_from(data: dict, name: str, where: str) -> Source:
    """Build a Source from parsed TOML, checking every field."""
    name = data.get("name", name)
    if not isinstance(name, str) or not _NAME.match(name):
        raise SourceError(f"{where}: name must be lowercase letters, digits and hyphens")
    start = _strings(data, "start_urls", where)
    if not start or any(urlsplit(u).scheme not in ("http", "https") for u in start):
        raise SourceError(f"{where}: start_urls must list http(s) addresses")
    links = data.get("links", {})
    if not isinstance(links, dict):
        raise SourceError(f"{where}: [links] must be a table")
    products = _strings(links, "products", where)
    listings = _strings(links, "listings", where)
    for pattern in products + listings:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SourceError(f"{where}: bad link pattern {pattern!r}: {exc}") from None
    schedule = data.get("schedule", "manual")
    if schedule not in SCHEDULES:
        raise SourceError(f"{where}: schedule must be one of {', '.join(SCHEDULES)}")
    fields = data.get("fields", {})
    if not isinstance(fields, dict):
        raise SourceError(f"{where}: [fields] must be a table")
    numbers = {}
    for key, default in (("max_pages", 500), ("max_depth", 5)):
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SourceError(f"{where}: {key} must be a whole number of at least 1")
        numbers[key] = value
    return Source(name=name, start_urls=start, title=str(data.get("title", "")),
                  agency=data.get("agency"), language=data.get("language"),
                  type=data.get("type"), trusted=bool(data.get("trusted", False)),
                  schedule=schedule, product_patterns=products, listing_patterns=listings,
                  fields=fields, path=where, **numbers)


def load_source(path: str | Path) -> Source:
    """Read one source file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: not valid TOML ({exc})") from None
    return source_from(data, path.stem, str(path))


def load_sources(directory: str | Path) -> list[Source]:
    """Read every `*.toml` source under `directory` (none when it does not exist)."""
    directory = Path(directory)
    return [load_source(path) for path in sorted(directory.glob("*.toml"))] \
        if directory.is_dir() else []


def source_for(target: str, directory: str | Path) -> Source:
    """Return the source named `target`, the source file at `target`, or a generic
    source for a bare start URL."""
    if target.startswith(("http://", "https://")):
        host = urlsplit(target).netloc.lower()
        name = re.sub(r"[^a-z0-9]+", "-", host).strip("-")[:100] or "site"
        return Source(name=name, start_urls=(target,), title=host, max_pages=200, max_depth=3)
    path = Path(target)
    if path.suffix == ".toml" and path.is_file():
        return load_source(path)
    for source in load_sources(directory):
        if source.name == target:
            return source
    raise SourceError(f"no source named {target!r} in {directory} (nor a .toml file or a URL)")
