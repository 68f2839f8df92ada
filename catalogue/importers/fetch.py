"""All the crawler's network I/O, in one place, polite and safe by default.

What every request gets (see RESEARCH.md, "Crawling safely"):
- robots.txt read with Protego (4xx: all allowed; 5xx or unreachable: nothing allowed);
- a delay between two requests to one host (the larger of ours and robots.txt's
  Crawl-delay, capped), and an honest User-Agent with a contact URL;
- connect and read timeouts plus a total deadline per response (a server dripping a byte
  at a time defeats read timeouts alone);
- a cap on decoded bytes, enforced while decompressing (a 204 kB gzip body can be 200 MiB);
- a redirect limit, with loop detection;
- content-type checks before the body is read;
- retries with exponential backoff on 429 and 5xx, honouring Retry-After up to a cap
  (a longer wait gives up instead of hammering or hanging);
- conditional requests (If-None-Match, If-Modified-Since) when the caller has validators;
- a refusal to connect to loopback, private, link-local and other non-public addresses,
  checked on the resolved address at connect time, so on every hop of every redirect
  (`allow_private` opts in for tests and demos).
"""

from __future__ import annotations

import socket
import time
import zlib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Callable
from urllib.parse import urljoin, urlsplit

import urllib3
from protego import Protego
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError

from catalogue.importers.addresses import resolve
from catalogue.importers.errors import (BlockedAddressError, ContentTypeError, DeadlineError,
                                        FetchError, HTTPStatusError, RedirectError,
                                        RobotsDisallowedError, TooLargeError)

