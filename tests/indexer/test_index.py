"""The index on disk: built from products, swapped in atomically, damage detected."""

import pytest

from catalogue.model import LanguageVersion
from indexer.documents import document_for
from indexer.errors import IndexUnavailableError
from indexer.index import POINTER, SearchIndex
from tests.conftest import make_product


def test_a_missing_index_is_unavailable(tmp_path):
    index = SearchIndex(tmp_path / "index")
    assert not index.exists()
    with pytest.raises(IndexUnavailableError, match="not been built"):
        index.open()


def test_rebuild_makes_a_generation_and_points_at_it(tmp_path, vocabularies):
    index = SearchIndex(tmp_path / "index")
    report = index.rebuild([make_product(id=f"p{n}") for n in range(5)], vocabularies)
    assert report.documents == 5
    assert index.current_path() == report.path
    assert (tmp_path / "index" / POINTER).read_text().strip() == report.path.name
    assert index.doc_count() == 5


def test_rebuilds_swap_and_keep_only_two_generations(tmp_path, vocabularies):
    index = SearchIndex(tmp_path / "index")
    paths = [index.rebuild([make_product(id=f"p{n}") for n in range(k)], vocabularies).path
             for k in (1, 2, 3)]
    assert index.doc_count() == 3
    survivors = sorted(p.name for p in (tmp_path / "index").glob("gen-*"))
    assert survivors == sorted([paths[1].name, paths[2].name])


def test_a_failed_rebuild_leaves_the_live_index_alone(tmp_path, vocabularies):
    index = SearchIndex(tmp_path / "index")
    index.rebuild([make_product()], vocabularies)

    def exploding():
        yield make_product(id="a")
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError):
        index.rebuild(exploding(), vocabularies)
    assert index.doc_count() == 1
    assert len(list((tmp_path / "index").glob("gen-*"))) == 1


def test_a_damaged_index_is_reported_as_unavailable(tmp_path, vocabularies):
    index = SearchIndex(tmp_path / "index")
    path = index.rebuild([make_product()], vocabularies).path
    for toc in path.glob("*.toc"):
        toc.write_bytes(b"\x00garbage")
    with pytest.raises(IndexUnavailableError, match="damaged"):
        index.doc_count()


def test_documents_carry_tag_labels_in_six_languages(vocabularies):
    doc = document_for(make_product(themes=("gender-equality",), agencies=("ohchr",),
                                    versions=(LanguageVersion("es", "Guía práctica"),)), vocabularies)
    for word in ("Gender equality", "Égalité des sexes", "Igualdad de género", "HCDH",
                 "Office of the United Nations High Commissioner for Human Rights"):
        assert word in doc["tags"]
    assert "Guía práctica" in doc["title_es"]  # each version in its own language's field
    assert doc["un_system"] == "true"
    assert doc["agency"] == "ohchr"
