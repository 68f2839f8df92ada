"""The fetcher against real loopback servers, one trap at a time (RESEARCH.md, section 3)."""

from __future__ import annotations

import gzip
import socket

import pytest

from catalogue.importers.errors import (BlockedAddressError, ContentTypeError, DeadlineError,
                                        HTTPStatusError, RedirectError, RobotsDisallowedError,
                                        TooLargeError)
from catalogue.importers.fetch import Fetcher, FetchPolicy, retry_after_seconds
from tests.loopback import drip, gzipped, page, redirect, send, serving, with_etag

LOOPBACK = FetchPolicy(allow_private=True, delay=0, backoff=0.01, retries=2,
                       contact_url="https://example.org/hrba-bot")


class Sleeps:
    """A fake sleep and clock: records each wait and moves time on by it."""

    def __init__(self):
        self.waits: list[float] = []
        self.now = 1000.0

    def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 3))
        self.now += seconds

    def clock(self) -> float:
        return self.now


def fetcher(policy: FetchPolicy = LOOPBACK, sleeps: Sleeps | None = None) -> Fetcher:
    if sleeps is None:
        return Fetcher(policy)
    return Fetcher(policy, sleep=sleeps.sleep, clock=sleeps.clock)


def test_fetch_sends_an_honest_user_agent_with_the_contact_url():
    with serving({"/": page("<p>hello</p>")}) as server:
        response = fetcher().fetch(server.base + "/")
    assert response.status == 200 and response.body == b"<p>hello</p>"
    agents = {headers["user-agent"] for _, headers in server.requests}
    assert agents == {"hrba-catalogue/0.1 (+https://example.org/hrba-bot)"}


def test_robots_txt_disallow_is_obeyed_and_the_page_never_requested():
    robots = "User-agent: *\nDisallow: /private/\nAllow: /private/open$\n"
    routes = {"/robots.txt": page(robots, "text/plain"), "/private/a": page("secret"),
              "/private/open": page("open")}
    with serving(routes) as server:
        client = fetcher()
        with pytest.raises(RobotsDisallowedError):
            client.fetch(server.base + "/private/a")
        assert client.fetch(server.base + "/private/open").body == b"open"
    assert "/private/a" not in server.paths()
    assert server.paths().count("/robots.txt") == 1  # read once per host


@pytest.mark.parametrize("status, allowed", [(404, True), (410, True), (500, False), (503, False)])
def test_robots_txt_missing_allows_all_and_server_error_disallows_all(status, allowed):
    routes = {"/robots.txt": page("", "text/plain", status=status), "/a": page("a")}
    with serving(routes) as server:
        client = fetcher(FetchPolicy(allow_private=True, delay=0, retries=0))
        assert client.allowed(server.base + "/a") is allowed


def test_crawl_delay_from_robots_spaces_requests_to_one_host():
    routes = {"/robots.txt": page("User-agent: *\nCrawl-delay: 3\n", "text/plain"),
              "/a": page("a"), "/b": page("b")}
    sleeps = Sleeps()
    with serving(routes) as server:
        client = fetcher(FetchPolicy(allow_private=True, delay=0.5), sleeps)
        client.fetch(server.base + "/a")
        client.fetch(server.base + "/b")
    # Once robots.txt is read, its longer Crawl-delay spaces every later request.
    assert sleeps.waits == [3.0, 3.0]


def test_crawl_delay_is_capped():
    routes = {"/robots.txt": page("User-agent: *\nCrawl-delay: 86400\n", "text/plain"),
              "/a": page("a"), "/b": page("b")}
    sleeps = Sleeps()
    with serving(routes) as server:
        client = fetcher(FetchPolicy(allow_private=True, delay=0, max_crawl_delay=7), sleeps)
        client.fetch(server.base + "/a")
        client.fetch(server.base + "/b")
    assert sleeps.waits == [7.0, 7.0]


def test_slow_drip_hits_the_total_deadline_though_each_read_is_quick():
    with serving({"/slow": drip(400, 0.02)}) as server:
        client = fetcher(FetchPolicy(allow_private=True, delay=0, deadline=0.5, read_timeout=5))
        with pytest.raises(DeadlineError, match="longer than 0.5 s"):
            client.fetch(server.base + "/slow")


def test_gzip_bomb_is_stopped_at_the_decoded_size_cap():
    bomb = b"<html>" + b"\0" * (20 * 1024 * 1024)
    route = gzipped(bomb)
    with serving({"/bomb": route}) as server:
        client = fetcher(FetchPolicy(allow_private=True, delay=0, max_bytes=1024 * 1024))
        with pytest.raises(TooLargeError, match="decoded"):
            client.fetch(server.base + "/bomb")
    assert len(gzip.compress(bomb)) < 100 * 1024  # it really was a bomb


