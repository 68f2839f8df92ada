"""The vector scorer matches exactly the documents Whoosh's own matchers match."""

import numpy as np
import pytest
from whoosh.query import And, Or, Term

from indexer.index import SearchIndex
from indexer.facets import index_view
from indexer.ranking import TIEBREAK, BestOf
from indexer.vectors import VectorScorer, _field_lengths
from tests.indexer.test_query import CATALOGUE


@pytest.fixture(scope="module")
def index(tmp_path_factory, vocabularies):
    index = SearchIndex(tmp_path_factory.mktemp("v"))
    index.rebuild(CATALOGUE, vocabularies)
    return index


QUERIES = [
    Term("title_en", "right"),
    BestOf([Term("title_en", "right"), Term("exact_text", "health"), Term("tags", "ohchr")]),
    And([Term("exact_title", "right"), Term("exact_text", "health")]),
    Or([Term("title_en", "water"), BestOf([Term("tags", "unicef"), Term("title_en", "budget")])]),
    Term("title_en", "absent-term"),
]


@pytest.mark.parametrize("query", QUERIES, ids=str)
def test_vector_matches_equal_whoosh_matches(index, query):
    with index.searcher() as (searcher, generation):
        view = index_view(searcher, generation)
        scores, matches = VectorScorer(searcher, view.postings, view.live_flags).evaluate(query)
        expected = set(searcher.docs_for_query(query))
    assert set(np.flatnonzero(matches)) == expected
    assert (scores[matches] > 0).all() and (scores[~matches] == 0).all()


def test_best_of_scores_the_best_alternative_plus_a_share(index):
    a, b = Term("title_en", "right"), Term("exact_text", "health")
    with index.searcher() as (searcher, generation):
        view = index_view(searcher, generation)
        scorer = VectorScorer(searcher, view.postings, view.live_flags)
        best, _ = scorer.evaluate(BestOf([a, b]))
        sa, _ = scorer.evaluate(a)
        sb, _ = scorer.evaluate(b)
    both = (sa > 0) & (sb > 0)
    assert both.any()
    expected = np.maximum(sa, sb) + TIEBREAK * np.minimum(sa, sb)
    assert np.allclose(best[both], expected[both])


def test_field_lengths_read_whole_equal_lengths_read_one_by_one(index):
    with index.searcher() as (searcher, _):
        reader = searcher.reader()
        size = reader.doc_count_all()
        for field in ("title_en", "exact_text", "tags"):
            one_by_one = [reader.doc_field_length(d, field) or 0 for d in range(size)]
            assert _field_lengths(reader, field, size).tolist() == one_by_one
