"""Backups: every row of every table comes back, on SQLite and PostgreSQL alike; damaged
archives and occupied databases are refused with nothing written."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from catalogue import accounts, backups, reports, search_misses, throttle
from catalogue.errors import BackupError
from catalogue.model import LanguageVersion, Link, Status
from catalogue.store import Store, as_utc
from catalogue.tables import Base
from tests.conftest import make_product


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_store(request, tmp_path) -> Store:
    """An empty database (no schema) to restore into, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_server")()
    store = Store(url)
    yield store
    store.close()


def fill(store: Store) -> None:
    """Something in every kind of table: products in each state, accounts, reports..."""
    with store.write() as writer:
        writer.add(make_product(
            versions=(LanguageVersion("fr", "Guide de l'approche fondée sur les droits", "https://example.org/fr.pdf",
                                      "Résumé", "https://example.org/source"),),
            links=(Link("https://example.org/annex.pdf", "Annex"),), full_text="Text with ünïcode and 中文."))
        writer.add(make_product(id="draft", title="A draft", status=Status.DRAFT, agencies=("unicef",)))
        withdrawn = writer.add(make_product(id="old", title="An old guide", year=1999))
    with store.write() as writer:
        writer.update(withdrawn.with_changes(status=Status.WITHDRAWN, replaced_by="hrba-guide"), action="withdraw")
    accounts.create_account(store, "curator@example.org", "$argon2id$not-a-real-hash", "curator")
    reports.add_report(store, "hrba-guide", "broken_link", "The French link is broken", "a@example.org", "fr")
    search_misses.record_miss(store, "indigenous peoples in the arctic")
    throttle.record_event(store, "login-address:192.0.2.1")


def rows(store: Store) -> dict[str, list[dict]]:
    """Every row of every table, in key order, with times in UTC."""
    def plain(value):
        return as_utc(value).astimezone(timezone.utc) if isinstance(value, datetime) else value

    found = {}
    with store.read() as session:
        for table in Base.metadata.sorted_tables:
            result = session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            found[table.name] = [{k: plain(v) for k, v in row.items()} for row in result]
    return found


def test_a_restore_brings_back_every_row_of_every_table(store, empty_store, tmp_path):
    fill(store)
    report = backups.backup(store, tmp_path / "backup.zip")
    assert report.products == 3 and report.rows["products"] == 3 and report.rows["users"] == 1
    restored = backups.restore(empty_store, tmp_path / "backup.zip")
    assert restored.products == 3 and restored.revision == restored.upgraded_to == report.revision
    assert rows(empty_store) == rows(store)
    assert {p.id: p for p in empty_store.iter_products()} == {p.id: p for p in store.iter_products()}


def test_a_restored_store_keeps_numbering_changes_after_the_restored_ones(store, empty_store, tmp_path):
    fill(store)
    backups.backup(store, tmp_path / "backup.zip")
    backups.restore(empty_store, tmp_path / "backup.zip")
    last = empty_store.last_change()
    with empty_store.write() as writer:
        writer.touch("hrba-guide")
    assert empty_store.changes_after(last) == [(last + 1, "hrba-guide")]
    assert accounts.create_account(empty_store, "new@example.org", "$argon2id$x", "admin").id == 2


def test_a_backup_never_replaces_a_file(sqlite_store, tmp_path):
    (tmp_path / "backup.zip").write_text("precious")
    with pytest.raises(BackupError, match="already exists"):
        backups.backup(sqlite_store, tmp_path / "backup.zip")
    assert (tmp_path / "backup.zip").read_text() == "precious"


def test_a_database_that_holds_a_catalogue_is_replaced_only_when_forced(sqlite_store, tmp_path):
    fill(sqlite_store)
    backups.backup(sqlite_store, tmp_path / "backup.zip")
    with sqlite_store.write() as writer:
        writer.add(make_product(id="after-the-backup", title="Added after the backup"))
    with pytest.raises(BackupError, match=r"already holds a catalogue \(4 products\).*--force"):
        backups.restore(sqlite_store, tmp_path / "backup.zip")
    assert sqlite_store.count() == 4
    backups.restore(sqlite_store, tmp_path / "backup.zip", force=True)
    assert sorted(p.id for p in sqlite_store.iter_products()) == ["draft", "hrba-guide", "old"]


