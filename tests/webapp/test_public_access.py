"""Good citizenship of the machine interfaces: CORS, ETags, rate limits, appname."""

from __future__ import annotations

import logging
import shutil
import socket
import urllib.error
import urllib.request
import uuid

import pytest

from tests.conftest import served
from webapp import create_app

LIMIT = 7


@pytest.fixture
def limited(ready_data_dir):
    app = create_app({"HRBA_DATA_DIR": str(ready_data_dir), "TESTING": True,
                      "HRBA_RATE_LIMIT": f"{LIMIT} per minute"})
    yield app.test_client()
    app.extensions["hrba"].close()


def test_cors_lets_any_portal_read_from_the_browser(client):
    response = client.get("/api/v1/search?q=water", headers={"Origin": "https://portal.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-RateLimit-Remaining" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options("/api/v1/search", headers={
        "Origin": "https://portal.example", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    for path in ("/search.atom?q=water", "/oai?verb=Identify"):
        assert client.get(path, headers={"Origin": "https://x.example"}).headers[
            "Access-Control-Allow-Origin"] == "*"


def test_pages_for_people_get_no_cors(client):
    assert "Access-Control-Allow-Origin" not in client.get("/?q=water", headers={"Origin": "https://x.example"}).headers


@pytest.mark.parametrize("path", ["/api/v1/search?q=water", "/api/v1/products/the-un-common-learning-package-on-hrba",
                                  "/api/v1/vocabularies/theme", "/changes.atom"])
def test_an_etag_round_trip_saves_the_download(client, path):
    first = client.get(path)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=60"
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(path, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200


def test_compressed_answers_keep_a_matching_etag(client):
    first = client.get("/api/v1/search?q=health", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    again = client.get("/api/v1/search?q=health", headers={"Accept-Encoding": "gzip",
                                                            "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_rate_limit_is_exact_and_says_when_to_come_back(limited):
    remaining = []
    for _ in range(LIMIT):
        response = limited.get("/api/v1/search?q=water")
        assert response.status_code == 200
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert remaining == list(range(LIMIT - 1, -1, -1))
    refused = limited.get("/api/v1/search?q=water")
    assert refused.status_code == 429
    assert refused.json["ok"] is False and refused.json["status"] == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Limit"] == str(LIMIT)


def test_one_limit_covers_the_api_feeds_and_oai_together(limited):
    paths = ["/api/v1/search", "/search.atom", "/oai?verb=Identify", "/api/v1/vocabularies"]
    answers = [limited.get(paths[n % len(paths)]).status_code for n in range(LIMIT + 1)]
    assert answers == [200] * LIMIT + [429]
    assert limited.get("/").status_code == 200  # people's pages are not limited


def test_appname_is_recorded_and_checked(client, caplog):
    with caplog.at_level(logging.INFO, logger="hrba.access"):
        client.get("/api/v1/search?q=water&appname=unct-portal.example")
    assert "appname=unct-portal.example" in caplog.text
    response = client.get("/api/v1/search?appname=%3Cscript%3E")
    assert response.status_code == 400 and "appname" in response.json["error"]


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis server on 127.0.0.1:6379")
def test_the_limit_holds_across_two_server_processes_sharing_redis(ready_data_dir, tmp_path):
    settings = {"HRBA_REDIS_URL": "redis://127.0.0.1:6379/0", "HRBA_RATE_LIMIT": f"{LIMIT} per minute",
                "HRBA_TRUSTED_PROXIES": "1"}
    client_address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"  # a fresh key in Redis
    dirs = []
    for name in ("one", "two"):
        shutil.copytree(ready_data_dir, tmp_path / name)
        dirs.append(tmp_path / name)

    def status(base: str) -> int:
        request = urllib.request.Request(base + f"/api/v1/suggest?q=gen&appname=t{uuid.uuid4().hex[:6]}",
                                         headers={"X-Forwarded-For": client_address})
        try:
            return urllib.request.urlopen(request, timeout=10).status
        except urllib.error.HTTPError as exc:
            return exc.code

    with served(dirs[0], settings=settings) as one, served(dirs[1], settings=settings) as two:
        answers = [status(one if n % 2 else two) for n in range(LIMIT + 2)]
    assert answers == [200] * LIMIT + [429, 429]
