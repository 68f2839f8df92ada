"""The product page: metadata, language versions, related products, citations, metadata for machines."""

import json

from bs4 import BeautifulSoup

from catalogue.model import Status

CLP = "the-un-common-learning-package-on-hrba"
FAQ_TITLE = "Frequently Asked Questions on a Human Rights-Based Approach to Development Cooperation"


def page(client, product_id):
    response = client.get(f"/products/{product_id}")
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser")


def test_the_page_shows_the_product_and_its_tags(client):
    soup = page(client, CLP)
    assert soup.h1.get_text() == "The UN Common Learning Package on HRBA"
    metadata = soup.select_one("dl.metadata").get_text(" ")
    assert "Office of the United Nations High Commissioner for Human Rights" in metadata
    assert "Training material" in metadata and "2011" in metadata


def test_json_ld_is_valid_and_says_what_the_product_is(client):
    soup = page(client, CLP)
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "LearningResource"  # training material
    assert data["name"] == "The UN Common Learning Package on HRBA"
    assert data["datePublished"] == "2011"
    assert {"en", "fr", "es", "ar"} <= set(data["inLanguage"])
    assert any(p["name"] == "United Nations Children's Fund" for p in data["publisher"])


def test_dublin_core_meta_tags(client):
    soup = page(client, CLP)
    meta = {(m["name"], m["content"]) for m in soup.select("meta[name^='DC.']")}
    assert ("DC.title", "The UN Common Learning Package on HRBA") in meta
    assert ("DC.date", "2011") in meta and ("DC.type", "Training material") in meta


def test_language_versions_link_their_own_language(client, app):
    product = app.extensions["hrba"].store.find_by_title(FAQ_TITLE)
    soup = page(client, product.id)
    versions = {li["lang"]: li for li in soup.select("ul.versions li")}
    assert set(versions) >= {"es", "fr"}
    assert versions["es"].a["hreflang"] == "es"


def test_related_products_link_to_their_pages(client):
    related = page(client, CLP).select("ul.related a")
    assert related and all(a["href"].startswith("/products/") for a in related)
    assert all(a["href"] != f"/products/{CLP}" for a in related)


def test_results_link_to_product_pages(client):
    soup = BeautifulSoup(client.get("/?q=common+learning+package").data, "html.parser")
    assert soup.select_one("li.hit h2 a")["href"] == f"/products/{CLP}"


def test_citations_download_in_three_formats(client):
    bib = client.get(f"/products/{CLP}/export/bibtex")
    assert bib.headers["Content-Type"].startswith("application/x-bibtex")
    assert bib.data.decode().startswith(f"@misc{{{CLP},")
    ris = client.get(f"/products/{CLP}/export/ris").data.decode()
    assert ris.startswith("TY  - GEN\r\n") and "PY  - 2011" in ris and ris.rstrip().endswith("ER  -")
    csv = client.get(f"/products/{CLP}/export/csv")
    assert csv.headers["Content-Disposition"] == f'attachment; filename="{CLP}.csv"'
    assert csv.data.decode().splitlines()[0].startswith("id,title,agencies")


def test_unknown_products_and_exports_are_404(client):
    assert client.get("/products/no-such-thing").status_code == 404
    assert client.get(f"/products/{CLP}/export/pdf").status_code == 404


def test_withdrawn_products_are_gone_and_drafts_are_hidden(fresh_app):
    store = fresh_app.extensions["hrba"].store
    with store.write() as writer:
        writer.update(writer.get(CLP).with_changes(status=Status.WITHDRAWN))
    client = fresh_app.test_client()
    assert client.get(f"/products/{CLP}").status_code == 410
    with store.write() as writer:
        writer.update(writer.get(CLP).with_changes(status=Status.DRAFT))
    assert client.get(f"/products/{CLP}").status_code == 404


def test_titles_with_markup_are_escaped_everywhere(fresh_app):
    store = fresh_app.extensions["hrba"].store
    hostile = '</script><script>alert(1)</script> "quoted" & more'
    with store.write() as writer:
        writer.update(writer.get(CLP).with_changes(title=hostile))
    soup = BeautifulSoup(fresh_app.test_client().get(f"/products/{CLP}").data, "html.parser")
    assert [s.get("type") for s in soup.find_all("script")] == ["application/ld+json"]
    assert json.loads(soup.find("script", type="application/ld+json").string)["name"] == hostile
    assert soup.h1.get_text() == hostile
