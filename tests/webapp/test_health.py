"""`/healthz` and `/readyz`: what a load balancer asks before sending traffic."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import make_product
from webapp import create_app

PRODUCTS = 472
CLP = "the-un-common-learning-package-on-hrba"


def ready(client):
    response = client.get("/readyz")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    return response.status_code, response.get_json()


def test_healthz_says_the_process_is_up_and_sets_no_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    assert "Set-Cookie" not in response.headers


def test_a_catalogue_in_step_with_its_index_is_ready(client):
    assert ready(client) == (200, {"ok": True, "published": PRODUCTS, "indexed": PRODUCTS, "backlog": 0})


def test_a_change_on_its_way_to_the_index_keeps_it_ready_and_is_counted(fresh_app):
    hub = fresh_app.extensions["hrba"]
    with hub.store.write() as writer:
        writer.add(make_product(id="new-guide", title="A new guide"))
    client = fresh_app.test_client()
    assert ready(client) == (200, {"ok": True, "published": PRODUCTS + 1, "indexed": PRODUCTS, "backlog": 1})
    hub.catch_up()
    assert ready(client) == (200, {"ok": True, "published": PRODUCTS + 1, "indexed": PRODUCTS + 1,
                                   "backlog": 0})


def test_an_index_too_far_behind_the_store_is_not_ready(fresh_app):
    fresh_app.config["HRBA_READY_BACKLOG"] = 2
    hub = fresh_app.extensions["hrba"]
    for n in range(3):
        with hub.store.write() as writer:
            writer.touch(CLP)
    status, body = ready(fresh_app.test_client())
    assert status == 503
    assert body == {"ok": False, "error": "not ready: backlog", "status": 503, "errors": [
        {"check": "backlog", "message": "the index is 3 store changes behind (at most 2 allowed)"}]}
    hub.catch_up()
    assert ready(fresh_app.test_client())[0] == 200


def test_an_index_that_lost_a_product_is_not_ready_until_checked(fresh_app):
    hub = fresh_app.extensions["hrba"]
    hub.index.apply([], [CLP], hub.index.cursor())  # drift no outbox row explains
    status, body = ready(fresh_app.test_client())
    assert status == 503 and [e["check"] for e in body["errors"]] == ["index_count"]
    assert body["errors"][0]["message"].startswith(f"the index holds {PRODUCTS - 1} products, the store has "
                                                   f"{PRODUCTS} published")
    hub.check_index()
    assert ready(fresh_app.test_client())[0] == 200


def test_a_missing_index_is_not_ready(fresh_app):
    shutil.rmtree(Path(fresh_app.config["HRBA_DATA_DIR"]) / "index")
    status, body = ready(fresh_app.test_client())
    assert status == 503 and body["error"] == "not ready: index"
    assert [e["check"] for e in body["errors"]] == ["index"]


def test_a_database_that_does_not_answer_is_not_ready(fresh_app):
    hub = fresh_app.extensions["hrba"]
    hub.store.close()
    database = Path(fresh_app.config["HRBA_DATA_DIR"]) / "hrba.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    database.write_bytes(b"this is not a database" * 100)
    status, body = ready(fresh_app.test_client())
    assert status == 503 and body["error"] == "not ready: database"
    assert body["errors"] == [{"check": "database", "message": "the database does not answer (DatabaseError)"}]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_not_rate_limited(ready_data_dir, path):
    app = create_app({"HRBA_DATA_DIR": str(ready_data_dir), "TESTING": True, "HRBA_RATE_LIMIT": "2 per minute"})
    client = app.test_client()
    try:
        assert [client.get(path).status_code for _ in range(5)] == [200] * 5
        assert [client.get("/api/v1/search").status_code for _ in range(3)] == [200, 200, 429]
    finally:
        app.extensions["hrba"].close()
