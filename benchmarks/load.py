#!/usr/bin/env python
"""Load benchmark: many concurrent readers while a curator edits and the indexer keeps up.

Builds a fresh data directory from the shipped corpus (`hrba setup` in a temporary
directory), starts a real `hrba serve` on a loopback port, and for `--seconds` runs:

- `--clients` reader threads (default 50), each a closed loop over one keep-alive
  connection (no think time: the hardest case), alternating the search API
  (`/api/v1/search`) and the results page (`/`) with a seeded mix of queries and filters,
  each its own client behind one trusted proxy (`X-Forwarded-For`), as in a deployment;
- one curator who signs in and saves edits through the real edit form (CSRF token and
  `seen_revision`), every `--edit-interval` seconds, each adding a new word to a summary.

Then it checks that every acknowledged edit is visible in search (polling a few seconds)
and prints requests/s, p50/p95/p99 latency per endpoint, the error count, the CPU time
per read of the server and of the clients, the hypervisor's steal and a machine-speed
calibration (this shared machine's speed changes from hour to hour).

    .venv/bin/python benchmarks/load.py                # 50 clients, 60 s
    .venv/bin/python benchmarks/load.py --seconds 10   # a quick look
    .venv/bin/python benchmarks/load.py --json         # machine-readable

Readers are plain threads over `http.client` (standard library, one persistent
connection each): the client needs no dependency and no event loop of its own, and on a
2-core machine it should take as little CPU from the server as possible. It still
competes with the server for the two cores; the figures say so.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.harness import Curator, Server, create_account, run_hrba, set_field  # noqa: E402

QUERIES = ["", "gender", "children rights", "water sanitation", "participation accountability",
           "indigenous peoples", "disability", "climate", "health", "education", "monitoring",
           "human rights based approach", "treaty bodies", "upr", "budget", "migration", "youth",
           "data", "discrimination", "common country analysis", "droits de l'homme", "género"]
FILTERS = [{}, {}, {}, {"theme": "gender-equality"}, {"agency": "unicef"}, {"language": "fr"},
           {"sort": "newest"}, {"page": "2"}, {"year_from": "2010"}, {"agency": "undp", "theme": "participation"}]
ENDPOINTS = {"search API": "/api/v1/search", "results page": "/"}
GOAL_P95_MS = 300.0
EDITED_PRODUCTS = 20


@dataclass
class Tally:
    """One reader's or the curator's record: latencies per endpoint, and errors."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, endpoint: str, seconds: float) -> None:
        self.latencies.setdefault(endpoint, []).append(seconds)


def _query(rng: random.Random) -> str:
    params = {"q": rng.choice(QUERIES), **rng.choice(FILTERS)}
    return urllib.parse.urlencode({k: v for k, v in params.items() if v})