ROBOTS_TOKEN = "hrba-catalogue"
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf",)
PAGE_TYPES = HTML_TYPES + PDF_TYPES
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 16_384
MAX_ROBOTS_BYTES = 512 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how cautiously to fetch. Defaults suit a crawl of agency sites."""

    contact_url: str = "https://github.com/hrba-catalogue"
    delay: float = 1.0                 # seconds between two requests to one host
    max_crawl_delay: float = 30.0      # cap on robots.txt's Crawl-delay
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0             # seconds for a whole response, body included
    max_bytes: int = 50 * 1024 * 1024  # decoded bytes of one response
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 1.0               # first retry waits this long, then twice as long...
    max_retry_after: float = 120.0     # a longer Retry-After gives up
    allow_private: bool = False
    obey_robots: bool = True

    @property
    def user_agent(self) -> str:
        return f"{ROBOTS_TOKEN}/0.1 (+{self.contact_url})"


@dataclass(frozen=True)
class Response:
    """One fetched URL: where it ended, what it said, and its body (empty when 304)."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes = b""
    redirects: tuple[str, ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


# ------------------------------------------------------------- guarded connections


class _Guarded:
    """Resolve the host ourselves, refuse non-public answers, connect to a vetted one."""

    allow_private = False

    def _new_conn(self) -> socket.socket:
        try:
            targets = resolve(self._dns_host, self.port, allow_private=self.allow_private)
        except ValueError as exc:
            raise BlockedAddressError(f"refused to connect: {exc}") from None
        except ConnectionError as exc:
            raise NewConnectionError(self, str(exc)) from None
        timeout = self.timeout if isinstance(self.timeout, (int, float)) else None
        failure: OSError | None = None
        for family, kind, proto, sockaddr in targets:
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(timeout)
                sock.connect(sockaddr)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
            except OSError as exc:
                sock.close()
                failure = exc
        raise NewConnectionError(self, f"cannot connect to {self.host}: {failure}")


def _pool_manager(policy: FetchPolicy) -> urllib3.PoolManager:
    extra = {"allow_private": policy.allow_private}
    http_conn = type("GuardedHTTPConnection", (_Guarded, HTTPConnection), extra)
    https_conn = type("GuardedHTTPSConnection", (_Guarded, HTTPSConnection), extra)
    manager = urllib3.PoolManager(num_pools=20, maxsize=1, retries=False)
    manager.pool_classes_by_scheme = {
        "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }
    return manager


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Return the wait a Retry-After header asks for (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _decoder(encoding: str):
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise ContentTypeError(f"unsupported content encoding {encoding!r}")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


_DISALLOW_ALL = Protego.parse("User-agent: *\nDisallow: /\n")


@dataclass
class Fetcher:
    """Fetch URLs under a `FetchPolicy`. One per crawl; not shared between threads.

    `sleep` and `clock` are the real ones unless a test passes its own.
    """

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests_made: int = 0

    def __post_init__(self):
        self._manager = _pool_manager(self.policy)
        self._robots: dict[str, Protego | FetchError] = {}
        self._last_request: dict[str, float] = {}

    def close(self) -> None:
        """Close pooled connections."""
        self._manager.clear()

    # ------------------------------------------------------------------ public

    def fetch(self, url: str, *, accept: tuple[str, ...] = PAGE_TYPES,
              etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET `url` following redirects; raise a FetchError subclass on any failure.

        With `etag` or `last_modified` the request is conditional, and an unchanged
        page comes back as a Response with status 304 and no body.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._follow(url, headers, accept, self.policy.max_bytes, robots=True)

    def probe(self, url: str) -> Response:
        """GET `url` following redirects, reading the status and headers only (link checks)."""
        return self._follow(url, {}, (), 0, robots=True, read_body=False)

    def allowed(self, url: str) -> bool:
        """Tell whether robots.txt lets us fetch `url` (fetching robots.txt if needed)."""
        if not self.policy.obey_robots:
            return True
        return self._robots_for(url).can_fetch(url, ROBOTS_TOKEN)

    # ---------------------------------------------------------------- internals

    def _robots_for(self, url: str) -> Protego:
        origin = _origin(url)
        if origin not in self._robots:
            try:
                response = self._follow(origin + "/robots.txt", {}, (), MAX_ROBOTS_BYTES,
                                        robots=False)
                rules = Protego.parse(response.body.decode("utf-8", "replace"))
            except HTTPStatusError as exc:
                # RFC 9309: robots.txt missing (4xx) allows all; a server error disallows all.
                rules = Protego.parse("") if 400 <= exc.status < 500 else _DISALLOW_ALL
            except FetchError as exc:
                # Unreachable: nothing of the site can be fetched; say why, once per host.
                rules = exc if isinstance(exc, BlockedAddressError) \
                    else type(exc)(f"cannot read {origin}/robots.txt: {exc}")
            self._robots[origin] = rules
        rules = self._robots[origin]
        if isinstance(rules, FetchError):
            raise rules
        return rules

    def _delay_for(self, url: str) -> float:
        delay = self.policy.delay
        rules = self._robots.get(_origin(url))
        if rules is not None:
            asked = rules.crawl_delay(ROBOTS_TOKEN)
            if asked:
                delay = max(delay, min(float(asked), self.policy.max_crawl_delay))
        return delay

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc.lower()
        last = self._last_request.get(host)
        if last is not None:
            wait = last + self._delay_for(url) - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_request[host] = self.clock()

    def _follow(self, url: str, headers: dict, accept: tuple[str, ...], max_bytes: int,
                robots: bool, read_body: bool = True) -> Response:
        seen: list[str] = []
        current = url
        for _ in range(self.policy.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise RedirectError(f"not an http(s) address: {current[:200]}")
            if robots and self.policy.obey_robots and not self.allowed(current):
                raise RobotsDisallowedError(f"robots.txt disallows {current}")
            seen.append(current)
            raw = self._request(current, headers)
            if raw.status in REDIRECT_STATUSES and raw.headers.get("location"):
                _discard(raw)
                target = urljoin(current, raw.headers["location"].strip())
                if target in seen:
                    raise RedirectError(f"redirect loop at {target}")
                # Validators stay: the caller stored them from this chain's final answer.
                current = target
                continue
            if not read_body:
                _discard(raw)
                if raw.status >= 400:
                    raise HTTPStatusError(f"{current} answered {raw.status}", raw.status)
                return Response(url, current, raw.status,
                                {k.lower(): v for k, v in raw.headers.items()}, b"", tuple(seen[:-1]))
            return self._response(url, current, raw, accept, max_bytes, tuple(seen[:-1]))
        raise RedirectError(f"more than {self.policy.max_redirects} redirects from {url}")

    def _request(self, url: str, headers: dict) -> urllib3.BaseHTTPResponse:
        """Send one GET, retrying 429 and 5xx answers and dropped connections."""
        policy = self.policy
        sent = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate",
                "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5",
                **headers}
        for attempt in range(policy.retries + 1):
            self._wait_turn(url)
            self.requests_made += 1
            try:
                raw = self._manager.request(
                    "GET", url, headers=sent, redirect=False, retries=False,
                    preload_content=False, decode_content=False,
                    timeout=urllib3.Timeout(connect=policy.connect_timeout,
                                            read=min(policy.read_timeout, policy.deadline)))
            except BlockedAddressError:
                raise
            except Urllib3Error as exc:
                if attempt == policy.retries:
                    raise FetchError(f"cannot reach {url}: {_reason(exc)}") from None
                self.sleep(policy.backoff * 2 ** attempt)
                continue
            if raw.status not in RETRY_STATUSES:
                return raw
            wait = retry_after_seconds(raw.headers.get("retry-after"))
            _discard(raw)
            if wait is not None and wait > policy.max_retry_after:
                raise HTTPStatusError(f"{url} answered {raw.status} and asks us to wait "
                                      f"{wait:.0f} s (more than {policy.max_retry_after:.0f} s)",
                                      raw.status)
            if attempt == policy.retries:
                raise HTTPStatusError(f"{url} answered {raw.status} after "
                                      f"{policy.retries} retries", raw.status)
            self.sleep(wait if wait is not None else policy.backoff * 2 ** attempt)
        raise AssertionError("unreachable")

    def _response(self, url: str, final: str, raw, accept: tuple[str, ...], max_bytes: int,
                  redirects: tuple[str, ...]) -> Response:
        headers = {name.lower(): value for name, value in raw.headers.items()}
        done = False
        try:
            if raw.status == 304:
                return Response(url, final, 304, headers, b"", redirects)
            if raw.status >= 400:
                raise HTTPStatusError(f"{final} answered {raw.status}", raw.status)
            response = Response(url, final, raw.status, headers, b"", redirects)
            if accept and response.content_type and response.content_type not in accept:
                raise ContentTypeError(f"{final} is {response.content_type}, "
                                       f"not one of {', '.join(accept)}")
            declared = headers.get("content-length", "").strip()
            if declared.isdigit() and int(declared) > max_bytes:
                raise TooLargeError(f"{final} is {int(declared):,} bytes; "
                                    f"the limit is {max_bytes:,}")
            body = self._read_body(final, raw, headers.get("content-encoding", ""), max_bytes)
            done = True
            return Response(url, final, raw.status, headers, body, redirects)
        finally:
            if done or raw.status == 304:
                raw.release_conn()
            else:
                _discard(raw)

    def _read_body(self, url: str, raw, encoding: str, max_bytes: int) -> bytes:
        decoder = _decoder(encoding)
        deadline = self.clock() + self.policy.deadline
        body = bytearray()
        try:
            while True:
                if self.clock() > deadline:
                    raise DeadlineError(f"{url} took longer than {self.policy.deadline:g} s")
                chunk = raw.read1(CHUNK, decode_content=False)
                if not chunk:
                    break
                if decoder is not None:
                    # Never decompress more than the cap allows, whatever the ratio.
                    chunk = decoder.decompress(chunk, max_bytes + 1 - len(body))
                body += chunk
                if len(body) > max_bytes:
                    raise TooLargeError(f"{url} is more than {max_bytes:,} bytes (decoded)")
        except (Urllib3Error, OSError) as exc:
            raise FetchError(f"reading {url} failed: {_reason(exc)}") from None
        except zlib.error as exc:
            raise FetchError(f"{url} sent a broken {encoding} body: {exc}") from None
        if self.clock() > deadline:
            raise DeadlineError(f"{url} took longer than {self.policy.deadline:g} s")
        return bytes(body)


def _discard(raw) -> None:
    """Close a response whose body we will not read: its connection is not reused."""
    raw.close()
    raw.release_conn()


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason).split(": ", 1)[-1][:300] or type(exc).__name__
