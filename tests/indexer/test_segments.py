"""Per-segment reads kept across generations equal Whoosh's generation-wide reads, and a
commit makes only the new segment be read again."""

import dataclasses

import numpy as np
import pytest

from indexer import segments
from indexer.documents import document_for
from indexer.facets import _column, _facet_documents, _facet_documents_whole, index_view
from indexer.index import SearchIndex
from indexer.schema import FACET_FIELDS
from indexer.search import SearchRequest, search
from indexer.vectors import _read_postings
from tests.indexer.test_query import CATALOGUE

TERMS = [("title_en", "right"), ("exact_text", "health"), ("tags", "ohchr"), ("exact_text", "rights"),
         ("title_en", "water"), ("exact_text", "editedword"), ("exact_text", "absent"),
         ("id", "water"), ("text_fr", "droit")]


@pytest.fixture
def edited(tmp_path, vocabularies):
    """An index of several segments with deleted documents: rebuilt, then edited three
    times and one product deleted, each a commit of its own."""
    index = SearchIndex(tmp_path / "index")
    index.rebuild(CATALOGUE, vocabularies)
    for number, product in enumerate(CATALOGUE[:3]):
        changed = dataclasses.replace(product, summary=f"{product.summary} editedword{number} editedword")
        index.apply([document_for(changed, vocabularies)], [], number + 1)
    index.apply([], ["ngo"], 4)
    return index


def test_an_edited_index_has_several_segments_and_deletions(edited):
    with edited.searcher() as (searcher, _):
        reader = searcher.reader()
        assert len(reader.leaf_readers()) > 1
        assert reader.doc_count_all() > reader.doc_count()


def test_postings_put_together_from_segments_equal_whoosh_postings(edited):
    with edited.searcher() as (searcher, key):
        reader = searcher.reader()
        view = index_view(searcher, key)
        for field, text in TERMS:
            ids, weights = view.postings.term(reader, field, text)
            expected_ids, expected_weights = _read_postings(reader, field, text)
            assert ids.tolist() == expected_ids.tolist(), (field, text)
            assert weights.tolist() == expected_weights.tolist(), (field, text)
            assert segments.doc_frequency(reader, field, text) == reader.doc_frequency(field, text)


def test_the_view_put_together_from_segments_equals_the_whole_reading(edited):
    with edited.searcher() as (searcher, key):
        reader = searcher.reader()
        size = reader.doc_count_all()
        live = index_view(searcher, key).live_flags
        for field in FACET_FIELDS.values():
            by_segment = {v: (flags & live).tolist() for v, flags in _facet_documents(reader, field, size).items()}
            whole = {v: (flags & live).tolist() for v, flags in _facet_documents_whole(reader, field, size).items()}
            assert {v: f for v, f in by_segment.items() if any(f)} == {v: f for v, f in whole.items() if any(f)}
        column = reader.column_reader("title_sort")
        expected = [column[d].decode("utf-8") if isinstance(column[d], bytes) else column[d] for d in range(size)]
        assert _column(reader, "title_sort", size, object, "").tolist() == expected


def test_a_commit_reads_only_its_new_segment_again(edited, vocabularies, monkeypatch):
    search(edited, SearchRequest(q="health rights"), vocabularies)  # every segment read once
    before = _segment_ids(edited)
    reads = []
    original = segments.raw_postings
    monkeypatch.setattr(segments, "raw_postings", lambda leaf, f, t: reads.append(leaf) or original(leaf, f, t))
    product = dataclasses.replace(CATALOGUE[4], summary="Fact sheet on health, edited again.")
    edited.apply([document_for(product, vocabularies)], [], 5)
    found = search(edited, SearchRequest(q="health rights"), vocabularies)
    assert [hit.id for hit in found.hits][:1] == ["health"]
    read_again = {leaf.segment().segment_id() for leaf in reads}
    assert read_again, "the new segment was not read"
    assert not read_again & before, "segments the commit left unchanged were read again"


def _segment_ids(index) -> set:
    with index.searcher() as (searcher, _):
        return {leaf.segment().segment_id() for leaf, _ in searcher.reader().leaf_readers()}


def test_deleted_documents_never_match(edited, vocabularies):
    found = search(edited, SearchRequest(q="budget"), vocabularies)
    assert "ngo" not in [hit.id for hit in found.hits]
    found = search(edited, SearchRequest(q="editedword"), vocabularies)
    assert sorted(hit.id for hit in found.hits) == sorted(p.id for p in CATALOGUE[:3])
    assert found.total == 3 and np.isfinite([hit.score or 0 for hit in found.hits]).all()