def _reader(port: int, seed: int, measured_from: float, deadline: float, think: float,
            tally: Tally) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    # Each reader is its own client, as behind the reverse proxy of a real deployment, which
    # passes the client's address on (the server trusts one proxy: HRBA_TRUSTED_PROXIES=1).
    headers = {"Accept-Encoding": "gzip", "X-Forwarded-For": f"10.77.{seed // 250}.{seed % 250 + 1}"}
    names = list(ENDPOINTS)
    turn = seed % 2
    while time.monotonic() < deadline:
        name = names[turn]
        turn = 1 - turn
        path = ENDPOINTS[name] + "?" + _query(rng)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            tally.errors.append(f"{name} {path}: {type(exc).__name__}: {exc}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        if time.monotonic() >= measured_from:  # requests of the warm-up are not timed
            tally.add(name, time.perf_counter() - started)
        if response.status != 200 or not body:
            tally.errors.append(f"{name} {path}: HTTP {response.status}")
        if think:
            time.sleep(rng.uniform(0, 2 * think))  # a person reading: `think` s on average
    connection.close()


def _curator(base: str, email: str, product_ids: list[str], deadline: float, interval: float,
             tally: Tally, acknowledged: list[tuple[str, str]]) -> None:
    curator = Curator(base, email).sign_in()
    number = 0
    while time.monotonic() < deadline:
        product_id = product_ids[number % len(product_ids)]
        word = "loadedit" + "".join(chr(97 + int(d)) for d in f"{number:05d}")  # loadeditaaaab...
        number += 1

        def change(fields, word=word):
            summary = next((v for n, v in fields if n == "summary"), "")
            return set_field(fields, "summary", f"{summary} {word}".strip())

        started = time.perf_counter()
        try:
            status = curator.edit(product_id, change)
        except OSError as exc:
            tally.errors.append(f"edit {product_id}: {type(exc).__name__}: {exc}")
            continue
        tally.add("curator edit (open + save)", time.perf_counter() - started)
        if status == 302:
            acknowledged.append((product_id, word))
        else:
            tally.errors.append(f"edit {product_id}: HTTP {status}")
        time.sleep(interval)


def _visible(base: str, acknowledged: list[tuple[str, str]], patience: float) -> tuple[list, float]:
    """Return the acknowledged edits search does not show within `patience`, and the wait."""
    started = time.monotonic()
    waiting = list(acknowledged)
    parsed = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    while waiting and time.monotonic() - started < patience:
        still = []
        for product_id, word in waiting:
            connection.request("GET", "/api/v1/search?" + urllib.parse.urlencode({"q": word, "per_page": 5}))
            found = json.loads(connection.getresponse().read())
            if product_id not in {hit["id"] for hit in found["results"]}:
                still.append((product_id, word))
        waiting = still
        if waiting:
            time.sleep(0.25)
    connection.close()
    return waiting, time.monotonic() - started


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summarise(tallies: list[Tally], seconds: float) -> dict:
    """Return the figures per endpoint and in all."""
    merged: dict[str, list[float]] = {}
    for tally in tallies:
        for name, values in tally.latencies.items():
            merged.setdefault(name, []).extend(values)
    rows = {}
    for name, values in merged.items():
        rows[name] = {"requests": len(values), "per_second": len(values) / seconds,
                      **{f"p{p}_ms": 1000 * _percentile(values, p / 100) for p in (50, 95, 99)},
                      "max_ms": 1000 * max(values), "mean_ms": 1000 * statistics.fmean(values)}
    return rows


def _prepare(workdir: Path) -> tuple[Path, str]:
    data_dir = workdir / "data"
    print("Building a fresh data directory from the shipped corpus (hrba setup) ...", file=sys.stderr)
    run_hrba(["setup"], data_dir)
    email = "load-curator@example.org"
    create_account(data_dir, email)
    return data_dir, email


def run(seconds: float, clients: int, edit_interval: float, patience: float, think: float = 0.0,
        server_threads: int | None = None, warmup: float = 5.0, workers: int = 1) -> dict:
    """Run the whole benchmark; return its figures."""
    with tempfile.TemporaryDirectory(prefix="hrba-load-") as workdir:
        data_dir, email = _prepare(Path(workdir))
        # Readers are distinct clients behind one trusted proxy (X-Forwarded-For); the rate
        # limit is lifted far above what any of them asks, since capacity is measured here.
        settings = {"HRBA_RATE_LIMIT": "100000 per minute", "HRBA_TRUSTED_PROXIES": "1"}
        if server_threads:
            settings["HRBA_THREADS"] = str(server_threads)
        settings["HRBA_WORKERS"] = str(workers)
        with Server(data_dir, settings) as server:
            ids = [hit["id"] for hit in json.loads(
                _get(server.port, f"/api/v1/search?per_page={EDITED_PRODUCTS}&sort=title"))["results"]]
            print(f"Serving on {server.base}: {clients} readers and one curator for {seconds:.0f} s ...",
                  file=sys.stderr)
            measured_from = time.monotonic() + warmup
            deadline = measured_from + seconds
            readers = [Tally() for _ in range(clients)]
            curator, acknowledged = Tally(), []
            threads = [threading.Thread(target=_reader, args=(server.port, n, measured_from, deadline, think, readers[n]))
                       for n in range(clients)]
            threads.append(threading.Thread(target=_curator, args=(server.base, email, ids, deadline,
                                                                   edit_interval, curator, acknowledged)))
            for thread in threads:
                thread.start()
            time.sleep(max(0.0, measured_from - time.monotonic()))
            cpu_before, server_before = _cpu_times(), _tree_cpu_seconds(server.process.pid)
            client_before = _own_cpu_seconds()
            for thread in threads:
                thread.join()
            cpu_after, server_after = _cpu_times(), _tree_cpu_seconds(server.process.pid)
            client_after = _own_cpu_seconds()
            elapsed = time.monotonic() - measured_from
            missing, waited = _visible(server.base, acknowledged, patience)
    endpoints = summarise(readers, elapsed)
    reads = sum(row["requests"] for row in endpoints.values())
    calibration = _calibration()
    return {"seconds": elapsed, "warmup_s": warmup, "clients": clients, "think_s": think, "cores": os.cpu_count(),
            "workers": workers, "server_threads": server_threads or _setting("HRBA_THREADS"),
            "requests_per_second": reads / elapsed, "requests": reads,
            "errors": sum(len(t.errors) for t in readers), "error_samples": [e for t in readers for e in t.errors][:5],
            "endpoints": endpoints, "curator": summarise([curator], elapsed),
            "edits_acknowledged": len(acknowledged), "edit_errors": curator.errors[:5],
            "edits_missing_from_search": [word for _, word in missing], "visibility_wait_s": waited,
            "cpu_stolen": _stolen_share(cpu_before, cpu_after), "calibration_s": calibration,
            "server_cpu_ms_per_request": 1000 * (server_after - server_before) / max(1, reads),
            "client_cpu_ms_per_request": 1000 * (client_after - client_before) / max(1, reads)}


def _cpu_times() -> list[int] | None:
    """Return the machine's CPU time counters (user, nice, system, idle, iowait, irq,
    softirq, steal), or None where /proc/stat is missing."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            return [int(n) for n in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None


def _tree_cpu_seconds(root: int) -> float:
    """Return the CPU time (user + system) used so far by process `root` and its children."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _own_cpu_seconds() -> float:
    """Return the CPU time this benchmark process (the clients) has used so far."""
    times = os.times()
    return times.user + times.system


def _calibration() -> float:
    """Return the seconds a fixed piece of pure Python takes here (10 million additions):
    how fast this machine is just now, so runs on different days can be compared."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - started


def _stolen_share(before: list[int] | None, after: list[int] | None) -> float | None:
    """Return the share of CPU time the hypervisor gave to other machines (steal) between
    two readings: on a shared virtual machine the same code gets fewer cycles."""
    if not before or not after or len(before) < 8 or len(after) < 8:
        return None
    deltas = [b - a for a, b in zip(before, after)]
    return deltas[7] / sum(deltas) if sum(deltas) else None


def _setting(name: str) -> object:
    """Return the default of one of the server's settings."""
    from webapp.settings import SETTINGS  # noqa: PLC0415

    return next(s.default for s in SETTINGS if s.name == name)


def _get(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        return connection.getresponse().read()
    finally:
        connection.close()


def report(figures: dict) -> str:
    """Return the figures as a table with the verdicts against the goals."""
    pace = f"{figures['think_s']:g} s think time" if figures["think_s"] else "no think time"
    lines = [f"Load: {figures['clients']} concurrent readers ({pace}) + 1 curator for {figures['seconds']:.0f} s "
             f"after {figures['warmup_s']:g} s of warm-up, on {figures['cores']} cores (client and server share them); "
             f"server: {figures['workers']} worker processes x {figures['server_threads']} threads",
             f"{'endpoint':28} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"]
    for name, row in {**figures["endpoints"], **figures["curator"]}.items():
        lines.append(f"{name:28} {row['requests']:>9} {row['per_second']:>8.1f} {row['p50_ms']:>8.0f} "
                     f"{row['p95_ms']:>8.0f} {row['p99_ms']:>8.0f} {row['max_ms']:>8.0f}")
    worst_p95 = max(row["p95_ms"] for row in figures["endpoints"].values())
    lines += [f"throughput: {figures['requests_per_second']:.1f} requests/s ({figures['requests']} reads)",
              f"errors: {figures['errors']} (goal 0)" + "".join(f"\n  {e}" for e in figures["error_samples"]),
              f"worst p95: {worst_p95:.0f} ms (goal <= {GOAL_P95_MS:.0f} ms): "
              + ("met" if worst_p95 <= GOAL_P95_MS else "NOT met"),
              f"CPU per read: server {figures['server_cpu_ms_per_request']:.1f} ms (worker processes, "
              f"edits and index updates included), clients {figures['client_cpu_ms_per_request']:.1f} ms",
              _stolen_line(figures.get("cpu_stolen")),
              f"machine speed: 10 million additions in pure Python took {figures['calibration_s']:.2f} s "
              "just after the run (a slower figure means a slower machine, not slower code)",
              f"edits acknowledged: {figures['edits_acknowledged']}, edit errors: {len(figures['edit_errors'])}, "
              f"missing from search afterwards: {len(figures['edits_missing_from_search'])} "
              f"(checked within {figures['visibility_wait_s']:.1f} s of the end)"]
    return "\n".join(lines)


def _stolen_line(stolen: float | None) -> str:
    if stolen is None:
        return "CPU stolen by the hypervisor: unknown (no /proc/stat)"
    warning = " (high: other machines shared these cores; rerun for a fair figure)" if stolen > 0.05 else ""
    return f"CPU stolen by the hypervisor during the run: {100 * stolen:.1f}%{warning}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load lasts (default 60)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent readers (default 50)")
    parser.add_argument("--edit-interval", type=float, default=0.5,
                        help="seconds the curator waits between saves (default 0.5)")
    parser.add_argument("--patience", type=float, default=10.0,
                        help="seconds to wait for every edit to show in search (default 10)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds each reader pauses between requests (default 0: none)")
    parser.add_argument("--warmup", type=float, default=5.0,
                        help="seconds of load before timing starts: every server thread opens its "
                             "searcher and the first burst of requests drains (default 5)")
    parser.add_argument("--server-threads", type=int, default=2,
                        help="HRBA_THREADS, threads per worker process (default 2: searches are "
                             "CPU-bound, and in one Python process more threads only lengthen the "
                             "tail; 8 measured p95 near 500 ms)")
    parser.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1),
                        help="HRBA_WORKERS of the server: its worker processes (default: the cores)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = run(args.seconds, args.clients, args.edit_interval, args.patience, args.think,
                  args.server_threads, args.warmup, args.workers)
    print(json.dumps(figures, indent=2) if args.json else report(figures))
    ok = figures["errors"] == 0 and not figures["edits_missing_from_search"] and not figures["edit_errors"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
