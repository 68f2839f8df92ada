"""A real HTTP server on loopback for the crawler's tests: routes are plain functions.

A route takes the request handler and writes the whole response itself, so a test can
drip bytes, send a gzip bomb, redirect in a loop or answer 304. Every request is
recorded (path and headers), and so is every accepted connection.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

Route = Callable[[BaseHTTPRequestHandler], None]


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, routes: dict[str, Route], port: int = 0):
        self.routes = routes
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.connections = 0
        super().__init__(("127.0.0.1", port), _Handler)

    def get_request(self):
        request = super().get_request()
        self.connections += 1
        return request

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self.server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = self.server.routes.get(self.path) or self.server.routes.get(self.path.split("?")[0])
        if route is None:
            send(self, 404, b"not found", "text/plain")
            return
        route(self)


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"",
         content_type: str = "text/html; charset=utf-8", headers: dict | None = None) -> None:
    """Write a whole response."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def page(body: bytes | str, content_type: str = "text/html; charset=utf-8",
         status: int = 200, headers: dict | None = None) -> Route:
    """A route that always answers the same."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda handler: send(handler, status, data, content_type, headers)


def redirect(location: str, status: int = 302) -> Route:
    return lambda handler: send(handler, status, b"", "text/plain", {"Location": location})


def gzipped(body: bytes, content_type: str = "text/html; charset=utf-8") -> Route:
    data = gzip.compress(body)
    return lambda handler: send(handler, 200, data, content_type, {"Content-Encoding": "gzip"})


def with_etag(body: bytes | str, etag: str | None = None,
              content_type: str = "text/html; charset=utf-8") -> Route:
    """A route that answers 304 to a request that already has `etag` (default: a digest)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    etag = etag or '"' + hashlib.sha256(data).hexdigest()[:16] + '"'

    def route(handler):
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        send(handler, 200, data, content_type, {"ETag": etag})
    return route


def drip(length: int, pause: float) -> Route:
    """A route that sends `length` bytes one at a time, `pause` seconds apart."""
    def route(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(length))
        handler.end_headers()
        try:
            for _ in range(length):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass  # the client gave up, as it should
    return route


@contextmanager
def serving(routes: dict[str, Route]) -> Iterator[LoopbackServer]:
    """Serve `routes` on a free loopback port for the duration of the block."""
    server = LoopbackServer(routes)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
