"""The index follows the store through the outbox; drift and damage are found and repaired."""

import pytest

from catalogue.model import Status
from indexer.index import SearchIndex
from indexer.search import SearchRequest, search
from indexer.updates import IndexUpdater, check, rebuild
from tests.conftest import make_product


@pytest.fixture
def setup(store, vocabularies, tmp_path):
    with store.write() as writer:
        writer.add(make_product(id="kept", title="Water and sanitation guide"))
        writer.add(make_product(id="changing", title="Budget analysis handbook"))
    index = SearchIndex(tmp_path / "index")
    rebuild(store, index, vocabularies)
    return store, index, vocabularies


def titles(index, vocabularies, q=""):
    return sorted(h.title for h in search(index, SearchRequest(q=q, per_page=100), vocabularies).hits)


def test_a_rebuild_records_the_outbox_position(setup):
    store, index, _ = setup
    assert index.cursor() == store.last_change() == 2


def test_changes_reach_search_through_the_outbox_without_a_rebuild(setup):
    store, index, vocabularies = setup
    generation = index.current_path()
    with store.write() as writer:
        writer.add(make_product(id="new", title="Indigenous peoples toolkit"))
        changed = writer.get("changing")
        writer.update(changed.with_changes(title="Public budgets and human rights"))
        writer.update(writer.get("kept").with_changes(status=Status.WITHDRAWN))
    updater = IndexUpdater(store, index, vocabularies)
    assert updater.apply_pending() == 3
    assert index.current_path() == generation  # updated in place, not rebuilt
    assert titles(index, vocabularies) == ["Indigenous peoples toolkit", "Public budgets and human rights"]
    assert index.cursor() == store.last_change()
    assert updater.apply_pending() == 0


def test_only_one_updater_per_index(setup):
    store, index, vocabularies = setup
    first, second = (IndexUpdater(store, index, vocabularies) for _ in range(2))
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def test_a_gap_in_the_outbox_holds_the_cursor_until_it_is_old(setup, monkeypatch):
    store, index, vocabularies = setup
    updater = IndexUpdater(store, index, vocabularies)
    assert updater._advance(2, [3, 5, 6]) == 3  # 4 may still be committing
    import indexer.updates as updates
    clock = iter([1000.0, 1000.0 + updates.GAP_PATIENCE_SECONDS + 1])
    monkeypatch.setattr(updates.time, "monotonic", lambda: next(clock))
    fresh = IndexUpdater(store, index, vocabularies)
    assert fresh._advance(3, [5, 6]) == 3
    assert fresh._advance(3, [5, 6]) == 6  # 4 never came: skipped


def test_a_damaged_index_is_rebuilt_by_the_updater_with_nothing_lost(setup):
    store, index, vocabularies = setup
    for toc in index.current_path().glob("*.toc"):
        toc.write_bytes(b"broken")
    IndexUpdater(store, index, vocabularies).run_once()
    assert titles(index, vocabularies) == ["Budget analysis handbook", "Water and sanitation guide"]


def test_check_finds_and_repairs_drift(setup):
    store, index, vocabularies = setup
    with store.write() as writer:  # changes the updater has not applied
        writer.add(make_product(id="missing", title="Missing product"))
        writer.update(writer.get("changing").with_changes(summary="A new summary"))
        writer.update(writer.get("kept").with_changes(status=Status.WITHDRAWN))
    drift = check(store, index, vocabularies, repair=False)
    assert (drift.missing, drift.stale, drift.extra) == (["missing"], ["changing"], ["kept"])
    check(store, index, vocabularies)
    assert check(store, index, vocabularies, repair=False).clean
    assert titles(index, vocabularies) == ["Budget analysis handbook", "Missing product"]


def test_check_rebuilds_a_missing_index(setup):
    store, index, vocabularies = setup
    import shutil
    shutil.rmtree(index.root)
    assert check(store, index, vocabularies).rebuilt
    assert len(titles(index, vocabularies)) == 2


def test_an_index_from_another_schema_version_is_rebuilt(setup):
    store, index, vocabularies = setup
    (index.current_path() / "schema-version").write_text("0")
    assert check(store, index, vocabularies).rebuilt
    assert len(titles(index, vocabularies)) == 2
