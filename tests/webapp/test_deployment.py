"""More than one machine: two `hrba serve` processes, each with its own data directory and
search index, share one PostgreSQL database, one secret key and (when it runs) one Redis.

What a load balancer in front of them relies on: an edit made through one process shows in
the other's search within 5 s; a session and a form from one are good on the other; the
rate limit counts requests to both; processes starting together set the database up once.
"""

from __future__ import annotations

import http.cookiejar
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup

from catalogue.store import Store
from tests.conftest import hrba, served
from tests.webapp.test_curator_workspace import PASSWORD, form_fields

pytestmark = pytest.mark.postgres

CURATOR = "curator@example.org"
CLP = "the-un-common-learning-package-on-hrba"
LIMIT = 40  # requests a minute per client address, counted across both processes
VISIBLE_WITHIN = 5.0  # seconds: the bound for an edit to reach the other process
REDIS = "redis://127.0.0.1:6379/0"


def _redis() -> str | None:
    """Return the Redis URL when a server answers there."""
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
        return REDIS
    except Exception:  # no client library, no server: the deployment runs without Redis
        return None


@dataclass
class Deployment:
    one: str
    two: str
    database_url: str
    setups: list
    redis: str | None


@pytest.fixture(scope="module")
def deployment(postgres_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("deployment")
    database_url = postgres_server()
    settings = {"HRBA_DATABASE_URL": database_url, "HRBA_SECRET_KEY": secrets.token_hex(32),
                "HRBA_TRUSTED_PROXIES": "1", "HRBA_RATE_LIMIT": f"{LIMIT} per minute"}
    redis_url = _redis()
    if redis_url:
        settings["HRBA_REDIS_URL"] = redis_url
    data_dirs = [root / "one", root / "two"]
    with ThreadPoolExecutor(2) as pool:  # both start on the empty database at once
        setups = list(pool.map(lambda d: hrba("setup", data_dir=d, settings=settings), data_dirs))
    created = hrba("users", "create", "--role", "curator", "--password-stdin", CURATOR,
                   data_dir=data_dirs[0], settings=settings, stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    with ExitStack() as stack:
        one, two = (stack.enter_context(served(d, settings=settings)) for d in data_dirs)
        yield Deployment(one, two, database_url, setups, redis_url)


class Client:
    """A browser: keeps cookies, submits forms with their CSRF token, never follows redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies),
                                                  self._NoRedirect)

    def open(self, url: str, data: list[tuple[str, str]] | None = None) -> tuple[int, bytes, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=30) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)

    def token(self, url: str) -> str:
        status, page, _ = self.open(url)
        assert status == 200, (url, status)
        return BeautifulSoup(page, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]

    def sign_in(self, base: str) -> "Client":
        status, _, headers = self.open(base + "/curate/login", [
            ("email", CURATOR), ("password", PASSWORD), ("csrf_token", self.token(base + "/curate/login"))])
        assert status == 302 and headers["Location"].endswith("/curate/"), status
        return self


def _get_json(url: str, client_address: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"X-Forwarded-For": client_address})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def _fresh_address() -> str:
    """A client address no earlier run has counted against the limit (Redis keeps counts)."""
    return f"198.51.100.{uuid.uuid4().int % 250 + 1}"


def test_processes_starting_together_set_the_database_up_once(deployment):
    assert [s.returncode for s in deployment.setups] == [0, 0], [s.stderr for s in deployment.setups]
    importing = [s for s in deployment.setups if "importing the shipped corpus" in s.stdout]
    assert len(importing) == 1
    store = Store(deployment.database_url)
    try:
        assert store.count() == 472
    finally:
        store.close()
    for base in (deployment.one, deployment.two):
        assert _get_json(base + "/readyz", _fresh_address()) == (
            200, {"ok": True, "published": 472, "indexed": 472, "backlog": 0})


def test_an_edit_through_one_process_shows_in_search_on_the_other_within_5_s(deployment):
    word = "zyzzogeton"
    poller = _fresh_address()
    search = deployment.two + f"/api/v1/search?q={word}&per_page=1"
    assert _get_json(search, poller)[1]["total"] == 0
    curator = Client().sign_in(deployment.one)
    edit = deployment.one + f"/curate/products/{CLP}/edit"
    status, page, _ = curator.open(edit)
    fields = [(k, f"{v} {word}" if k == "title" else v) for k, v in form_fields(page)]
    status, _, _ = curator.open(edit, fields + [("csrf_token", curator.token(edit))])
    assert status == 302
    saved = time.monotonic()
    while True:
        answer = _get_json(search, poller)[1]
        if answer["total"] == 1:
            break
        assert time.monotonic() - saved < VISIBLE_WITHIN, "the edit did not reach the other process's search"
        time.sleep(0.25)
    assert answer["results"][0]["id"] == CLP and answer["results"][0]["title"].endswith(word)


def test_a_session_and_a_form_from_one_process_are_good_on_the_other(deployment):
    curator = Client().sign_in(deployment.one)
    session = next(c for c in curator.cookies if c.name == "hrba_session")
    stranger = Client()
    assert stranger.open(deployment.two + "/curate/")[0] == 302  # no session: to the login page
    request = urllib.request.Request(deployment.two + "/curate/", headers={"Cookie": f"hrba_session={session.value}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # the other process knows it
        assert response.status == 200 and CURATOR in response.read().decode()
    # A form served by one process, submitted to the other (no sticky sessions needed).
    edit = f"/curate/products/{CLP}/edit"
    status, page, _ = curator.open(deployment.two + edit)
    assert status == 200
    fields = [(k, "Summary saved across processes." if k == "summary" else v) for k, v in form_fields(page)]
    token = BeautifulSoup(page, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]
    fields.append(("csrf_token", token))
    assert curator.open(deployment.one + edit, fields)[0] == 302
    store = Store(deployment.database_url)
    try:
        assert store.get(CLP).summary == "Summary saved across processes."
    finally:
        store.close()


def test_the_rate_limit_counts_requests_to_both_processes(deployment):
    if not deployment.redis:
        pytest.skip(f"no Redis server at {REDIS}: the limit is counted per process")
    address = _fresh_address()
    statuses = [_get_json(base + "/api/v1/suggest?q=gen", address)[0]
                for base in [deployment.one, deployment.two] * (LIMIT // 2 + 1)]
    assert statuses == [200] * LIMIT + [429, 429]
