"""The OpenSearch description: browsers add the catalogue as a search engine from any page."""

import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

NS = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
LOCAL = "http://localhost"


def description(client, url="/opensearch.xml"):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/opensearchdescription+xml; charset=utf-8"
    return response, ET.fromstring(response.data)


def fill(template: str, terms: str) -> str:
    """Fill a URL template as a browser does; optional parameters left empty or set."""
    return template.replace("{searchTerms}", terms).replace("{startPage?}", "2").removeprefix(LOCAL)


def test_the_description_is_opensearch_1_1_with_the_required_elements(client):
    _, root = description(client)
    assert root.tag == "{http://a9.com/-/spec/opensearch/1.1/}OpenSearchDescription"
    short_name = root.findtext("os:ShortName", namespaces=NS)
    assert short_name == "HRBA catalogue" and len(short_name) <= 16
    assert len(root.findtext("os:Description", namespaces=NS)) <= 1024
    assert root.findtext("os:InputEncoding", namespaces=NS) == "UTF-8"
    urls = {u.get("type"): u.get("template") for u in root.findall("os:Url", NS)}
    assert urls == {
        "text/html": "http://localhost/?q={searchTerms}&page={startPage?}",
        "application/atom+xml": "http://localhost/search.atom?q={searchTerms}",
        "application/json": "http://localhost/api/v1/search?q={searchTerms}&page={startPage?}",
        "application/x-suggestions+json": "http://localhost/api/v1/suggest?q={searchTerms}&format=opensearch",
        "application/opensearchdescription+xml": "http://localhost/opensearch.xml",
    }


def test_templates_keep_their_parameters_literal(client):
    response, _ = description(client)
    assert b"{searchTerms}" in response.data and b"%7B" not in response.data


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_url_template_answers_with_its_declared_type(client, lang):
    _, root = description(client, "/opensearch.xml" + ("" if lang == "en" else f"?lang={lang}"))
    for url in root.findall("os:Url", NS):
        response = client.get(fill(url.get("template"), "water"))
        assert response.status_code == 200, url.get("template")
        assert response.mimetype == url.get("type")
        if url.get("type") == "text/html":
            soup = BeautifulSoup(response.data, "html.parser")
            assert soup.html["lang"] == lang and soup.find(id="q")["value"] == "water"
        if url.get("type") == "application/json":
            assert response.get_json()["page"] == 2


def test_suggestions_come_in_the_opensearch_format(client):
    _, root = description(client)
    template = next(u.get("template") for u in root.findall("os:Url", NS)
                    if u.get("type") == "application/x-suggestions+json")
    body = client.get(fill(template, "gend")).get_json(force=True)
    plain = client.get("/api/v1/suggest?q=gend").get_json()
    assert body == ["gend", plain["suggestions"]] and "Gender equality" in body[1]


def test_an_unknown_suggestion_format_is_a_json_400(client):
    response = client.get("/api/v1/suggest?q=gend&format=xml")
    assert response.status_code == 400
    assert response.get_json() == {"ok": False, "error": "format must be opensearch, or left out",
                                   "errors": [], "status": 400}


def test_the_description_follows_the_interface_language(client):
    _, root = description(client, "/opensearch.xml?lang=fr")
    assert root.findtext("os:Language", namespaces=NS) == "fr"
    assert root.findtext("os:LongName", namespaces=NS) != "HRBA knowledge catalogue"
    html = next(u.get("template") for u in root.findall("os:Url", NS) if u.get("type") == "text/html")
    assert html == "http://localhost/?q={searchTerms}&page={startPage?}&lang=fr"


@pytest.mark.parametrize("url, href", [("/", "/opensearch.xml"), ("/?q=water", "/opensearch.xml"),
                                       ("/products/the-un-common-learning-package-on-hrba", "/opensearch.xml"),
                                       ("/?lang=ar", "/opensearch.xml?lang=ar")])
def test_every_page_lets_the_browser_discover_the_description(client, url, href):
    soup = BeautifulSoup(client.get(url).data, "html.parser")
    link = soup.find("link", rel="search")
    assert link["type"] == "application/opensearchdescription+xml" and link["title"]
    assert link["href"] == href and client.get(href).status_code == 200
