"""Results and sidebars rendered once and reused: the page stays exactly what a fresh
rendering gives, and an edited product, another language or new vocabularies never show a
stale result or count."""

import copy
import dataclasses
import random

from bs4 import BeautifulSoup

from indexer.search import FILTER_FACETS, SearchRequest
from webapp import fragments
from webapp.search_params import Toggles, toggled


def _results_html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return "".join(str(li) for li in BeautifulSoup(response.data, "html.parser").select("ol.hits > li.hit"))


def test_a_reused_result_is_the_result_rendered_afresh(client):
    urls = ["/?q=gender", "/?q=children+rights&lang=fr", "/?q=water&lang=ar", "/?agency=unicef"]
    kept = [_results_html(client, url) for url in urls]
    assert all(kept) and len(fragments.hits.items) > 0
    fragments.hits.items.clear()
    afresh = [_results_html(client, url) for url in urls]
    assert kept == afresh
    assert kept == [_results_html(client, url) for url in urls]  # now from the kept ones


def test_the_snippet_and_the_language_are_part_of_the_result(client):
    french = _results_html(client, "/?q=health&lang=fr")
    english = _results_html(client, "/?q=health")
    assert french != english
    marked = BeautifulSoup(_results_html(client, "/?q=water"), "html.parser")
    assert any("water" in mark.get_text().lower() for mark in marked.select(".summary mark"))


def test_an_edited_product_is_shown_as_edited(fresh_app):
    client = fresh_app.test_client()
    hub = fresh_app.extensions["hrba"]
    before = _results_html(client, "/?q=gender")
    first = BeautifulSoup(before, "html.parser").select_one("li.hit h2 a")
    product_id = first["href"].rsplit("/", 1)[-1]
    product = hub.store.get(product_id)
    with hub.store.write() as writer:
        writer.update(dataclasses.replace(product, title=product.title + " (second edition)"))
    assert hub.catch_up() == 1
    after = _results_html(client, "/?q=gender")
    assert product.title + " (second edition)" in BeautifulSoup(after, "html.parser").get_text()


def test_new_vocabularies_drop_the_kept_results(client, app):
    _results_html(client, "/?q=gender")
    hub = app.extensions["hrba"]
    assert fragments.hits.items and fragments.hits.owner is hub.vocabularies
    original = hub.vocabularies
    renamed = copy.copy(original)  # what an admin's change swaps in: another object
    try:
        hub.vocabularies = renamed
        _results_html(client, "/?q=gender")
        assert fragments.hits.owner is renamed
        assert all(fragments.hits.items.values())
    finally:
        hub.vocabularies = original


def _sidebar_html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return str(BeautifulSoup(response.data, "html.parser").select_one("aside.facets"))


SIDEBAR_URLS = ["/?q=gender", "/?q=gender&page=2", "/?q=children+rights&lang=fr&theme=gender-equality",
                "/?q=water&lang=ar", "/?agency=unicef&sort=newest", "/?q=health&year_from=2010"]


def test_a_reused_sidebar_is_the_sidebar_rendered_afresh(client):
    kept = [_sidebar_html(client, url) for url in SIDEBAR_URLS]
    assert all("facet-value" in html for html in kept)
    assert fragments.sidebars.items
    fragments.sidebars.items.clear()
    afresh = [_sidebar_html(client, url) for url in SIDEBAR_URLS]
    assert kept == afresh
    assert kept == [_sidebar_html(client, url) for url in SIDEBAR_URLS]  # now from the kept ones


def test_the_pages_of_a_search_share_a_sidebar_whose_links_go_to_page_one(client):
    fragments.sidebars.items.clear()
    first, second = _sidebar_html(client, "/?q=gender"), _sidebar_html(client, "/?q=gender&page=2")
    assert first == second and len(fragments.sidebars.items) == 1
    links = [a["href"] for a in BeautifulSoup(second, "html.parser").select("a.facet-value")]
    assert links and not any("page=" in link for link in links)
    assert _sidebar_html(client, "/?q=gender&lang=fr") != first  # another language: its own


def _count(sidebar_html, value):
    for link in BeautifulSoup(sidebar_html, "html.parser").select("a.facet-value"):
        if f"theme={value}" in link["href"] and "selected" not in link.get("class", []):
            return int(link.select_one(".count").get_text().strip("()"))
    return 0


def test_an_edit_that_changes_a_count_shows_the_new_count(fresh_app):
    client = fresh_app.test_client()
    hub = fresh_app.extensions["hrba"]
    before = _sidebar_html(client, "/?q=gender")
    first = BeautifulSoup(client.get("/?q=gender").data, "html.parser").select_one("li.hit h2 a")
    product = hub.store.get(first["href"].rsplit("/", 1)[-1])
    theme = next(t.id for t in hub.vocabularies["theme"] if t.id not in product.themes)
    with hub.store.write() as writer:
        writer.update(dataclasses.replace(product, themes=(*product.themes, theme)))
    assert hub.catch_up() == 1
    after = _sidebar_html(client, "/?q=gender")
    assert _count(after, theme) == _count(before, theme) + 1


def test_sidebar_toggles_equal_the_plain_toggle(app):
    rng = random.Random(3)
    values = {"agency": ["unicef", "undp", "ohchr"], "theme": ["gender-equality", "health"],
              "language": ["fr", "es"], "type": ["guidance"], "region": ["global"], "stage": ["monitoring"]}
    for _ in range(300):
        filters = {f: tuple(rng.sample(v, rng.randint(0, len(v)))) for f, v in values.items() if rng.random() < 0.5}
        request = SearchRequest(q=rng.choice(["", "gender", "droits de l'homme", "a&b=c"]),
                                filters={f: v for f, v in filters.items() if v},
                                year_from=rng.choice([None, 2001]), sort=rng.choice([None, "newest"]),
                                un_system=rng.choice([None, True, False]), page=rng.choice([1, 3]),
                                per_page=rng.choice([20, 50]), language=rng.choice(["en", "fr"]))
        toggles = Toggles(request)
        for facet in FILTER_FACETS:
            if facet in values:
                for value in values[facet]:
                    assert toggles.toggled(facet, value) == toggled(request, facet, value)
