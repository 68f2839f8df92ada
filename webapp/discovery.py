"""How browsers and search engines find the catalogue (blueprint `discovery`): an OpenSearch
description, sitemaps with every language version of each page, and robots.txt.

The sitemap lists the home page and every published product page, read from the store
(the truth, not the index). A catalogue larger than one sitemap file holds is split: then
`/sitemap.xml` is a sitemap index of `/sitemap-1.xml`, `/sitemap-2.xml`...
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, render_template, url_for
from werkzeug.exceptions import NotFound

from catalogue.model import Status
from webapp import auth
from webapp.exports import KINDS
from webapp.feeds import rfc3339
from webapp.i18n import LANGUAGES, current_language
from webapp.services import services

blueprint = Blueprint("discovery", __name__)

OPENSEARCH = "application/opensearchdescription+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
# URLs in one sitemap file. The protocol allows 50,000 URLs and 50 MB; with seven language
# links an entry takes about 1.2 kB, so 50,000 entries would pass 50 MB (and some engines
# count the alternates as URLs). 5,000 keeps every file far under both limits.
# App config `SITEMAP_URLS` overrides it (tests use a small one).
SITEMAP_URLS = 5_000


@blueprint.get("/opensearch.xml")
@auth.public
def opensearch():
    """The OpenSearch 1.1 description: lets a browser add the catalogue as a search engine."""
    language = current_language()
    lang = "" if language == "en" else f"&lang={language}"  # searches in the interface's language
    # Templates keep {searchTerms} and {startPage?} literal: the browser fills them in.
    templates = {
        "text/html": url_for("search.index", _external=True) + "?q={searchTerms}&page={startPage?}" + lang,
        "application/atom+xml": url_for("feeds.search_feed", _external=True) + "?q={searchTerms}" + lang,
        "application/json": url_for("api.search_products", _external=True)
        + "?q={searchTerms}&page={startPage?}" + lang,
        "application/x-suggestions+json": url_for("api.suggest_queries", _external=True)
        + "?q={searchTerms}&format=opensearch" + lang,
    }
    other = None if language == "en" else language
    body = render_template("discovery/opensearch.xml", templates=templates,
                           self_url=url_for("discovery.opensearch", lang=other, _external=True),
                           search_form=url_for("search.index", lang=other, _external=True))
    return body, 200, {"Content-Type": OPENSEARCH}


def _page_size() -> int:
    return int(current_app.config.get("SITEMAP_URLS", SITEMAP_URLS))


def _entry(loc: str, lastmod: datetime | None) -> dict:
    """Return a sitemap entry: the page, when it changed, and its language versions."""
    separator = "&" if "?" in loc else "?"
    alternates = [("x-default", loc)] + [(code, f"{loc}{separator}lang={code}") for code in LANGUAGES]
    return {"loc": loc, "lastmod": rfc3339(lastmod) if lastmod else None, "alternates": alternates}


def _sitemap_count() -> int:
    """Return how many sitemap files the catalogue needs (the home page is one more URL)."""
    urls = 1 + services().store.count(Status.PUBLISHED)
    return -(-urls // _page_size())


@blueprint.get("/sitemap.xml")
@auth.public
def sitemap():
    """The sitemap, or the sitemap index when one file cannot hold every page."""
    count = _sitemap_count()
    if count == 1:
        return sitemap_part(1)
    size, stamps = _page_size(), services().store.published_stamps()
    parts = []
    for number in range(1, count + 1):
        # Entry 0 is the home page (it changes with any product), so part 1 holds products
        # 0 ... size-2 and part n products (n-1)*size-1 ... n*size-2.
        chunk = stamps if number == 1 else stamps[(number - 1) * size - 1:number * size - 1]
        newest = max((changed for _, changed in chunk if changed), default=None)
        parts.append({"loc": url_for("discovery.sitemap_part", number=number, _external=True),
                      "lastmod": rfc3339(newest) if newest else None})
    return render_template("discovery/sitemap_index.xml", parts=parts), 200, {"Content-Type": XML}


@blueprint.get("/sitemap-<int:number>.xml")
@auth.public
def sitemap_part(number: int):
    """One file of the sitemap: up to SITEMAP_URLS pages, the home page first, then products by id."""
    if not 1 <= number <= _sitemap_count():
        raise NotFound(f"there is no sitemap number {number}")
    store, size = services().store, _page_size()
    entries = []
    if number == 1:
        newest = store.recently_changed(1)
        entries.append(_entry(url_for("search.index", _external=True),
                              newest[0].provenance.last_changed if newest else None))
    start = max(0, (number - 1) * size - 1)
    for product_id, changed in store.published_stamps(offset=start, limit=size - len(entries)):
        entries.append(_entry(url_for("search.product_page", product_id=product_id, _external=True),
                              changed))
    return render_template("discovery/sitemap.xml", entries=entries), 200, {"Content-Type": XML}


@blueprint.get("/robots.txt")
@auth.public
def robots():
    """Rules for crawlers: the sitemap; no curator pages; no whole-list exports (heavy)."""
    lines = ["User-agent: *", "Disallow: /curate/"]
    lines += [f"Disallow: /search.{extension}" for extension in KINDS]
    lines += ["", f"Sitemap: {url_for('discovery.sitemap', _external=True)}", ""]
    return "\n".join(lines), 200, {"Content-Type": "text/plain; charset=utf-8"}
