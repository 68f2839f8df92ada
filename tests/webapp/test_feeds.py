"""Atom feeds: any search as a feed, and the latest changes; read with a real feed parser."""

from urllib.parse import urlencode

import feedparser
import pytest
from bs4 import BeautifulSoup

from catalogue.store import Store


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def test_a_search_feed_lists_the_same_products_as_the_search_newest_first(client):
    feed = parse(client, "/search.atom?q=water&theme=water-sanitation")
    api = client.get("/api/v1/search?q=water&theme=water-sanitation&sort=newest&per_page=50").json
    assert [e.id.rsplit("/", 1)[1] for e in feed.entries] == [r["id"] for r in api["results"]]
    assert feed.feed.title == "HRBA knowledge catalogue: water"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"].endswith("/search.atom?q=water&theme=water-sanitation")
    assert links["alternate"].endswith("/?q=water&theme=water-sanitation")


def test_every_entry_has_what_a_reader_needs(client):
    for entry in parse(client, "/search.atom?agency=unicef").entries:
        assert entry.title and entry.summary is not None and entry.updated_parsed
        assert entry.link.startswith("http://localhost/products/")
        assert entry.authors and all(a.name for a in entry.authors)


@pytest.mark.parametrize("query", ['"human rights" <script>', "a & b", "/", ":", "x" * 900,
                                   "حقوق الإنسان", "\u202e"])
def test_odd_queries_still_give_well_formed_feeds(client, query):
    parse(client, "/search.atom?" + urlencode({"q": query}))


@pytest.mark.parametrize("query", ["page=zero", "q=" + "x" * 1001, "sort=sideways"])
def test_a_bad_parameter_is_a_clear_error_not_a_feed(client, query):
    response = client.get("/search.atom?" + query)
    assert response.status_code == 400
    assert b"<feed" not in response.data


def test_the_changes_feed_is_newest_first(client, app):
    feed = parse(client, "/changes.atom")
    store: Store = app.extensions["hrba"].store
    expected = [p.id for p in store.recently_changed(50)]
    assert [e.id.rsplit("/", 1)[1] for e in feed.entries] == expected
    stamps = [e.updated_parsed for e in feed.entries]
    assert stamps == sorted(stamps, reverse=True)


def test_the_results_page_links_its_feed_and_its_json_twin(client):
    soup = BeautifulSoup(client.get("/?q=water&agency=unicef").data, "html.parser")
    alternates = {link["type"]: link["href"] for link in soup.find_all("link", rel="alternate", type=True)}
    assert alternates["application/atom+xml"] == "/search.atom?q=water&agency=unicef"
    assert alternates["application/json"] == "/api/v1/search?q=water&agency=unicef"
    visible = {a["href"] for a in soup.select(".machine-links a")}
    assert visible == set(alternates.values())
    assert client.get(alternates["application/atom+xml"]).status_code == 200
