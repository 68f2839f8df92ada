"""`kill -9` of the server, the indexer, an import and a full rebuild loses nothing.

Slow (about 10 s a trial): `make test PYTEST_ARGS="-m slow"`, or the 30-trial run with
its table, `python benchmarks/crash.py`. The trials and their checks are in tests/crashes.py.
"""

from __future__ import annotations

import pytest

from tests.crashes import KINDS, run_trials, summary_table

TRIALS = 5


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_kill_9_at_random_moments_loses_nothing_and_leaves_no_duplicate(kind, ready_data_dir, tmp_path):
    trials = run_trials(TRIALS, tmp_path, ready=ready_data_dir, seed=KINDS.index(kind), kinds=(kind,))
    print(summary_table(trials))
    assert len(trials) == TRIALS
    assert all(trial.ok for trial in trials), summary_table(trials)
