"""The store, on SQLite and on PostgreSQL: round trips, updates, transactions, migrations."""

import threading
from datetime import datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import update

from catalogue.errors import ProductNotFound, StoreError
from catalogue.model import LanguageVersion, Link, Provenance, Status
from catalogue.store import HarvestQuery, Store
from catalogue.tables import Base, ProductRow
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


def _at(minute: int, second: int = 0) -> datetime:
    return datetime(2024, 5, 1, 12, minute, second, tzinfo=timezone.utc)


def _stamp(store: Store, stamps: dict[str, datetime]) -> None:
    """Set `last_changed` by hand (the writer always stamps the current time)."""
    with store.write() as writer:
        for product_id, when in stamps.items():
            writer.session.execute(update(ProductRow).where(ProductRow.id == product_id)
                                   .values(last_changed=when))


@pytest.fixture
def harvestable(store):
    """Six products: four published or withdrawn with known datestamps, a draft, a pending one."""
    with store.write() as writer:
        writer.add(make_product(id="b-report", type="report-study", agencies=("unicef",)))
        writer.add(make_product(id="a-guide", agencies=("ohchr",), themes=("health",)))
        writer.add(make_product(id="c-gone", status=Status.WITHDRAWN, agencies=("undp",)))
        writer.add(make_product(id="d-later", languages=("ar",), agencies=()))
        writer.add(make_product(id="draft", status=Status.DRAFT, agencies=("who",)))
        writer.add(make_product(id="pending", status=Status.PENDING_REVIEW, type="toolkit"))
    _stamp(store, {"b-report": _at(0), "a-guide": _at(0), "c-gone": _at(1),
                   "d-later": _at(2, 30), "draft": _at(0), "pending": _at(0)})
    return store


def test_harvest_pages_by_datestamp_then_id_without_drafts(harvestable):
    first = harvestable.harvest(HarvestQuery(), limit=3)
    assert [p.id for p in first] == ["a-guide", "b-report", "c-gone"]
    last = first[-1]
    rest = harvestable.harvest(HarvestQuery(), after=(last.provenance.last_changed, last.id), limit=3)
    assert [p.id for p in rest] == ["d-later"]
    # Ties on the datestamp are broken by id, so a page may end between them.
    after_a = harvestable.harvest(HarvestQuery(), after=(_at(0), "a-guide"))
    assert [p.id for p in after_a] == ["b-report", "c-gone", "d-later"]
    assert harvestable.harvest_count(HarvestQuery()) == 4
    assert harvestable.get("c-gone").status is Status.WITHDRAWN


@pytest.mark.parametrize("since, until, expected", [
    (_at(0), _at(0), ["a-guide", "b-report"]),           # both bounds inclusive
    (_at(0, 1), None, ["c-gone", "d-later"]),
    (None, _at(2), ["a-guide", "b-report", "c-gone"]),
    (_at(2, 30), _at(2, 30), ["d-later"]),
    (_at(3), None, []),
])
def test_harvest_narrows_by_datestamp_range(harvestable, since, until, expected):
    query = HarvestQuery(since=since, until=until)
    assert [p.id for p in harvestable.harvest(query)] == expected
    assert harvestable.harvest_count(query) == len(expected)


@pytest.mark.parametrize("kind, value, expected", [
    ("agencies", "ohchr", ["a-guide"]),
    ("agencies", "undp", ["c-gone"]),
    ("agencies", "who", []),                              # only a draft has it
    ("agencies", None, ["a-guide", "b-report", "c-gone"]),  # any agency at all
    ("themes", "health", ["a-guide"]),
    ("languages", "ar", ["d-later"]),
    ("type", "report-study", ["b-report"]),
    ("type", None, ["a-guide", "b-report", "c-gone", "d-later"]),
])
def test_harvest_narrows_by_tag_or_type(harvestable, kind, value, expected):
    query = HarvestQuery(kind=kind, value=value)
    assert [p.id for p in harvestable.harvest(query)] == expected
    assert harvestable.harvest_count(query) == len(expected)


def test_earliest_change_and_harvested_tags_ignore_drafts(harvestable):
    _stamp(harvestable, {"draft": _at(0).replace(hour=1)})
    assert harvestable.earliest_change() == _at(0)
    tags = harvestable.harvested_tags()
    assert tags["agencies"] == {"ohchr", "unicef", "undp"}
    assert tags["type"] == {"guidance", "report-study"}
    assert "toolkit" not in tags["type"] and "who" not in tags["agencies"]


def test_an_empty_catalogue_has_no_earliest_change(store):
    assert store.earliest_change() is None
    assert store.harvest(HarvestQuery()) == []


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
