"""Import RSS and Atom feeds: each entry a product record, through the pipeline.

The feed is fetched through `fetch.py` (robots.txt, the address policy, size cap and
deadline) and read by feedparser (RSS 0.9x to 2.0, RSS 1.0, Atom; broken XML tolerated).
An entry gives the title, link, summary (as plain text), the year it was published, its
language (`xml:lang`, else the feed's language), themes from its categories when they
name one, and its agency: the entry's author or publisher when the vocabulary knows it,
else the `agency` the caller names, else the feed's author, publisher or title, else
the agency whose web site the link is on. It is found again by its id (guid), else its
link, else its title.
"""

from __future__ import annotations

from typing import Iterator

import feedparser

from catalogue.importers.errors import ParseError
from catalogue.importers.fetch import Fetcher
from catalogue.importers.html import clean, language_tag, soup_for
from catalogue.importers.pipeline import Pipeline, Row, Suggest, record_candidates, source_name
from catalogue.importers.records import agency_for_url
from catalogue.importers.report import ImportReport
from catalogue.importers.runs import record_run
from catalogue.store import Store
from catalogue.validation import MAX_SUMMARY
from catalogue.vocabularies import Vocabularies

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/xml", "text/xml", "application/x-rss+xml")


def _plain(value) -> str:
    """Return the text of a feed field that may hold HTML."""
    if not isinstance(value, str) or not value.strip():
        return ""
    text = clean(soup_for(value).get_text(" ")) if "<" in value or "&" in value else clean(value)
    return text if len(text) <= MAX_SUMMARY else text[:MAX_SUMMARY - 1] + "…"


def _agencies(entry, feed, vocabularies: Vocabularies, agency: str | None, link: str) -> list[str]:
    known = vocabularies["agency"].resolve

    def named(item) -> list[str]:
        names = [item.get("author"), item.get("publisher")]
        names += [author.get("name") for author in item.get("authors", [])
                  if hasattr(author, "get")]
        return [name for name in dict.fromkeys(filter(None, names)) if known(name)]
    found = named(entry) or ([agency] if agency else []) or named(feed)
    if not found and feed.get("title") and known(feed["title"]):
        found = [feed["title"]]
    if not found and (by_host := agency_for_url(vocabularies, link)):
        found = [by_host]
    return found


def entry_record(entry, feed, vocabularies: Vocabularies, feed_url: str, *,
                 agency: str | None = None, type_: str = "other") -> dict:
    """Return the corpus-format record of one feed entry (feedparser's dicts)."""
    link = entry.get("link") or ""
    detail = entry.get("title_detail") or entry.get("summary_detail") or {}
    language = language_tag(detail.get("language") or feed.get("language"))
    dated = entry.get("published_parsed") or entry.get("updated_parsed") \
        or entry.get("created_parsed")
    themes = [tag.get("term") for tag in entry.get("tags", [])
              if tag.get("term") and vocabularies["theme"].resolve(tag["term"])]
    return {"title": _plain(entry.get("title")), "url": link or None,
            "summary": _plain(entry.get("summary")), "type": type_,
            "agencies": _agencies(entry, feed, vocabularies, agency, link),
            "languages": [language] if language else [], "year": dated.tm_year if dated else None,
            "themes": themes, "source": feed_url}


def read_feed(data: bytes, url: str, content_type: str = "") -> feedparser.FeedParserDict:
    """Parse a feed document; raise ParseError when it is not one."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise ParseError(f"{url} is not an RSS or Atom feed"
                         + (f" ({str(problem)[:200]})" if problem else ""))
    return parsed


def _rows(parsed, url: str, vocabularies: Vocabularies, agency: str | None,
          type_: str) -> Iterator[Row]:
    for number, entry in enumerate(parsed.entries, start=1):
        record = entry_record(entry, parsed.feed, vocabularies, url, agency=agency, type_=type_)
        yield url, number, record, entry.get("id") or entry.get("guid")


def import_feed(store: Store, vocabularies: Vocabularies, url: str, fetcher: Fetcher, *,
                source: str, actor: str, trusted: bool = False, agency: str | None = None,
                type_: str = "other", suggest: Suggest | None = None) -> ImportReport:
    """Fetch the feed at `url` and import its entries; return the report (its lines'
    numbers are the entries' positions in the feed)."""
    source = source_name(source)
    response = fetcher.fetch(url, accept=FEED_TYPES)
    parsed = read_feed(response.body, response.final_url, response.headers.get("content-type", ""))
    report = ImportReport()
    title = clean(parsed.feed.get("title")) or response.final_url
    report.notes.append(f"read {title!r} ({parsed.get('version') or 'feed'}): "
                        f"{len(parsed.entries)} entries")
    pipeline = Pipeline(vocabularies, source=source, importer=f"feed:{source}", trusted=trusted,
                        suggest=suggest, actor=actor, report=report)
    pipeline.run(store, record_candidates(_rows(parsed, url, vocabularies, agency, type_)))
    record_run(store, "feed", source, report.short_summary(),
               {"url": url, "actor": actor, **report.as_dict()})
    return report
