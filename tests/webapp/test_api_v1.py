"""The rest of /api/v1: fields and facets, cursors and links, products, facets, vocabularies."""

from urllib.parse import urlsplit

import pytest

from catalogue import link_checks
from catalogue.model import Status
from indexer.search import SearchRequest, search_ids

CLP = "the-un-common-learning-package-on-hrba"


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_fields_and_facets_choose_what_comes_back(client):
    body = client.get("/api/v1/search?q=water&fields=id,title,stages,versions&facets=agency,theme").json
    assert all(list(r) == ["id", "title", "stages", "versions"] for r in body["results"])
    assert set(body["facets"]) == {"agency", "theme"}
    assert client.get("/api/v1/search?q=water&facets=").json["facets"] == {}


@pytest.mark.parametrize("query, message", [("fields=id,colour", "unknown field"),
                                            ("facets=agency,mood", "unknown facet"),
                                            ("cursor=abc", "cursor"), ("lang=xx", "lang")])
def test_bad_choices_are_400s_in_the_one_error_shape(client, query, message):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    assert response.json["ok"] is False and message in response.json["error"]
    assert set(response.json) == {"ok", "error", "errors", "status"}


def test_a_cursor_walks_the_whole_result_list_once(client, app):
    url, seen = "/api/v1/search?q=rights&per_page=37&facets=&cursor=*", []
    while True:
        body = client.get(url).json
        seen += [r["id"] for r in body["results"]]
        if not body["next_cursor"]:
            assert "next" not in body["links"]
            break
        url = local(body["links"]["next"])
    hub = app.extensions["hrba"]
    assert seen == search_ids(hub.index, SearchRequest(q="rights"), hub.vocabularies)
    assert len(seen) == len(set(seen)) == body["total"] > 37 * 3


def test_page_links_point_to_the_next_and_previous_pages(client):
    body = client.get("/api/v1/search?q=health&page=2&per_page=5&agency=who").json
    assert local(body["links"]["self"]) == "/api/v1/search?q=health&page=2&per_page=5&agency=who"
    following = client.get(local(body["links"]["next"])).json
    previous = client.get(local(body["links"]["prev"])).json
    assert (following["page"], previous["page"]) == (3, 1)
    assert "prev" not in previous["links"]


def test_a_product_has_every_field_labelled_and_its_link_status(fresh_app):
    hub = fresh_app.extensions["hrba"]
    product = hub.store.get(CLP)
    link_checks.record_check(hub.store, product.url, ok=False, status_code=404)
    body = fresh_app.test_client().get(f"/api/v1/products/{CLP}").json
    assert body["id"] == CLP and body["title"] == product.title
    assert {"id": "ohchr", "label": "OHCHR"} in body["agencies"]
    assert body["type"] == {"id": "training-material", "label": "Training material"}
    assert [v["language"] for v in body["versions"]] == [v.language for v in product.versions]
    (status,) = body["link_status"]
    assert status["ok"] is False and status["status_code"] == 404
    assert status["archived_url"].startswith("https://web.archive.org/web/")
    assert body["page_url"] == f"http://localhost/products/{CLP}"


@pytest.mark.parametrize("status, code", [(Status.WITHDRAWN, 410), (Status.PENDING_REVIEW, 404)])
def test_products_the_public_may_not_see(fresh_app, status, code):
    hub = fresh_app.extensions["hrba"]
    with hub.store.write() as writer:
        writer.update(writer.get(CLP).with_changes(status=status))
    response = fresh_app.test_client().get(f"/api/v1/products/{CLP}")
    assert response.status_code == code and response.json["ok"] is False


def test_a_facet_lists_every_value_with_the_search_counts(client):
    facet = client.get("/api/v1/facets/theme?q=children&agency=unicef").json
    search = client.get("/api/v1/search?q=children&agency=unicef").json
    assert facet["facet"] == "theme" and facet["total"] == search["total"]
    assert facet["values"] == search["facets"]["theme"]
    assert client.get("/api/v1/facets/colour").status_code == 404


def test_vocabularies_are_labelled_in_the_six_languages(client):
    listed = {v["name"]: v for v in client.get("/api/v1/vocabularies").json["vocabularies"]}
    assert set(listed) == {"agency", "theme", "type", "language", "region", "stage", "glossary"}
    for name in listed:
        body = client.get(local(listed[name]["url"])).json
        assert body["count"] == len(body["terms"]) == listed[name]["count"]
        assert all(set(t["labels"]) == {"en", "fr", "es", "ar", "ru", "zh"} for t in body["terms"])
    stages = client.get("/api/v1/vocabularies/stage").json
    assert stages["terms"][0]["labels"]["fr"] == "Évaluation et analyse"
    assert client.get("/api/v1/vocabularies/programming_stage").json["count"] == 5
    assert client.get("/api/v1/vocabularies/colour").status_code == 404
