"""Atom feeds (blueprint `feeds`): any search as a feed, and the catalogue's latest changes.

The search feed takes exactly the parameters of the search page (CKAN's practice), so
a user subscribes to a search by changing `/` to `/search.atom` in its address.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flask import Blueprint, render_template, request, url_for

from catalogue.store import utcnow
from indexer.search import search
from webapp import auth
from webapp.i18n import current_language
from webapp.search_params import query_string, search_request_from
from webapp.services import services

blueprint = Blueprint("feeds", __name__)

ATOM = "application/atom+xml; charset=utf-8"
FEED_SIZE = 50


def _atom(template: str, entries: list, **context):
    updated = max((p.provenance.last_changed for p in entries if p.provenance.last_changed),
                  default=None) or utcnow()
    body = render_template(template, entries=entries, updated=updated,
                           vocabularies=services().vocabularies, rfc3339=rfc3339, **context)
    return body, 200, {"Content-Type": ATOM}


def rfc3339(value: datetime) -> str:
    """Return `value` (UTC) as Atom wants dates: 2026-11-28T02:06:47Z."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


@blueprint.get("/search.atom")
@auth.public
def search_feed():
    """Any search as an Atom feed: same parameters as the search page; newest first
    unless `sort` says otherwise."""
    hub = services()
    wanted = search_request_from(request.args, language=current_language())
    wanted = replace(wanted, sort=wanted.sort or "newest",
                     per_page=min(wanted.per_page, FEED_SIZE) if "per_page" in request.args else FEED_SIZE)
    results = search(hub.index, wanted, hub.vocabularies)
    found = hub.store.get_many([hit.id for hit in results.hits])
    entries = [found[hit.id] for hit in results.hits if hit.id in found]
    page_query = query_string(wanted, sort=request.args.get("sort") or None, per_page=20)
    return _atom("feeds/feed.xml", entries, query=wanted.q,
                 feed_id=url_for("search.index", _external=True) + ("?" + page_query if page_query else ""),
                 self_url=request.url, html_url=url_for("search.index", _external=True)
                 + ("?" + page_query if page_query else ""))


@blueprint.get("/changes.atom")
@auth.public
def changes_feed():
    """The products published or changed most recently, newest first."""
    entries = services().store.recently_changed(FEED_SIZE)
    return _atom("feeds/feed.xml", entries, query=None,
                 feed_id=url_for("feeds.changes_feed", _external=True),
                 self_url=url_for("feeds.changes_feed", _external=True),
                 html_url=url_for("search.index", _external=True))
