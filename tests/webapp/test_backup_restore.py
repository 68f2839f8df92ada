"""`hrba backup` while `hrba serve` serves and a writer keeps adding and editing products,
then `hrba restore` into a fresh data directory (SQLite, or PostgreSQL): the restored
catalogue is the store exactly as it was at one instant during the backup."""

from __future__ import annotations

import json
import random
import shutil
import threading
import urllib.request
import zipfile

import pytest

from catalogue.backups import product_checksum
from catalogue.model import LanguageVersion, Link, Product, Status
from catalogue.store import Store
from tests.conftest import hrba, make_product, served
from webapp import create_app

HEADSTART = 20  # commits before the backup starts, and after it ends


class Writer(threading.Thread):
    """Adds and edits products through the store until stopped, keeping each committed state."""

    def __init__(self, store: Store, editable: list[str]):
        super().__init__(daemon=True)
        self.store, self.editable = store, list(editable)
        self.committed: list[Product] = []
        self.stop, self.error = threading.Event(), None
        self._progress = threading.Condition()

    def run(self):
        rng = random.Random(8)
        try:
            for n in range(1, 1_000_000):
                if self.stop.is_set():
                    return
                with self.store.write() as writer:
                    if n % 3 == 1:
                        stored = writer.add(make_product(id=f"load-{n}", title=f"Load product {n}"))
                        self.editable.append(stored.id)
                    else:
                        stored = writer.update(self._edit(writer.get(rng.choice(self.editable)), n, rng))
                with self._progress:  # read back after the commit: what any reader now sees
                    self.committed.append(self.store.get(stored.id))
                    self._progress.notify_all()
        except Exception as exc:  # reported by wait_for and by the test
            self.error = exc

    @staticmethod
    def _edit(product: Product, n: int, rng: random.Random) -> Product:
        """Change the product in several tables at once (its row, its tags, its versions)."""
        return product.with_changes(
            title=f"{product.title.split(' / edit')[0]} / edit {n}", summary=f"Summary of edit {n}",
            themes=tuple(rng.sample(["participation", "accountability", "gender-equality", "health"], 2)),
            versions=(LanguageVersion("fr", f"Version française {n}", f"https://example.org/{n}/fr"),),
            links=(Link(f"https://example.org/{n}/annex", f"Annex {n}"),),
            status=Status.WITHDRAWN if n % 7 == 0 else Status.PUBLISHED)

    def wait_for(self, count: int) -> int:
        with self._progress:
            self._progress.wait_for(lambda: len(self.committed) >= count or self.error, timeout=120)
            assert self.error is None, self.error
            assert len(self.committed) >= count, "the writer stalled"
            return len(self.committed)


def snapshot_point(initial: dict[str, Product], committed: list[Product], restored: dict[str, Product]) -> int | None:
    """Return k such that `restored` is the store after exactly the first k commits, if any."""
    state = dict(initial)
    differing = {i for i in set(state) | set(restored) if state.get(i) != restored.get(i)}
    for k, product in enumerate(committed, 1):
        if not differing:
            return k - 1
        state[product.id] = product
        (differing.discard if restored.get(product.id) == product else differing.add)(product.id)
    return len(committed) if not differing else None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def target_settings(request) -> dict[str, str]:
    """Where the restore goes: the new data directory's SQLite, or an empty PostgreSQL database."""
    if request.param == "sqlite":
        return {}
    return {"HRBA_DATABASE_URL": request.getfixturevalue("postgres_server")()}


def test_a_backup_taken_under_writes_restores_the_store_as_it_was_at_one_instant(
        ready_data_dir, tmp_path, target_settings):
    data_dir = tmp_path / "live"
    shutil.copytree(ready_data_dir, data_dir)
    store = Store(f"sqlite:///{data_dir / 'hrba.sqlite3'}")
    initial = {p.id: p for p in store.iter_products()}
    writer = Writer(store, sorted(initial)[:50])
    with served(data_dir) as base:
        writer.start()
        try:
            started = writer.wait_for(HEADSTART)
            backup = hrba("backup", str(tmp_path / "backup.zip"), data_dir=data_dir)
            finished = writer.wait_for(0)
            writer.wait_for(finished + HEADSTART)
            with urllib.request.urlopen(base + "/healthz") as response:  # served all along
                assert response.status == 200
        finally:
            writer.stop.set()
            writer.join(timeout=60)
    store.close()
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.startswith("Backed up ") and "to " + str(tmp_path / "backup.zip") in backup.stdout

    restored_dir = tmp_path / "restored"
    restore = hrba("restore", str(tmp_path / "backup.zip"), data_dir=restored_dir, settings=target_settings)
    assert restore.returncode == 0, restore.stderr
    url = target_settings.get("HRBA_DATABASE_URL", f"sqlite:///{restored_dir / 'hrba.sqlite3'}")
    restored_store = Store(url)
    restored = {p.id: p for p in restored_store.iter_products()}
    restored_store.close()

    k = snapshot_point(initial, writer.committed, restored)
    assert k is not None, "the restored catalogue is not the store as it was after any commit"
    assert started <= k <= finished  # the snapshot was taken while the backup ran, under writes
    print(f"backup snapshot after commit {k} of {len(writer.committed)} (backup ran from {started} to {finished})")
    with zipfile.ZipFile(tmp_path / "backup.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        checksums = dict(json.loads(line).values() for line in archive.read("product-checksums.jsonl").splitlines())
    assert checksums == {i: product_checksum(p) for i, p in restored.items()}
    assert manifest["products"] == len(restored) > len(initial)
    published = sum(p.status is Status.PUBLISHED for p in restored.values())
    assert f"Search index rebuilt with {published} products." in restore.stdout

    app = create_app({"HRBA_DATA_DIR": str(restored_dir), "TESTING": True, **target_settings})
    try:
        answer = app.test_client().get("/readyz")
        assert answer.status_code == 200 and answer.get_json()["indexed"] == published
    finally:
        app.extensions["hrba"].close()


def test_restore_refuses_a_damaged_archive_from_the_command_line(ready_data_dir, tmp_path):
    made = hrba("backup", str(tmp_path), data_dir=ready_data_dir)
    assert made.returncode == 0, made.stderr
    archive = next(tmp_path.glob("hrba-*.zip"))
    archive.write_bytes(archive.read_bytes()[:-200])
    refused = hrba("restore", str(archive), data_dir=tmp_path / "restored")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: ") and "not a readable backup archive" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (tmp_path / "restored" / "index").exists()
