"""Keep-alive connections even out over the workers: the policy on a shared board, and two
real gunicorn workers under thirty clients that keep their connections open."""

from __future__ import annotations

import http.client
import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.harness import Server
from tests.webapp.test_workers import children
from webapp import connection_balance
from webapp.connection_balance import SHARE, Balancer, Board, should_close


def test_a_worker_two_above_the_least_busy_closes_a_share_of_its_connections():
    board = Board(4)
    board.publish(0, 101, 30)
    board.publish(1, 102, 20)
    assert should_close(board, 0, 30, chance=0.0)
    assert not should_close(board, 0, 30, chance=SHARE)  # only a share of the requests
    assert not should_close(board, 1, 20, chance=0.0)  # the least busy keeps its own
    assert not should_close(board, 0, 21, chance=0.0)  # one above is even enough
    assert should_close(board, 0, 22, chance=0.0)


def test_a_worker_alone_or_beside_empty_slots_never_closes():
    board = Board(4)
    board.publish(2, 103, 50)
    assert board.fewest_elsewhere(2) is None
    assert not should_close(board, 2, 50, chance=0.0)
    board.publish(3, 104, 0)
    board.clear(3)  # that worker ended
    assert not should_close(board, 2, 50, chance=0.0)


def test_slots_go_to_new_workers_and_come_back_when_one_ends():
    balancer = Balancer(2)
    live = {}
    for pid in (201, 202):
        worker = SimpleNamespace()
        balancer.pre_fork(SimpleNamespace(WORKERS=live), worker)
        live[pid] = worker
    assert sorted(w.hrba_slot for w in live.values()) == [0, 1]
    ended = live.pop(201)
    balancer.child_exit(None, ended)
    newcomer = SimpleNamespace()
    balancer.pre_fork(SimpleNamespace(WORKERS=live), newcomer)
    assert newcomer.hrba_slot == ended.hrba_slot


def test_the_request_hook_publishes_the_count_and_marks_the_connection_to_close(monkeypatch):
    balancer = Balancer(2)
    balancer.board.publish(1, 999_999, 10)
    worker = SimpleNamespace(hrba_slot=0, nr_conns=14)
    request = SimpleNamespace(must_close=False)
    monkeypatch.setattr(connection_balance.random, "random", lambda: 0.0)
    balancer.pre_request(worker, request)
    assert request.must_close and balancer.board.counts[0] == 14
    worker.nr_conns, request.must_close = 11, False
    balancer.pre_request(worker, request)
    assert not request.must_close


def _established(pid: int, port: int) -> int:
    """Count the established TCP connections to `port` that process `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count


@pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="counts connections in /proc")
def test_thirty_kept_alive_clients_end_up_split_evenly_over_two_workers(tmp_path):
    server = Server(tmp_path / "data", {"HRBA_WORKERS": "2", "HRBA_RATE_LIMIT": "100000 per minute"})
    server.start()
    try:
        errors, closes, stop = [], [], threading.Event()

        def client():
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            while not stop.is_set():
                try:
                    connection.request("GET", "/healthz")
                    response = connection.getresponse()
                    response.read()
                    if response.status != 200:
                        errors.append(response.status)
                    if response.getheader("Connection", "").lower() == "close":
                        closes.append(1)  # http.client opens a new connection next time
                except (OSError, http.client.HTTPException) as exc:
                    errors.append(repr(exc))
                    connection.close()
            connection.close()

        threads = [threading.Thread(target=client) for _ in range(30)]
        for thread in threads:
            thread.start()
        time.sleep(6)
        workers = sorted(children(server.process.pid))
        counts = [_established(pid, server.port) for pid in workers]  # while all are open
        stop.set()
        for thread in threads:
            thread.join()
        assert not errors, errors[:5]
        assert len(workers) == 2 and sum(counts) >= 28, counts
        assert abs(counts[0] - counts[1]) <= 2, (counts, len(closes))
    finally:
        server.stop()
