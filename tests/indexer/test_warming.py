"""A serving process moves its searches to a new index generation only once the warmer has
readied it: its view built and the latest searches' words read against it."""

import pytest

from indexer import facets
from indexer.index import SearchIndex
from indexer.search import SearchRequest, search
from indexer.updates import IndexUpdater, rebuild
from indexer.warming import Warmer
from tests.conftest import make_product


@pytest.fixture
def setup(sqlite_store, vocabularies, tmp_path):
    store = sqlite_store
    with store.write() as writer:
        writer.add(make_product(id="water", title="Water and sanitation guide"))
        writer.add(make_product(id="budget", title="Budget analysis handbook"))
    index = SearchIndex(tmp_path / "index")
    rebuild(store, index, vocabularies)
    warmer = Warmer(index, lambda: vocabularies)
    yield store, index, vocabularies, warmer
    warmer.stop()


def found(index, vocabularies, q):
    return sorted(hit.id for hit in search(index, SearchRequest(q=q), vocabularies).hits)


def add_and_apply(store, index, vocabularies, product):
    with store.write() as writer:
        writer.add(product)
    assert IndexUpdater(store, index, vocabularies).apply_pending() == 1


def test_searches_stay_on_their_generation_until_the_warmer_has_readied_the_next(setup):
    store, index, vocabularies, warmer = setup
    warmer.start()  # readies the live generation, and sets itself on the index
    assert index.warmer is warmer
    assert found(index, vocabularies, "toolkit") == []
    with index.searcher() as (_, before):
        assert warmer.ready == before
    warmer._stop.set()  # no background rounds: this test turns the handle itself
    warmer._thread.join(5)

    add_and_apply(store, index, vocabularies, make_product(id="toolkit", title="Indigenous peoples toolkit"))
    # A new generation is on disk, but not readied: this thread keeps searching its own.
    assert found(index, vocabularies, "toolkit") == []
    with index.searcher() as (_, key):
        assert key == before

    assert warmer.warm_once()  # readies the new generation...
    new = warmer.ready
    assert new != before and new in facets._views  # ...its view built before any search asks
    view = facets._views[new]
    assert ("toolkit", True) in view.parses  # and the latest searches' words read against it
    assert found(index, vocabularies, "toolkit") == ["toolkit"]  # now searches move over
    assert not warmer.warm_once()  # nothing newer


def test_without_a_warmer_searches_move_at_once(setup):
    store, index, vocabularies, _ = setup
    assert index.warmer is None
    assert found(index, vocabularies, "toolkit") == []
    add_and_apply(store, index, vocabularies, make_product(id="toolkit", title="Indigenous peoples toolkit"))
    assert found(index, vocabularies, "toolkit") == ["toolkit"]


def test_the_background_warmer_brings_a_change_to_search_within_a_second(setup):
    import time

    store, index, vocabularies, warmer = setup
    warmer.start()
    assert found(index, vocabularies, "toolkit") == []
    add_and_apply(store, index, vocabularies, make_product(id="toolkit", title="Indigenous peoples toolkit"))
    deadline = time.monotonic() + 1.0
    while found(index, vocabularies, "toolkit") != ["toolkit"]:
        assert time.monotonic() < deadline, "the warmer did not ready the new generation within 1 s"
        time.sleep(0.02)


def test_a_generation_the_warmer_cannot_read_is_left_to_the_searches(setup):
    store, index, vocabularies, warmer = setup
    warmer.start()
    warmer._stop.set()
    warmer._thread.join(5)
    readied = warmer.ready
    for toc in index.current_path().glob("*.toc"):
        toc.write_bytes(b"broken")
    assert warmer.warm_once()
    assert warmer.has_moved_past(readied)  # searches reopen, and report the damage themselves
    from indexer.errors import IndexUnavailableError
    with pytest.raises(IndexUnavailableError):
        search(index, SearchRequest(q="water"), vocabularies)