def test_an_empty_schema_counts_as_an_empty_database(sqlite_store, tmp_path):
    source = Store(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    source.upgrade()
    fill(source)
    backups.backup(source, tmp_path / "backup.zip")
    backups.restore(sqlite_store, tmp_path / "backup.zip")  # migrated, but holds nothing
    assert sqlite_store.count() == 3
    source.close()


def _rewrite(source, target, change):
    """Copy a zip archive, passing each member's name and bytes through `change`."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)


def _truncated(path, target):
    target.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flipped(path, target):
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    target.write_bytes(bytes(data))


def _edited_row(path, target):
    _rewrite(path, target, lambda name, data: data.replace(b"An old guide", b"A new guide")
             if name == "tables/products.jsonl" else data)


def _dropped_manifest(path, target):
    _rewrite(path, target, lambda name, data: None if name == "manifest.json" else data)


def _future_revision(path, target):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["revision"] = "9999"
        return json.dumps(manifest)
    _rewrite(path, target, change)


@pytest.mark.parametrize("damage, message", [
    (_truncated, "not a readable backup archive"),
    (_flipped, "not a readable backup archive|checksum mismatch"),
    (_edited_row, "tables/products.jsonl: checksum mismatch"),
    (_dropped_manifest, "no manifest.json: not a catalogue backup"),
    (_future_revision, "revision 9999, which this version of the catalogue does not know"),
], ids=["truncated", "flipped-byte", "edited-row", "no-manifest", "future-revision"])
def test_a_damaged_archive_is_refused_and_nothing_is_written(sqlite_store, empty_store, tmp_path, damage, message):
    fill(sqlite_store)
    backups.backup(sqlite_store, tmp_path / "backup.zip")
    damage(tmp_path / "backup.zip", tmp_path / "damaged.zip")
    with pytest.raises(BackupError, match=message):
        backups.restore(empty_store, tmp_path / "damaged.zip")
    with empty_store.engine.connect() as connection:
        assert inspect(connection).get_table_names() == []


def test_a_product_that_does_not_match_its_checksum_undoes_the_whole_restore(sqlite_store, tmp_path):
    fill(sqlite_store)
    backups.backup(sqlite_store, tmp_path / "backup.zip")

    def change(name, data):  # a row changed, and the manifest made to agree with it
        if name == "tables/products.jsonl":
            return data.replace(b"An old guide", b"A new guide")
        if name == "manifest.json":
            manifest = json.loads(data)
            products = next(t for t in manifest["tables"] if t["table"] == "products")
            with zipfile.ZipFile(tmp_path / "backup.zip") as archive:
                edited = archive.read("tables/products.jsonl").replace(b"An old guide", b"A new guide")
            products["sha256"] = hashlib.sha256(edited).hexdigest()
            return json.dumps(manifest)
        return data

    _rewrite(tmp_path / "backup.zip", tmp_path / "forged.zip", change)
    target = Store(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    with pytest.raises(BackupError, match="product 'old' does not match its checksum"):
        backups.restore(target, tmp_path / "forged.zip")
    with target.engine.connect() as connection:
        assert inspect(connection).get_table_names() == []
    target.close()


def test_a_product_checksum_changes_with_any_field_and_ignores_the_time_zone():
    product = make_product()
    assert backups.product_checksum(product) == backups.product_checksum(make_product())
    for changed in (product.with_changes(title=product.title + " "), product.with_changes(themes=("participation",)),
                    product.with_changes(status=Status.DRAFT),
                    product.with_changes(versions=(LanguageVersion("fr", "Guide"),))):
        assert backups.product_checksum(changed) != backups.product_checksum(product)
    when = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    stamped = product.with_changes(provenance=product.provenance.__class__(first_seen=when))
    shifted = product.with_changes(provenance=product.provenance.__class__(
        first_seen=when.astimezone(timezone(timedelta(hours=3)))))
    assert backups.product_checksum(stamped) == backups.product_checksum(shifted)
