"""The store, on SQLite and on PostgreSQL: round trips, updates, transactions, migrations."""

import threading
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from catalogue.errors import ProductNotFound, StoreError
from catalogue.model import LanguageVersion, Link, Provenance, Status
from catalogue.store import Store
from catalogue.tables import Base
from tests.conftest import make_product


def test_a_product_round_trips_with_every_field(store):
    product = make_product(
        links=(Link("https://example.org/annex.pdf", "Annex"),),
        versions=(LanguageVersion("fr", "Guide de l'approche", "https://example.org/fr", "Résumé",
                                  "https://example.org/source"),),
        full_text="Full text in UTF-8: حقوق الإنسان, 人权, права человека.",
        provenance=Provenance(source_url="https://example.org/src", importer="test"))
    with store.write() as writer:
        writer.add(product)
    stored = store.get(product.id)
    assert stored.with_changes(provenance=product.provenance) == product
    assert stored.provenance.importer == "test"
    assert isinstance(stored.provenance.first_seen, datetime)
    assert stored.provenance.first_seen.tzinfo is not None


def test_tag_order_is_kept(store):
    with store.write() as writer:
        writer.add(make_product(agencies=("unicef", "ohchr", "undp")))
    assert store.get("hrba-guide").agencies == ("unicef", "ohchr", "undp")


def test_update_replaces_tags_and_versions_and_stamps_last_changed(store):
    with store.write() as writer:
        first = writer.add(make_product(versions=(LanguageVersion("fr", "Guide"),)))
    changed = first.with_changes(themes=("health",), agencies=("who",),
                                 versions=(LanguageVersion("es", "Guía"),), title="New title")
    with store.write() as writer:
        writer.update(changed)
    stored = store.get(first.id)
    assert (stored.title, stored.themes, stored.agencies) == ("New title", ("health",), ("who",))
    assert [v.language for v in stored.versions] == ["es"]
    assert stored.provenance.last_changed >= first.provenance.last_changed
    assert stored.provenance.first_seen == first.provenance.first_seen


def test_missing_products_raise_product_not_found(store):
    with pytest.raises(ProductNotFound):
        store.get("nothing-here")
    with pytest.raises(ProductNotFound), store.write() as writer:
        writer.update(make_product(id="nothing-here"))


def test_adding_an_existing_id_is_refused(store):
    with store.write() as writer:
        writer.add(make_product())
    with pytest.raises(StoreError, match="already exists"), store.write() as writer:
        writer.add(make_product())


def test_a_failed_transaction_leaves_nothing_behind(store):
    with pytest.raises(RuntimeError), store.write() as writer:
        writer.add(make_product(id="one"))
        raise RuntimeError("boom")
    assert store.count() == 0


def test_a_failed_savepoint_undoes_only_its_own_work(store):
    with store.write() as writer:
        writer.add(make_product(id="kept"))
        with pytest.raises(StoreError), writer.savepoint():
            writer.add(make_product(id="kept"))
    assert store.count() == 1


def test_count_and_iteration_by_status(store):
    with store.write() as writer:
        for n in range(7):
            status = Status.PUBLISHED if n % 2 == 0 else Status.PENDING_REVIEW
            writer.add(make_product(id=f"p{n}", status=status))
    assert store.count() == 7
    assert store.count(Status.PUBLISHED) == 4
    ids = [p.id for p in store.iter_products(Status.PUBLISHED, batch_size=2)]
    assert ids == ["p0", "p2", "p4", "p6"]
    assert len(list(store.iter_products(batch_size=3))) == 7


def test_free_id_skips_taken_ids(store):
    with store.write() as writer:
        writer.add(make_product(id="guide"))
        writer.add(make_product(id="guide-2"))
        assert writer.free_id("guide") == "guide-3"


def test_migrations_create_exactly_the_model(store):
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(store):
    store.upgrade()
    assert store.count() == 0


def test_concurrent_read_modify_write_loses_no_update(store):
    """Two writers each add 1 to a product's year 40 times: all 80 increments land."""
    with store.write() as writer:
        writer.add(make_product(year=1950))
    failures = []

    def bump():
        try:
            for _ in range(40):
                with store.write() as writer:
                    current = writer.get("hrba-guide", for_update=True)
                    writer.update(current.with_changes(year=current.year + 1))
        except Exception as exc:  # recorded, then asserted below
            failures.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert store.get("hrba-guide").year == 2030


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_store):
    with sqlite_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_a_bad_database_url_is_a_store_error():
    with pytest.raises(StoreError):
        Store("nosuchdialect://x")
