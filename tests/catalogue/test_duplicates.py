"""Suspected duplicates: same URL, same file, nearly the same title in any language."""

from __future__ import annotations

from catalogue.duplicates import suspected_duplicates, title_fingerprint
from catalogue.model import LanguageVersion, Provenance
from tests.conftest import make_product


def _add(store, **fields):
    with store.write() as writer:
        writer.add(make_product(**fields))


def test_same_url_same_file_and_similar_titles_are_found(store):
    _add(store, id="by-url", title="Something else entirely, about water",
         url="https://a.org/guide.pdf")
    _add(store, id="by-file", title="A third product with its own title",
         url="https://b.org/x.pdf", provenance=Provenance(file_hash="f" * 64))
    _add(store, id="by-version", title="Unrelated English title of a product",
         url="https://c.org/y", versions=(LanguageVersion("fr", "Guide de l'approche fondée sur les droits"),))
    candidate = make_product(id="new", title="GUIDE DE L’APPROCHE FONDÉE SUR LES DROITS!",
                             url="https://a.org/guide.pdf",
                             provenance=Provenance(file_hash="f" * 64))
    found = {(other, reason) for other, reason, _ in suspected_duplicates(store, candidate)}
    assert found == {("by-url", "same_url"), ("by-file", "same_file"),
                     ("by-version", "similar_title")}


def test_a_product_is_not_its_own_duplicate_and_distinct_titles_are_not_flagged(store):
    _add(store, id="guide", title="Human rights-based approach to programming: a guide")
    assert suspected_duplicates(store, store.get("guide")) == []
    other = make_product(id="other", title="Human rights-based approach to budgeting: a guide",
                         url="https://elsewhere.org/")
    assert suspected_duplicates(store, other) == []


def test_short_titles_are_too_common_to_compare(store):
    _add(store, id="toolkit", title="Toolkit", url="https://a.org/1")
    assert suspected_duplicates(store, make_product(id="n", title="Toolkit", url="https://b.org/2")) == []


def test_title_fingerprint_folds_case_accents_and_punctuation():
    assert title_fingerprint("Égalité — des « genres »!") == "egalite des genres"
