"""`hrba serve` with `HRBA_WORKERS` above 1: several worker processes on one address.

gunicorn's arbiter (the `hrba serve` process itself) holds the listening socket, forks the
workers and restarts any that dies; each worker serves with `HRBA_THREADS` threads
(gthread). Nothing is preloaded: the parent prepares the catalogue once and lets go of its
database connections and index searcher, then every worker builds its own app in `load()`,
so no connection, file or lock is shared across fork.

Every worker also runs an index updater thread. The updater's lock file (`updater.lock` in
the index directory) lets one of them apply the store's changes at a time; the others
retry each round, so when that worker dies (and gunicorn replaces it) another takes over
within a second. All of them search the one index the updater keeps.

Workers holding many more keep-alive connections than another close a few after answering,
so clients reconnect and the connections even out (webapp/connection_balance.py).

POSIX only (gunicorn forks); `hrba serve` refuses HRBA_WORKERS above 1 on Windows.
"""

from __future__ import annotations

import gc
import logging
import socket
import threading
from typing import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication

from indexer.updates import warm_up
from webapp.connection_balance import Balancer
from webapp.services import services

# Seconds a worker has to finish its requests after TERM before the arbiter kills it: long
# enough for an export, short enough for supervisors that wait 10 s before a kill -9.
GRACEFUL_TIMEOUT = 8
# Seconds of silence after which the arbiter takes a worker for stuck and replaces it.
# gthread workers report from their main loop, so a long request does not count as silence.
TIMEOUT = 30
KEEPALIVE = 5
# Seconds a stopping worker waits for its updater to finish the round and let go of the lock.
UPDATER_STOP = 5.0


class WorkerServer(BaseApplication):
    """gunicorn's custom application: options from the settings, one app per worker."""

    def __init__(self, create_app: Callable[[], Flask], options: dict[str, object]):
        self.create_app = create_app
        self.options = options
        self._stop: threading.Event | None = None
        self._updater: threading.Thread | None = None
        # Made once, before any fork, and kept across reloads (HUP): see connection_balance.
        self.balancer = Balancer(int(options["workers"]))
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("worker_exit", self.worker_exit)
        for hook in ("pre_fork", "post_fork", "pre_request", "child_exit"):
            self.cfg.set(hook, getattr(self.balancer, hook))

    def load(self) -> Flask:
        """Build this worker's app and start its index updater (in the worker, after fork)."""
        app = self.create_app()
        with app.app_context():
            hub = services()
            updater = hub.updater()
            try:  # the first searches need not pay for loading the tagger and the index
                warm_up(hub.index, hub.vocabularies)
            except Exception:  # a damaged index: the updater rebuilds it, searches say so
                app.logger.exception("warming up the search index failed")
            hub.start_warmer()  # and later generations are readied before searches move
        freeze_heap()
        self._stop = threading.Event()
        self._updater = threading.Thread(target=updater.run, args=(self._stop,),
                                         name="index-updater", daemon=True)
        self._updater.start()
        return app

    def worker_exit(self, server, worker) -> None:
        """Stop this worker's updater so it lets go of the lock before the process ends."""
        if self._stop is not None:
            self._stop.set()
            self._updater.join(UPDATER_STOP)


def freeze_heap() -> None:
    """Move what start-up made (modules, vocabularies, the tagger and language models,
    some 200,000 objects) out of the garbage collector's sight, as Instagram's servers do.

    A full collection walked them all, 100 to 160 ms with every thread of the process
    stopped, a few times a minute under load: the stalls made the slowest twentieth of
    requests (measured with gc.callbacks: 37 to 158 ms a pass before, 4 to 7 ms after).
    They are freed as usual when nothing refers to them; only reference cycles among them
    would never be collected, and start-up makes them once."""
    gc.freeze()


def options(config: dict) -> dict[str, object]:
    """Return gunicorn's settings for the app's config."""
    host, port = config["HRBA_HOST"], config["HRBA_PORT"]
    return {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": config["HRBA_WORKERS"],
        "worker_class": "gthread",
        "threads": config["HRBA_THREADS"],
        "preload_app": False,
        # Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new
        # connections over them evenly. On one shared socket, a worker's main thread accepts
        # however busy its request threads are, and keep-alive clients stay where they
        # landed: measured here, one worker often ended up with most of 50 clients and p95
        # doubled (benchmarks/load.py). The cost: a worker that dies drops the connections
        # still waiting in its own queue (clients retry; gunicorn starts a new worker).
        "reuse_port": True,
        # Seconds an idle keep-alive connection stays open (gunicorn's default is 2): a client
        # pausing about that long between pages raced the close and got a reset connection.
        "keepalive": KEEPALIVE,
        "proc_name": "hrba",
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "timeout": TIMEOUT,
        # The app writes its own access lines (public_access); gunicorn logs the rest to stderr.
        "accesslog": None,
        "errorlog": "-",
        "loglevel": str(config["HRBA_LOG_LEVEL"]).lower(),
        # Trust no peer's X-Forwarded-* (nor scheme) headers here: the app's ProxyFix reads
        # them for as many proxies as HRBA_TRUSTED_PROXIES says, as it does under waitress.
        "forwarded_allow_ips": "",
        # No control socket: its default path is one per user, which two servers would share.
        "control_socket_disable": True,
        # limit_request_line and limit_request_fields keep gunicorn's defaults (4094 bytes,
        # 100 fields). Bodies are not buffered: gunicorn streams them to the app, so Flask's
        # MAX_CONTENT_LENGTH is the body limit (413 past 1 MB when a Content-Length says so;
        # a chunked body is cut there), with the uploads' own caps.
    }


def let_go(app: Flask) -> None:
    """Release what the parent's app holds that must not cross a fork: its database
    connections, its index searcher and its log file (each worker's app opens its own)."""
    app.extensions["hrba"].close()
    for handler in list(app.logger.handlers):
        if isinstance(handler, logging.FileHandler):
            app.logger.removeHandler(handler)
            handler.close()


def check_port_free(host: str, port: int) -> None:
    """Raise OSError if something already listens on host:port.

    With SO_REUSEPORT a second `hrba serve` on the same port (same user) would quietly
    share the traffic instead of failing; a plain bind finds any listener first.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no listener
        probe.bind((host, port))


def serve(app: Flask, create_app: Callable[[], Flask]) -> None:
    """Serve with gunicorn's arbiter in this process until TERM or Ctrl-C; `app` is the
    parent's, already prepared, and `create_app` builds each worker's."""
    let_go(app)
    WorkerServer(create_app, options(app.config)).run()
