"""Keep-alive connections spread evenly over `hrba serve`'s worker processes.

A keep-alive connection stays with the worker that accepted it, and the kernel hands new
connections to workers at random (SO_REUSEPORT hashes each one). Fifty clients that keep
their connections open then land, say, 30 on one worker and 20 on the other, and the 30
wait half as long again for each answer: measured with `benchmarks/load.py`, 96% of the
slowest twentieth of requests were the busier worker's, p95 400 ms there against 230 ms
on the other.

So each worker writes how many connections it holds on a board in memory shared across
fork (the arbiter makes it before forking), and a worker holding two or more above the
least busy one closes, now and then, a connection after answering on it (as gRPC's
maximum connection age does, but only where it helps): the client opens a new one, which
the kernel hands to either worker, until they hold about the same. A request is never
refused or cut; HTTP clients and browsers reconnect on their own after `Connection: close`.
"""

from __future__ import annotations

import os
import random
from multiprocessing.sharedctypes import RawArray

# Share of the requests, on a worker over its fair share, whose connection is then closed:
# about 6 a second at 120 requests a second, so a 30/20 split evens out within seconds
# while each client reconnects rarely.
SHARE = 0.05
SLACK = 1  # connections above the least busy worker's a worker may hold


class Board:
    """Each worker's open connections, by slot, readable by every worker."""

    def __init__(self, slots: int):
        self.pids = RawArray("q", slots)
        self.counts = RawArray("q", slots)

    def claim(self, taken: set[int]) -> int | None:
        """Return a free slot for a new worker (in the arbiter, before fork), given the
        slots of the workers still alive."""
        for slot in range(len(self.pids)):
            if slot not in taken:
                self.clear(slot)
                return slot
        return None

    def clear(self, slot: int) -> None:
        self.pids[slot] = 0
        self.counts[slot] = 0

    def publish(self, slot: int, pid: int, count: int) -> None:
        self.pids[slot] = pid
        self.counts[slot] = count

    def fewest_elsewhere(self, slot: int) -> int | None:
        """Return the fewest connections another worker holds, None if none has said."""
        others = [self.counts[s] for s in range(len(self.pids)) if s != slot and self.pids[s]]
        return min(others) if others else None


def should_close(board: Board, slot: int, held: int, chance: float) -> bool:
    """Tell whether a worker in `slot` holding `held` connections closes this one after
    answering (`chance`: a random number in [0, 1))."""
    fewest = board.fewest_elsewhere(slot)
    return fewest is not None and held > fewest + SLACK and chance < SHARE


class Balancer:
    """gunicorn hooks over one Board: a slot is claimed in the arbiter before each fork,
    filled by the worker after it, updated before each request, emptied when the worker
    ends (however it ends: `child_exit` runs in the arbiter)."""

    def __init__(self, workers: int):
        self.board = Board(2 * workers)  # room for new workers while old ones finish (HUP)

    def pre_fork(self, server, worker) -> None:
        taken = {getattr(w, "hrba_slot", None) for w in server.WORKERS.values()}
        worker.hrba_slot = self.board.claim(taken)

    def post_fork(self, server, worker) -> None:
        if worker.hrba_slot is not None:
            self.board.publish(worker.hrba_slot, os.getpid(), 0)

    def child_exit(self, server, worker) -> None:
        if getattr(worker, "hrba_slot", None) is not None:
            self.board.clear(worker.hrba_slot)

    def pre_request(self, worker, req) -> None:
        slot = worker.hrba_slot
        if slot is None:
            return
        held = getattr(worker, "nr_conns", 0)
        self.board.publish(slot, os.getpid(), held)
        if should_close(self.board, slot, held, random.random()):  # nosec B311 (not security)
            req.must_close = True  # gunicorn answers with Connection: close, then closes