def test_gzip_body_under_the_cap_is_decoded():
    with serving({"/z": gzipped("<p>été</p>".encode())}) as server:
        assert fetcher().fetch(server.base + "/z").body == "<p>été</p>".encode()


def test_declared_length_over_the_cap_is_refused_before_reading():
    with serving({"/big": page(b"x" * 5000)}) as server:
        client = fetcher(FetchPolicy(allow_private=True, delay=0, max_bytes=1000))
        with pytest.raises(TooLargeError, match="5,000 bytes"):
            client.fetch(server.base + "/big")


def test_redirect_loop_is_detected():
    with serving({"/a": redirect("/b"), "/b": redirect("/a")}) as server:
        with pytest.raises(RedirectError, match="loop"):
            fetcher().fetch(server.base + "/a")
    assert server.paths().count("/a") == 1


def test_redirect_chain_longer_than_the_limit_fails():
    routes = {f"/r{n}": redirect(f"/r{n + 1}") for n in range(10)}
    with serving(routes) as server:
        client = fetcher(FetchPolicy(allow_private=True, delay=0, max_redirects=3))
        with pytest.raises(RedirectError, match="more than 3 redirects"):
            client.fetch(server.base + "/r0")
    assert "/r4" not in server.paths()


def test_redirects_are_followed_and_reported():
    with serving({"/old": redirect("/new", 301), "/new": page("new")}) as server:
        response = fetcher().fetch(server.base + "/old")
    assert response.final_url == server.base + "/new"
    assert response.redirects == (server.base + "/old",)
    assert response.body == b"new"


def test_redirect_to_a_non_http_scheme_is_refused():
    with serving({"/a": redirect("file:///etc/passwd")}) as server:
        with pytest.raises(RedirectError, match="not an http"):
            fetcher().fetch(server.base + "/a")


def test_429_with_retry_after_is_retried_after_the_wait_asked_for():
    calls = []

    def route(handler):
        calls.append(1)
        if len(calls) == 1:
            send(handler, 429, b"slow down", "text/plain", {"Retry-After": "4"})
        else:
            send(handler, 200, b"ok")
    sleeps = Sleeps()
    with serving({"/r": route}) as server:
        response = fetcher(FetchPolicy(allow_private=True, delay=0), sleeps).fetch(server.base + "/r")
    assert response.body == b"ok"
    assert sleeps.waits == [4.0]


def test_retry_after_longer_than_the_cap_gives_up_without_waiting():
    with serving({"/r": page("busy", status=503, headers={"Retry-After": "3600"})}) as server:
        sleeps = Sleeps()
        client = fetcher(FetchPolicy(allow_private=True, delay=0, max_retry_after=60), sleeps)
        with pytest.raises(HTTPStatusError, match="3600 s"):
            client.fetch(server.base + "/r")
    assert sleeps.waits == []
    assert server.paths().count("/r") == 1


def test_server_errors_are_retried_with_exponential_backoff_then_reported():
    with serving({"/r": page("oops", status=502)}) as server:
        sleeps = Sleeps()
        client = fetcher(FetchPolicy(allow_private=True, delay=0, retries=3, backoff=1), sleeps)
        with pytest.raises(HTTPStatusError) as raised:
            client.fetch(server.base + "/r")
    assert raised.value.status == 502
    assert sleeps.waits == [1.0, 2.0, 4.0]
    assert server.paths().count("/r") == 4


def test_not_found_is_not_retried():
    with serving({}) as server:
        with pytest.raises(HTTPStatusError) as raised:
            fetcher().fetch(server.base + "/missing")
    assert raised.value.status == 404
    assert server.paths().count("/missing") == 1


def test_etag_makes_the_second_fetch_a_304_with_no_body():
    with serving({"/p": with_etag("<p>v1</p>", '"v1"')}) as server:
        client = fetcher()
        first = client.fetch(server.base + "/p")
        second = client.fetch(server.base + "/p", etag=first.etag)
    assert first.status == 200 and first.etag == '"v1"'
    assert second.not_modified and second.body == b""
    assert server.requests[-1][1]["if-none-match"] == '"v1"'


def test_last_modified_is_sent_back_as_if_modified_since():
    stamp = "Wed, 01 Jan 2025 00:00:00 GMT"

    def route(handler):
        if handler.headers.get("If-Modified-Since") == stamp:
            handler.send_response(304)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        else:
            send(handler, 200, b"body", headers={"Last-Modified": stamp})
    with serving({"/p": route}) as server:
        client = fetcher()
        first = client.fetch(server.base + "/p")
        second = client.fetch(server.base + "/p", last_modified=first.last_modified)
    assert first.last_modified == stamp and second.not_modified


