"""`hrba serve` with HRBA_WORKERS=2: gunicorn's arbiter and two worker processes on one
address, as real processes on loopback.

What the setting promises: the server answers as one; exactly one worker at a time is the
index's updater (its pid in `index/updater.lock`), so a curator's edit reaches search; when
that worker is killed, gunicorn replaces it and another worker takes the lock over; a stop
leaves no worker behind; a bad value stops start-up with the settings' message.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from tests.harness import Curator, Server, create_account, output, run_hrba, set_field
from webapp import cli, workers
from webapp.app import MAX_REQUEST_BYTES

CURATOR = "workers-curator@example.org"
VISIBLE_WITHIN = 5.0  # seconds for an acknowledged edit to show in search
TAKEOVER_WITHIN = 10.0  # seconds for another worker to hold the lock after the updater dies
WORKERS = 2


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rpartition(")")[2].split()[1])  # the field after the state


def _running(pid: int) -> bool:
    """Tell whether `pid` is a process that has not ended (a zombie has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def children(pid: int) -> set[int]:
    """Return the live child processes of `pid` (gunicorn's workers of an arbiter)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _ppid(int(entry.name)) == pid and _running(int(entry.name)):
            found.add(int(entry.name))
    return found


def lock_holder(data_dir: Path) -> int | None:
    """Return the pid the index's updater wrote into its lock file, if any."""
    try:
        text = (data_dir / "index" / "updater.lock").read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def lock_is_held(data_dir: Path) -> bool:
    """Tell whether some process holds the updater's lock (we cannot take it ourselves)."""
    with open(data_dir / "index" / "updater.lock", "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def wait_for(condition, within: float, interval: float = 0.2):
    """Return the first true value of `condition()` within `within` seconds, or None."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("workers") / "data"
    # All requests come from 127.0.0.1, and each worker counts on its own without Redis.
    server = Server(data_dir, {"HRBA_WORKERS": str(WORKERS), "HRBA_RATE_LIMIT": "100000 per minute"})
    server.start()
    try:
        create_account(data_dir, CURATOR)
        yield server
    finally:
        server.stop()


def edit_reaches_search(server: Server) -> float:
    """Save a new word into a product's title through the edit form; return how long search
    took to find it (fails the test past VISIBLE_WITHIN)."""
    word = "wk" + uuid.uuid4().hex[:10]
    product_id = get_json(server.base + "/api/v1/search?per_page=1&sort=title")[1]["results"][0]["id"]
    curator = Curator(server.base, CURATOR).sign_in()

    def change(fields):
        title = next(v for n, v in fields if n == "title")
        return set_field(fields, "title", f"{title} {word}")

    assert curator.edit(product_id, change) == 302
    saved = time.monotonic()
    search = server.base + "/api/v1/search?" + urllib.parse.urlencode({"q": word})

    def found():
        answer = get_json(search)[1]
        return answer["total"] == 1 and answer["results"][0]["id"] == product_id

    assert wait_for(found, VISIBLE_WITHIN, 0.1), f"the edit ({word}) did not reach search within {VISIBLE_WITHIN} s"
    return time.monotonic() - saved


def test_two_workers_serve_a_fresh_data_directory(server):
    assert get_json(server.base + "/healthz") == (200, {"ok": True})
    assert get_json(server.base + "/readyz") == (200, {"ok": True, "published": 472, "indexed": 472,
                                                       "backlog": 0})
    status, answer = get_json(server.base + "/api/v1/search?q=gender&per_page=1")
    assert status == 200 and answer["total"] > 0
    assert len(children(server.process.pid)) == WORKERS
    assert "with 2 worker processes" in _output(server)


def test_one_worker_is_the_updater(server):
    workers_now = children(server.process.pid)
    holder = wait_for(lambda: lock_holder(server.data_dir) in workers_now, 5) and lock_holder(server.data_dir)
    assert holder in workers_now, (holder, workers_now)
    assert lock_is_held(server.data_dir)


def test_a_curator_edit_reaches_search_within_5_s(server):
    edit_reaches_search(server)


def test_when_the_updater_dies_another_worker_takes_over(server):
    arbiter = server.process.pid
    before = children(arbiter)
    victim = lock_holder(server.data_dir)
    assert victim in before, (victim, before)
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    # Each worker has its own listening socket (SO_REUSEPORT): a connection the kernel gave
    # the victim's socket while it was dying is reset (clients retry). Within a second the
    # server answers every request again: the other worker serves while gunicorn starts a
    # new one.
    def answers_10_in_a_row():
        try:
            return all(get_json(server.base + "/healthz") == (200, {"ok": True}) for _ in range(10))
        except OSError:
            return False

    assert wait_for(answers_10_in_a_row, 1.0, 0.05), "the server stopped answering after a worker died"
    assert wait_for(lambda: len(children(arbiter)) == WORKERS and victim not in children(arbiter), 15), \
        f"gunicorn did not replace the killed worker: {children(arbiter)}"

    def new_holder():
        holder = lock_holder(server.data_dir)
        return holder if holder != victim and holder in children(arbiter) else None

    holder = wait_for(new_holder, TAKEOVER_WITHIN - (time.monotonic() - killed))
    assert holder, f"no live worker took the updater's lock over within {TAKEOVER_WITHIN:.0f} s"
    assert lock_is_held(server.data_dir)
    assert get_json(server.base + "/readyz")[0] == 200
    edit_reaches_search(server)


def test_a_second_server_on_the_same_port_is_refused(server):
    """Workers listen with SO_REUSEPORT; without the check a second server would quietly
    share the port with the first."""
    done = run_hrba(["serve"], server.data_dir, {**server.settings, "HRBA_WORKERS": "2"}, check=False,
                    timeout=120)
    assert done.returncode != 0
    assert f"cannot serve on 127.0.0.1:{server.port}" in done.stderr
    assert len(children(server.process.pid)) == WORKERS
    assert get_json(server.base + "/healthz") == (200, {"ok": True})


def test_bodies_over_the_limit_are_refused_by_the_app_and_the_workers_keep_serving(server):
    import requests  # noqa: PLC0415 (a test dependency)

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    over = requests.post(server.base + "/curate/login", data=b"x" * (MAX_REQUEST_BYTES + 10), headers=form,
                         timeout=30)
    assert over.status_code == 413 and over.headers["X-Content-Type-Options"] == "nosniff"
    # Chunked, with no Content-Length to trust: gunicorn buffers nothing and streams the body
    # to the app, which reads 1 MB of it at most (werkzeug cuts the form there, so it lacks
    # its CSRF token): refused by the app's own page, never 13 MB in memory or on disk.
    huge = (b"x" * 65536 for _ in range(200))
    try:
        refused = requests.post(server.base + "/curate/login", data=huge, headers=form, timeout=30)
        assert refused.status_code in (400, 413)
        assert refused.headers["X-Content-Type-Options"] == "nosniff"
    except requests.ConnectionError:  # answered and closed while the client was still sending
        pass
    assert get_json(server.base + "/api/v1/search?q=gender&per_page=1")[0] == 200
    assert len(children(server.process.pid)) == WORKERS


def test_a_stop_leaves_no_worker_behind(server):
    """Runs last: it stops the module's server."""
    arbiter = server.process.pid
    worker_pids = children(arbiter)
    assert len(worker_pids) == WORKERS
    server.stop()  # SIGTERM to the arbiter, as an operator or a supervisor would
    assert server.process.returncode == 0, _output(server)
    assert not [pid for pid in worker_pids | {arbiter} if _running(pid)]
    assert "Shutting down" in _output(server)


def test_zero_workers_stops_start_up_with_a_clear_message(tmp_path):
    done = run_hrba(["serve"], tmp_path / "data", {"HRBA_WORKERS": "0"}, check=False, timeout=60)
    assert done.returncode != 0
    assert "HRBA_WORKERS='0': must be 1 or more" in done.stderr
    assert not (tmp_path / "data" / "hrba.sqlite3").exists()  # nothing was prepared


def test_several_workers_are_refused_on_windows(tmp_path, monkeypatch):
    monkeypatch.setenv("HRBA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HRBA_WORKERS", "2")
    monkeypatch.setattr(cli, "os", SimpleNamespace(name="nt"))
    result = CliRunner().invoke(cli.main, ["serve"])
    assert result.exit_code == 1
    assert "HRBA_WORKERS above 1 needs Linux or macOS" in result.output
    assert "importing the shipped corpus" not in result.output  # refused before preparing


def test_gunicorn_trusts_no_forwarded_headers_and_keeps_its_request_limits():
    config = {"HRBA_HOST": "::1", "HRBA_PORT": 8080, "HRBA_WORKERS": 3, "HRBA_THREADS": 4,
              "HRBA_LOG_LEVEL": "WARNING"}
    options = workers.options(config)
    assert options["bind"] == ["[::1]:8080"]
    assert (options["workers"], options["threads"], options["worker_class"]) == (3, 4, "gthread")
    assert options["forwarded_allow_ips"] == "" and options["accesslog"] is None
    assert not options["preload_app"]
    assert options["reuse_port"]  # each worker its own socket: clients spread over them
    assert "limit_request_line" not in options and "limit_request_fields" not in options
    application = workers.WorkerServer(lambda: None, options)
    assert application.cfg.forwarded_allow_ips == []
    assert application.cfg.limit_request_line == 4094 and application.cfg.limit_request_fields == 100


def _output(server: Server) -> str:
    return output(server.process)
