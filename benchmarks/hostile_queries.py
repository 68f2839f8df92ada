#!/usr/bin/env python
"""Hostile-query benchmark: 10,000 generated requests (hypothesis) against a live server.

Query strings and parameter combinations (query syntax, wildcards, broken escapes, long
and odd Unicode, numbers at the edges) against the search API, facets, suggestions, the
results page, the feeds, the exports and OAI-PMH (random verbs and arguments); see
`tests/hostile.py`. Prints the statuses, the server errors (goal 0) and the latency of
each answer (goal: each within 1 s), with the slowest requests.

    .venv/bin/python benchmarks/hostile_queries.py                   # 10,000 requests
    .venv/bin/python benchmarks/hostile_queries.py --examples 1000   # quicker
"""

from __future__ import annotations

import argparse
import http.client
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.harness import Server, run_hrba  # noqa: E402
from tests.hostile import probe  # noqa: E402

GOAL_SECONDS = 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="requests to generate (default 10,000)")
    parser.add_argument("--seed", type=int, default=8, help="hypothesis seed (default 8)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hrba-hostile-") as workdir:
        data_dir = Path(workdir) / "data"
        print("Building a fresh data directory from the shipped corpus (hrba setup) ...", file=sys.stderr)
        run_hrba(["setup"], data_dir)
        with Server(data_dir, {"HRBA_RATE_LIMIT": "1000000 per minute"}) as server:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)

            def send(target: str) -> int:
                nonlocal connection
                try:  # the target goes out exactly as generated, broken escapes and all
                    connection.request("GET", target)
                    response = connection.getresponse()
                    response.read()
                    return response.status
                except (OSError, http.client.HTTPException):
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                    return 599  # no answer at all counts as a server error

            send("/api/v1/search")  # the first search opens the index: not part of the figures
            found = probe(send, args.examples, seed=args.seed)
    print(f"{found.requests:,} generated requests to a live server (statuses: "
          + ", ".join(f"{status}: {count:,}" for status, count in sorted(found.statuses.items())) + ")")
    print(f"server errors (5xx or no answer): {len(found.server_errors)} (goal 0)")
    for error in found.server_errors[:10]:
        print(f"  {error}")
    print(f"latency: p50 {found.percentile(0.5) * 1000:.0f} ms, p99 {found.percentile(0.99) * 1000:.0f} ms, "
          f"max {found.max_seconds * 1000:.0f} ms (goal: each within {GOAL_SECONDS * 1000:.0f} ms): "
          + ("met" if found.max_seconds <= GOAL_SECONDS else "NOT met"))
    for seconds, target in found.slowest:
        print(f"  {seconds * 1000:6.0f} ms  {target[:150]}")
    return 0 if not found.server_errors and found.max_seconds <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
