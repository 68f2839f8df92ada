"""The OpenAPI document matches the API: every route documented, every answer valid (schemathesis)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from webapp import create_app
from webapp.openapi import openapi_document


@pytest.fixture(scope="module")
def api_app(ready_data_dir):
    # A generous rate limit: the fuzzer sends thousands of requests from one address.
    app = create_app({"HRBA_DATA_DIR": str(ready_data_dir), "TESTING": True,
                      "HRBA_RATE_LIMIT": "1000000 per minute"})
    yield app
    app.extensions["hrba"].close()


def test_every_api_route_is_documented_and_every_documented_path_exists(api_app):
    document = api_app.test_client().get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    routes = {rule.rule.replace("<", "{").replace(">", "}") for rule in api_app.url_map.iter_rules()
              if rule.endpoint.startswith("api.")}
    assert routes == set(document["paths"])


def test_the_docs_page_has_worked_examples_and_the_interactive_reference(client):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.get("/api/").data, "html.parser")
    assert {h.get("id") for h in soup.find_all("h2")} >= {"search-with-facets", "harvest", "feeds"}
    scripts = [s["src"] for s in soup.find_all("script")]
    assert all(src.startswith("/static/") for src in scripts)  # vendored, no CDN
    assert soup.find(id="swagger-ui")["data-url"] == "/api/v1/openapi.json"
    for src in scripts:
        assert client.get(src).status_code == 200


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)


@pytest.mark.parametrize("path", sorted(openapi_document("http://localhost")["paths"]))
def test_the_api_honours_its_openapi_document(api_schema, path):
    """No 5xx, every answer valid against its schema, every status and header documented."""
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy())
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)
    def check(case):
        # Werkzeug's WSGI client does not decompress: ask for plain bytes.
        case.call_and_validate(headers={"Accept-Encoding": "identity"})

    check()