def test_unwanted_content_type_is_refused_before_the_body():
    with serving({"/img": page(b"\x89PNG....", "image/png")}) as server:
        with pytest.raises(ContentTypeError, match="image/png"):
            fetcher().fetch(server.base + "/img", accept=("text/html",))


def test_charset_and_content_type_are_read_from_the_header():
    with serving({"/p": page("x".encode("cp1256"), "text/html; charset=windows-1256")}) as server:
        response = fetcher().fetch(server.base + "/p")
    assert response.content_type == "text/html" and response.charset == "windows-1256"


@pytest.mark.parametrize("value, expected", [
    ("120", 120.0), (" 5 ", 5.0), ("soon", None), ("", None), (None, None),
    ("Wed, 01 Jan 2025 00:01:00 GMT", 60.0),
])
def test_retry_after_is_read_as_seconds_or_a_date(value, expected):
    now = 1735689600.0  # 2025-01-01T00:00:00Z
    assert retry_after_seconds(value, now=now) == expected


# ------------------------------------------------------------------ address refusal

# Host parts that all reach a non-public address. "{port}" is the refusal test's own
# loopback server, so a connection that slipped through would be counted there.
NON_PUBLIC_HOSTS = [
    "127.0.0.1:{port}", "127.1:{port}", "127.0.1:{port}", "2130706433:{port}",
    "0x7f000001:{port}", "0x7f.0.0.1:{port}", "0177.0.0.1:{port}", "017700000001:{port}",
    "127.127.127.127:{port}", "127.0.0.1.:{port}", "localhost:{port}", "localhost.:{port}",
    "LOCALHOST:{port}", "api.localhost:{port}", "[::1]:{port}", "[0:0:0:0:0:0:0:1]:{port}",
    "[::ffff:127.0.0.1]:{port}", "[::ffff:7f00:1]:{port}", "[64:ff9b::127.0.0.1]:{port}",
    "[2002:7f00:1::1]:{port}", "[::127.0.0.1]:{port}",
    "0:{port}", "0.0.0.0:{port}", "[::]:{port}",
    "10.0.0.1", "10.255.255.254", "012.0.0.1", "167772161", "172.16.0.1", "172.31.255.254",
    "192.168.0.1", "3232235521", "0xc0.0xa8.0.1", "169.254.169.254", "0xa9.0xfe.0xa9.0xfe",
    "169.254.0.1", "100.64.0.1", "100.127.255.254", "224.0.0.1", "239.255.255.250",
    "255.255.255.255", "240.0.0.1", "198.18.0.1", "192.0.0.8", "192.0.2.1", "[fe80::1]",
    "[fc00::1]", "[fd12:3456::1]", "[ff02::1]", "[::ffff:10.0.0.1]",
    "[::ffff:169.254.169.254]", "[64:ff9b::10.0.0.1]", "[64:ff9b::a9fe:a9fe]",
    "[2002:a00:1::1]", "[2001:db8::1]",
]


@pytest.fixture
def no_connections(monkeypatch):
    """Refuse and record every outgoing connection this test's code tries to make."""
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise ConnectionRefusedError("the test forbids connections")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_at_least_forty_non_public_forms_are_listed():
    assert len(NON_PUBLIC_HOSTS) >= 40
    assert len(set(NON_PUBLIC_HOSTS)) == len(NON_PUBLIC_HOSTS)


def test_every_non_public_address_form_is_refused_without_a_connection(no_connections):
    refused = {}
    with serving({"/": page("should never be read")}) as server:
        port = server.server_address[1]
        client = Fetcher(FetchPolicy(delay=0, retries=0, obey_robots=True))
        for host in NON_PUBLIC_HOSTS:
            url = f"http://{host.format(port=port)}/"
            with pytest.raises(BlockedAddressError) as raised:
                client.fetch(url)
            refused[host] = str(raised.value)
        assert server.connections == 0 and server.requests == []
    assert no_connections == []
    assert len(refused) == len(NON_PUBLIC_HOSTS)


@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/",
    "http://0.0.0.0:{port}/", "http://224.0.0.1/", "http://[fe80::1]/",
])
def test_redirect_to_a_refused_address_is_checked_on_that_hop(target):
    # Loopback is allowed for the test's own server; the hop's target never is.
    routes = {"/robots.txt": page("", "text/plain", status=404), "/go": None}
    with serving(routes) as server:
        routes["/go"] = redirect(target.format(port=server.server_address[1]))
        with pytest.raises(BlockedAddressError):
            fetcher().fetch(server.base + "/go")
        assert server.paths() == ["/robots.txt", "/go"]


def test_https_connections_are_guarded_too(no_connections):
    with pytest.raises(BlockedAddressError):
        Fetcher(FetchPolicy(delay=0, retries=0)).fetch("https://127.0.0.1/")
    assert no_connections == []
