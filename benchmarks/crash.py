#!/usr/bin/env python
"""Crash benchmark: `kill -9` the server, the indexer, an import and a full rebuild at random
moments, 30 trials each, and check after every kill that nothing was lost.

Each trial works on a fresh copy of a data directory built from the shipped corpus. After
the kill: SQLite's `PRAGMA integrity_check` passes, every acknowledged change is in the
store, no product is stored or indexed twice, and the index matches the store (`hrba check`).
The checks themselves are in `tests/crashes.py`; the summary table goes to stdout.

    .venv/bin/python benchmarks/crash.py                  # 30 trials of each kind (about 20 min)
    .venv/bin/python benchmarks/crash.py --trials 3       # a quick look
    .venv/bin/python benchmarks/crash.py --kinds server,import
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.crashes import KINDS, run_trials, summary_table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=30, help="trials of each kind (default 30)")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"which kinds (default {','.join(KINDS)})")
    parser.add_argument("--seed", type=int, default=8, help="seed of the kill moments (default 8)")
    args = parser.parse_args(argv)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    started = time.monotonic()

    def progress(trial):
        print(f"{trial.kind} #{trial.number}: killed after {trial.killed_after_s:.2f} s, "
              f"{trial.acknowledged} acknowledged, {'ok' if trial.ok else '; '.join(trial.problems)}",
              file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="hrba-crash-") as workdir:
        trials = run_trials(args.trials, Path(workdir), seed=args.seed, kinds=kinds, progress=progress)
    print(f"kill -9 trials on SQLite, {time.monotonic() - started:.0f} s in all")
    print(summary_table(trials))
    return 0 if all(t.ok for t in trials) else 1


if __name__ == "__main__":
    sys.exit(main())
