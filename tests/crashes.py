"""Crash trials: `kill -9` an `hrba` process at a random moment, then check nothing was lost.

Four kinds of trial, each on its own copy of a ready data directory (SQLite):

- `server`: `hrba serve` while readers search and a curator saves through the edit form;
  after the kill the server is started again and must show every acknowledged edit.
- `indexer`: `hrba indexer` while edits are committed to the store.
- `import`: `hrba import` of a corpus-format file of new products; the import is then run
  again to its end (the repeat must not add a product twice).
- `reindex`: `hrba reindex` while edits are committed to the store.

After each kill: `PRAGMA integrity_check` and `foreign_key_check` pass, every acknowledged
change (recorded on the client side when the save returned) is in the store, no product
appears twice (in the store by title, in the index by id), and the index matches the store:
first as the outbox alone leaves it (a restarted updater catching up), then after `hrba check`.
Used by `benchmarks/crash.py` (30 trials each) and `tests/test_crashes.py`.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.harness import Curator, Server, create_account, run_hrba, set_field, start_hrba, crash

KINDS = ("server", "indexer", "import", "reindex")
CURATOR = "crash-curator@example.org"
IMPORTED = 300  # products in the import file
DRIFT = re.compile(r"(\d+) missing, (\d+) stale, (\d+) extra")


@dataclass
class Trial:
    """What one trial did and found."""

    kind: str
    number: int
    killed_after_s: float = 0.0
    acknowledged: int = 0
    problems: list[str] = field(default_factory=list)
    drift_before_check: str = ""  # what `hrba check --dry-run` said before any repair

    @property
    def ok(self) -> bool:
        return not self.problems


def prepare_template(workdir: Path, ready: Path | None = None) -> Path:
    """Return a data directory to copy for each trial: the shipped corpus, indexed, with a
    curator account (copied from `ready` when given, else built by `hrba setup`)."""
    template = workdir / "template"
    if ready is not None:
        shutil.copytree(ready, template)
    else:
        run_hrba(["setup"], template)
    create_account(template, CURATOR)
    write_import_file(workdir / "import.jsonl")
    return template


def write_import_file(path: Path, count: int = IMPORTED) -> None:
    """Write `count` new products in the corpus format."""
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(json.dumps({
                "title": f"Crash trial product {n}: participation in local planning",
                "agencies": ["UNICEF"], "year": 2020, "type": "Guidance", "languages": ["en"],
                "themes": ["Participation"], "regions": ["Global"], "url": f"https://example.org/crash/{n}.pdf",
                "summary": f"Product {n} of a file imported while the importer may be killed.",
                "source": "https://example.org/crash/"}) + "\n")


def _word(trial: Trial, n: int) -> str:
    """A word no product has, unique to this trial and edit (letters only, to index cleanly)."""
    digits = f"{trial.number:03d}{n:05d}"
    return "crash" + trial.kind[:3] + "".join(chr(97 + int(d)) for d in digits)


def _product_ids(data_dir: Path, count: int = 15) -> list[str]:
    with sqlite3.connect(data_dir / "hrba.sqlite3") as db:
        return [row[0] for row in db.execute(
            "select id from products where status = 'published' order by id limit ?", (count,))]


class StoreEditor(threading.Thread):
    """Commits edits straight to the store, as fast as it can, noting each one that returned."""

    def __init__(self, data_dir: Path, trial: Trial):
        super().__init__(daemon=True)
        from webapp.app import create_app  # noqa: PLC0415

        self.app = create_app({"HRBA_DATA_DIR": str(data_dir), "TESTING": True})
        self.ids = _product_ids(data_dir)
        self.trial = trial
        self.acknowledged: list[tuple[str, str]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        from catalogue import editing  # noqa: PLC0415

        hub = self.app.extensions["hrba"]
        n = 0
        while not self.halt.is_set():
            product_id, word = self.ids[n % len(self.ids)], _word(self.trial, n)
            product = hub.store.get(product_id)
            editing.save(hub.store, hub.vocabularies, product.with_changes(summary=f"{product.summary} {word}"),
                         "crash-test")
            self.acknowledged.append((product_id, word))
            n += 1
            time.sleep(0.02)

    def finish(self) -> list[tuple[str, str]]:
        self.halt.set()
        self.join()
        self.app.extensions["hrba"].close()
        return self.acknowledged


class FormEditor(threading.Thread):
    """A curator saving edits through the live server's form, noting each acknowledged one."""

    def __init__(self, server: Server, trial: Trial):
        super().__init__(daemon=True)
        self.curator = Curator(server.base, CURATOR, timeout=10).sign_in()
        self.ids = _product_ids(server.data_dir)
        self.trial = trial
        self.acknowledged: list[tuple[str, str]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.halt.is_set():
            product_id, word = self.ids[n % len(self.ids)], _word(self.trial, n)
            n += 1

            def change(fields, word=word):
                summary = next((v for name, v in fields if name == "summary"), "")
                return set_field(fields, "summary", f"{summary} {word}")
            try:
                if self.curator.edit(product_id, change) == 302:
                    self.acknowledged.append((product_id, word))
            except OSError:
                return  # the server is gone: what was acknowledged so far is what counts

    def finish(self) -> list[tuple[str, str]]:
        self.halt.set()
        self.join()
        return self.acknowledged


def _readers(base: str, halt: threading.Event, count: int = 2) -> list[threading.Thread]:
    import requests  # noqa: PLC0415

    def read(n: int) -> None:
        session = requests.Session()
        while not halt.is_set():
            try:
                session.get(f"{base}/api/v1/search", params={"q": ["gender", "children", "water"][n % 3]}, timeout=5)
                session.get(f"{base}/", params={"q": "participation"}, timeout=5)
            except OSError:
                return
            n += 1
    threads = [threading.Thread(target=read, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    return threads


def kill_server(data_dir: Path, trial: Trial, rng: random.Random) -> list[tuple[str, str]]:
    """Kill `hrba serve` while it serves reads and curator writes; return the acknowledged edits."""
    server = Server(data_dir).start()
    halt = threading.Event()
    readers = _readers(server.base, halt)
    editor = FormEditor(server, trial)
    editor.start()
    trial.killed_after_s = rng.uniform(0.3, 3.0)
    time.sleep(trial.killed_after_s)
    server.crash()
    halt.set()
    for reader in readers:
        reader.join()
    return editor.finish()


def kill_process_while_editing(args: list[str], data_dir: Path, trial: Trial, rng: random.Random,
                               latest: float) -> list[tuple[str, str]]:
    """Kill `hrba ARGS` at a random moment of its first `latest` seconds while edits flow."""
    editor = StoreEditor(data_dir, trial)
    editor.start()
    process = start_hrba(args, data_dir)
    trial.killed_after_s = rng.uniform(0.2, latest)
    time.sleep(trial.killed_after_s)
    crash(process)
    return editor.finish()


def kill_import(data_dir: Path, import_file: Path, trial: Trial, rng: random.Random, latest: float) -> None:
    """Kill `hrba import` at a random moment, then run the same import to its end."""
    process = start_hrba(["import", str(import_file)], data_dir)
    trial.killed_after_s = rng.uniform(0.2, latest)
    time.sleep(trial.killed_after_s)
    crash(process)
    _check_database(data_dir, trial)  # before the repeat, as the crash left it
    finished = run_hrba(["import", str(import_file)], data_dir, check=False)
    if finished.returncode == 0:
        trial.acknowledged = IMPORTED  # the repeat ran to its end: all of it is acknowledged
    else:
        trial.problems.append(f"the repeated import failed: {finished.stdout[-300:]}{finished.stderr[-300:]}")


def _check_database(data_dir: Path, trial: Trial) -> None:
    with sqlite3.connect(data_dir / "hrba.sqlite3") as db:
        integrity = db.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            trial.problems.append(f"integrity_check: {integrity[:3]}")
        if keys := db.execute("PRAGMA foreign_key_check").fetchall():
            trial.problems.append(f"foreign_key_check: {keys[:3]}")


def _check_store(data_dir: Path, trial: Trial, acknowledged: list[tuple[str, str]], imported: int) -> None:
    with sqlite3.connect(data_dir / "hrba.sqlite3") as db:
        summaries = dict(db.execute("select id, summary from products"))
        twice = db.execute("select lower(trim(title)), count(*) from products group by 1 having count(*) > 1").fetchall()
        crash_products = db.execute("select count(*) from products where title like 'Crash trial product %'").fetchone()[0]
    lost = [word for product_id, word in acknowledged if word not in (summaries.get(product_id) or "").split()]
    if lost:
        trial.problems.append(f"{len(lost)} acknowledged edits lost, e.g. {lost[:3]}")
    if twice:
        trial.problems.append(f"{len(twice)} titles stored twice, e.g. {twice[:2]}")
    if crash_products != imported:
        trial.problems.append(f"{crash_products} imported products in the store; expected {imported}")


def _check_index(data_dir: Path, trial: Trial) -> None:
    """The outbox alone must bring the index in step; then `hrba check` must agree."""
    from webapp.app import create_app  # noqa: PLC0415

    app = create_app({"HRBA_DATA_DIR": str(data_dir), "TESTING": True})
    hub = app.extensions["hrba"]
    try:
        hub.catch_up()  # what a restarted updater does first
        ix = hub.index.open()
        with ix.searcher() as searcher:
            ids = [fields["id"] for fields in searcher.all_stored_fields()]
        ix.close()
    finally:
        hub.close()
    if len(ids) != len(set(ids)):
        trial.problems.append(f"{len(ids) - len(set(ids))} products indexed twice")
    dry = run_hrba(["check", "--dry-run"], data_dir, check=False)
    trial.drift_before_check = dry.stdout.strip()
    if dry.returncode != 0 or not (found := DRIFT.search(dry.stdout)) or found.groups() != ("0", "0", "0"):
        repaired = run_hrba(["check"], data_dir, check=False)
        again = run_hrba(["check", "--dry-run"], data_dir, check=False)
        if not (found := DRIFT.search(again.stdout)) or found.groups() != ("0", "0", "0"):
            trial.problems.append(f"index differs from the store even after `hrba check`: "
                                  f"{repaired.stdout.strip()} / {again.stdout.strip()}{again.stderr[-300:]}")


def _visible_after_restart(data_dir: Path, trial: Trial, acknowledged: list[tuple[str, str]]) -> None:
    """Start the server again: it must come up and find every acknowledged edit."""
    import requests  # noqa: PLC0415

    with Server(data_dir) as server:
        deadline = time.monotonic() + 10
        waiting = list(acknowledged)
        while waiting and time.monotonic() < deadline:
            waiting = [(product_id, word) for product_id, word in waiting
                       if product_id not in {hit["id"] for hit in requests.get(
                           f"{server.base}/api/v1/search", params={"q": word}, timeout=10).json()["results"]}]
        if waiting:
            trial.problems.append(f"{len(waiting)} acknowledged edits not found by search after the restart")


def run_trial(kind: str, number: int, template: Path, workdir: Path, rng: random.Random,
              timings: dict[str, float]) -> Trial:
    """Run one trial on a fresh copy of `template` and check what the crash left."""
    trial = Trial(kind, number)
    data_dir = workdir / f"{kind}-{number}"
    shutil.copytree(template, data_dir)
    imported = 0
    acknowledged: list[tuple[str, str]] = []
    if kind == "server":
        acknowledged = kill_server(data_dir, trial, rng)
    elif kind == "indexer":
        acknowledged = kill_process_while_editing(["indexer"], data_dir, trial, rng, timings["indexer"])
    elif kind == "reindex":
        acknowledged = kill_process_while_editing(["reindex"], data_dir, trial, rng, timings["reindex"])
    elif kind == "import":
        kill_import(data_dir, workdir / "import.jsonl", trial, rng, timings["import"])
        imported = IMPORTED
    else:
        raise ValueError(f"unknown kind of trial {kind!r}")
    trial.acknowledged = trial.acknowledged or len(acknowledged)
    _check_database(data_dir, trial)
    _check_store(data_dir, trial, acknowledged, imported)
    if kind == "server":
        _visible_after_restart(data_dir, trial, acknowledged)
    _check_index(data_dir, trial)
    shutil.rmtree(data_dir, ignore_errors=True)
    return trial


def measure_timings(template: Path, workdir: Path, kinds: tuple[str, ...] = KINDS) -> dict[str, float]:
    """Time an uninterrupted run of each killed command, so kills land anywhere in it."""
    timings = {"indexer": 3.0}  # it never ends: its start-up and first rounds
    for kind, args in (("import", ["import", str(workdir / "import.jsonl")]), ("reindex", ["reindex"])):
        if kind not in kinds:
            continue
        data_dir = workdir / f"timing-{kind}"
        shutil.copytree(template, data_dir)
        started = time.monotonic()
        run_hrba(args, data_dir)
        timings[kind] = time.monotonic() - started
        shutil.rmtree(data_dir, ignore_errors=True)
    return timings


def run_trials(trials: int, workdir: Path, ready: Path | None = None, seed: int = 8,
               kinds: tuple[str, ...] = KINDS, progress=lambda trial: None) -> list[Trial]:
    """Run `trials` trials of each kind; return them all."""
    rng = random.Random(seed)
    template = prepare_template(workdir, ready)
    timings = measure_timings(template, workdir, kinds)
    done = []
    for kind in kinds:
        for number in range(trials):
            done.append(run_trial(kind, number, template, workdir, rng, timings))
            progress(done[-1])
    return done


def summary_table(trials: list[Trial]) -> str:
    """Return one line per kind: trials, failures, kill moments and acknowledged changes."""
    lines = [f"{'killed':10} {'trials':>6} {'failed':>6} {'kill at (s)':>13} {'acknowledged':>12} "
             f"{'drift before hrba check':>24}"]
    for kind in dict.fromkeys(t.kind for t in trials):
        group = [t for t in trials if t.kind == kind]
        drifted = sum(1 for t in group if not t.drift_before_check.startswith("0 missing, 0 stale, 0 extra"))
        moments = [t.killed_after_s for t in group]
        lines.append(f"{kind:10} {len(group):>6} {sum(not t.ok for t in group):>6} "
                     f"{min(moments):>5.2f}-{max(moments):<6.2f} {sum(t.acknowledged for t in group):>12} "
                     f"{drifted:>17} trials")
    for trial in trials:
        for problem in trial.problems:
            lines.append(f"  {trial.kind} #{trial.number}: {problem}")
    return "\n".join(lines)
