"""GET /api/v1/search over the shipped corpus: the contract, filters and errors."""

import pytest


def test_all_472_products_are_searchable(client):
    body = client.get("/api/v1/search?per_page=1").get_json()
    assert body["total"] == 472
    assert (body["page"], body["per_page"], len(body["results"])) == (1, 1, 1)


def test_result_shape(client):
    body = client.get("/api/v1/search?q=universal+periodic+review").get_json()
    assert set(body) == {"total", "page", "per_page", "results", "facets", "suggestion", "links"}
    result = body["results"][0]
    assert list(result) == ["id", "title", "url", "agencies", "themes", "type", "languages",
                            "year", "summary", "snippet", "score"]
    assert set(body["facets"]) == {"agency", "theme", "type", "language", "region", "stage",
                                   "year", "un_system"}
    value = body["facets"]["agency"][0]
    assert set(value) == {"value", "label", "count", "selected"}


def test_filters_narrow_and_repeat(client):
    unicef = client.get("/api/v1/search?agency=unicef&per_page=100").get_json()
    assert unicef["total"] > 0 and all("unicef" in r["agencies"] for r in unicef["results"])
    both = client.get("/api/v1/search?agency=unicef&agency=undp").get_json()
    undp = client.get("/api/v1/search?agency=undp").get_json()
    assert unicef["total"] < both["total"] <= unicef["total"] + undp["total"]


def test_facet_labels_in_the_requested_language(client):
    body = client.get("/api/v1/search?lang=es").get_json()
    labels = {v["value"]: v["label"] for v in body["facets"]["theme"]}
    assert labels["gender-equality"] == "Igualdad de género"


def test_empty_query_lists_newest_first(client):
    years = [r["year"] for r in client.get("/api/v1/search?per_page=50").get_json()["results"]]
    known = [y for y in years if y]
    assert known == sorted(known, reverse=True)


@pytest.mark.parametrize("query, message", [
    ("per_page=500", "per_page"), ("page=zero", "page must be a whole number"),
    ("sort=shuffle", "sort must be one of"), ("un_system=maybe", "un_system"),
    ("year_from=nineteen", "year_from"),
])
def test_bad_parameters_get_a_json_400_in_the_one_error_shape(client, query, message):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == {"ok", "error", "errors", "status"}
    assert body["ok"] is False and body["status"] == 400 and message in body["error"]


@pytest.mark.parametrize("q", ["/", ":", '"', "'quoted'", "a:b", "(((", "*", "?", "~",
                               "AND OR NOT", "🙂", "\u0000", "x" * 10_000, "rights/health"])
def test_odd_queries_never_fail_the_server(client, q):
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code in (200, 400)
    assert response.is_json


def test_unknown_api_paths_get_json_404(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json()["status"] == 404


def test_a_missing_index_is_a_503_with_retry_after(fresh_app):
    import shutil

    index = fresh_app.extensions["hrba"].index
    shutil.rmtree(index.root)
    response = fresh_app.test_client().get("/api/v1/search")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["status"] == 503
    page = fresh_app.test_client().get("/")
    assert page.status_code == 503 and b"try again" in page.data


def test_stage_and_un_system_filters(client):
    body = client.get("/api/v1/search?per_page=1").get_json()
    stage = body["facets"]["stage"][0]
    narrowed = client.get(f"/api/v1/search?stage={stage['value']}&per_page=1").get_json()
    assert narrowed["total"] == stage["count"]
    un = {v["value"]: v["count"] for v in body["facets"]["un_system"]}
    assert client.get("/api/v1/search?un_system=true").get_json()["total"] == un["true"]
    assert client.get("/api/v1/search?un_system=false").get_json()["total"] == un["false"]
    assert un["true"] + un["false"] == 472


def test_cross_language_query_through_the_api(client):
    body = client.get("/api/v1/search", query_string={"q": "protection sociale fondée sur les droits",
                                                       "lang": "fr"}).get_json()
    assert "Social Protection" in body["results"][0]["title"]


@pytest.mark.parametrize("q, lang, expected", [
    ("gend", "en", "Gender equality"),
    ("EPU", "fr", "Examen périodique universel"),
    ("droits de l", "fr", "droits de l'homme"),
])
def test_suggest_completes_what_was_typed(client, q, lang, expected):
    body = client.get("/api/v1/suggest", query_string={"q": q, "lang": lang}).get_json()
    assert body["q"] == q and expected in body["suggestions"]
    assert len(body["suggestions"]) <= 8


@pytest.mark.parametrize("q", ["", "x", "/", "\u0000", "🙂" * 500])
def test_suggest_copes_with_anything(client, q):
    response = client.get("/api/v1/suggest", query_string={"q": q})
    assert response.status_code == 200 and isinstance(response.get_json()["suggestions"], list)
