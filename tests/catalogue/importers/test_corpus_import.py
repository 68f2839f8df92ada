"""Importing the corpus format: every good line kept, every bad line reported, idempotent."""

import json

import pytest

from catalogue.errors import ImportFileError
from catalogue.importers.corpus import CorpusImporter
from catalogue.model import Status
from tests.conftest import CORPUS

GOOD = {"title": "Rights-Based Monitoring: A Handbook", "agencies": ["UNDP"], "year": 2012,
        "type": "Manual/Handbook", "languages": ["en", "fr"], "themes": ["Monitoring and evaluation"],
        "regions": ["Global"], "url": "https://example.org/handbook.pdf",
        "summary": "A handbook.", "source": "https://example.org/about"}


def write_lines(path, lines):
    path.write_text("\n".join(l if isinstance(l, str) else json.dumps(l, ensure_ascii=False)
                              for l in lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def importer(store, vocabularies):
    return CorpusImporter(store, vocabularies)


def test_the_shipped_corpus_imports_whole(importer, store):
    report = importer.run(CORPUS)
    assert report.counts == {"added": 507, "updated": 0, "unchanged": 0, "rejected": 0}
    assert store.count(Status.PUBLISHED) == 472
    titles = {json.loads(l)["title"] for l in (CORPUS / "products.jsonl").read_text("utf-8").splitlines()}
    assert {p.title for p in store.iter_products()} == titles  # exactly as published


def test_translations_become_language_versions_not_products(importer, store):
    importer.run(CORPUS)
    translations = [json.loads(l) for l in (CORPUS / "translations.jsonl").read_text("utf-8").splitlines()]
    assert store.count() == 472
    for t in translations:
        product = store.find_by_title(t["title_en"])
        version = product.version(t["language"])
        assert (version.title, version.url, version.source_url) == (t["title"], t["url"], t["source"])
        assert t["language"] in product.languages  # a known version is a known language


def test_a_second_import_changes_nothing(importer, store):
    importer.run(CORPUS)
    before = {p.id: p for p in store.iter_products()}
    report = importer.run(CORPUS)
    assert report.counts == {"added": 0, "updated": 0, "unchanged": 507, "rejected": 0}
    assert {p.id: p for p in store.iter_products()} == before


def test_broken_lines_are_reported_and_good_ones_kept(importer, store, tmp_path):
    lines = [
        GOOD,
        '{"title": "Broken JSON", ',
        {**GOOD, "title": "Unknown theme", "themes": ["Astrology"]},
        {**GOOD, "title": None},
        {k: v for k, v in GOOD.items() if k != "title"},
        {**GOOD, "title": "T" * 20_000},
        ["not", "an", "object"],
        {**GOOD, "title": "Second good one", "agencies": ["UNIFEM"]},
        {**GOOD},  # the first title again
        {**GOOD, "title": "Bad year", "year": 1066},
    ]
    path = write_lines(tmp_path / "broken.jsonl", lines)
    with path.open("ab") as handle:
        handle.write(b'{"title": "\xff\xfe bad bytes"}\n')
    report = importer.run(path)
    assert report.counts["added"] == 2
    rejected = {line.line: line.reason for line in report.rejected}
    assert set(rejected) == {2, 3, 4, 5, 6, 7, 9, 10, 11}
    assert "not valid JSON" in rejected[2]
    assert "unknown theme 'Astrology'" in rejected[3]
    assert rejected[4].startswith("title: is required") and rejected[5].startswith("title: is required")
    assert "20,000 characters long" in rejected[6]
    assert rejected[7] == "not a JSON object"
    assert "repeats broken.jsonl line 1" in rejected[9]
    assert "year" in rejected[10]
    assert "UTF-8" in rejected[11]
    assert sorted(p.title for p in store.iter_products()) == ["Rights-Based Monitoring: A Handbook",
                                                             "Second good one"]


def test_a_changed_record_updates_its_product_and_keeps_its_id_and_status(importer, store, tmp_path):
    path = write_lines(tmp_path / "one.jsonl", [GOOD])
    importer.run(path)
    first = store.find_by_title(GOOD["title"])
    with store.write() as writer:  # a curator withdraws it meanwhile
        writer.update(first.with_changes(status=Status.WITHDRAWN))
    write_lines(path, [{**GOOD, "summary": "A better summary.", "title": "  " + GOOD["title"]}])
    report = importer.run(path)
    assert report.counts["updated"] == 1
    product = store.get(first.id)
    assert (product.summary, product.status) == ("A better summary.", Status.WITHDRAWN)
    assert product.provenance.first_seen == first.provenance.first_seen


def test_titles_that_slug_alike_get_distinct_ids(importer, store, tmp_path):
    path = write_lines(tmp_path / "twins.jsonl", [{**GOOD, "title": "Guide: Part 1"},
                                                  {**GOOD, "title": "Guide (Part 1)"}])
    report = importer.run(path)
    assert report.counts["added"] == 2
    assert sorted(p.id for p in store.iter_products()) == ["guide-part-1", "guide-part-1-2"]
    assert importer.run(path).counts["unchanged"] == 2


def test_a_translation_file_alone_attaches_to_stored_products(importer, store, tmp_path):
    importer.run(write_lines(tmp_path / "products.jsonl", [GOOD]))
    translations = write_lines(tmp_path / "more.jsonl", [
        {"title_en": GOOD["title"], "language": "es", "title": "Manual", "url": None, "source": None},
        {"title_en": "No such product", "language": "fr", "title": "Rien", "url": None, "source": None},
        {"title_en": GOOD["title"], "language": "klingon", "title": "Q", "url": None, "source": None},
    ])
    report = CorpusImporter(store, importer.vocabularies).run(translations)
    assert report.counts == {"added": 0, "updated": 1, "unchanged": 0, "rejected": 2}
    reasons = [line.reason for line in report.rejected]
    assert "no product titled 'No such product'" in reasons[0]
    assert "unknown language 'klingon'" in reasons[1]
    assert store.find_by_title(GOOD["title"]).version("es").title == "Manual"
    assert CorpusImporter(store, importer.vocabularies).run(translations).counts["unchanged"] == 1


def test_pending_status_for_reviewed_sources(store, vocabularies, tmp_path):
    CorpusImporter(store, vocabularies, status=Status.PENDING_REVIEW).run(
        write_lines(tmp_path / "p.jsonl", [GOOD]))
    assert store.count(Status.PENDING_REVIEW) == 1


def test_missing_paths_are_an_import_file_error(importer, tmp_path):
    with pytest.raises(ImportFileError):
        importer.run(tmp_path / "nope.jsonl")
    with pytest.raises(ImportFileError, match="no .jsonl files"):
        importer.run(tmp_path)
