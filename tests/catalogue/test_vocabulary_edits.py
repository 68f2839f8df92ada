"""Admins' additions to the vocabularies (SQLite and PostgreSQL): laid over the files, checked first."""

import pytest

from catalogue import vocabulary_edits
from catalogue.errors import ValidationError
from tests.conftest import CORPUS, make_product

VOCABULARIES = CORPUS / "vocabularies"
ADMIN = "admin@example.org"


def test_a_theme_with_six_labels_is_kept_and_loaded_again(store, vocabularies):
    labels = {"en": "Social protection", "fr": "Protection sociale", "es": "Protección social",
              "ar": "الحماية الاجتماعية", "ru": "Социальная защита", "zh": "社会保护"}
    new = vocabulary_edits.add_theme(store, VOCABULARIES, vocabularies, "social-protection", labels, ADMIN)
    assert new["theme"].label("social-protection", "ar") == "الحماية الاجتماعية"
    again = vocabulary_edits.load(VOCABULARIES, store)
    assert again["theme"].resolve("protección social") == "social-protection"
    assert len(again["theme"]) == len(vocabularies["theme"]) + 1


def test_an_alias_adds_to_an_existing_agency(store, vocabularies):
    vocabulary_edits.add_alias(store, VOCABULARIES, vocabularies, "agency", "ohchr", "UNHCHR secretariat", ADMIN)
    vocabulary_edits.add_alias(store, VOCABULARIES, vocabulary_edits.load(VOCABULARIES, store), "agency",
                               "ohchr", "Palais Wilson", ADMIN)
    loaded = vocabulary_edits.load(VOCABULARIES, store)
    assert loaded["agency"].resolve("palais wilson") == loaded["agency"].resolve("UNHCHR Secretariat") == "ohchr"
    assert loaded["agency"].label("ohchr") == vocabularies["agency"].label("ohchr")


@pytest.mark.parametrize("call, field", [
    (lambda s, v: vocabulary_edits.add_alias(s, VOCABULARIES, v, "agency", "ohchr", "UNICEF", ADMIN), "label"),
    (lambda s, v: vocabulary_edits.add_theme(s, VOCABULARIES, v, "health", {"en": "Health again"}, ADMIN), "id"),
    (lambda s, v: vocabulary_edits.add_theme(s, VOCABULARIES, v, "Bad Id", {"en": "x"}, ADMIN), "id"),
    (lambda s, v: vocabulary_edits.add_theme(s, VOCABULARIES, v, "new-theme", {"fr": "Seulement"}, ADMIN), "label_en"),
    (lambda s, v: vocabulary_edits.add_alias(s, VOCABULARIES, v, "agency", "no-such", "x", ADMIN), "term"),
    (lambda s, v: vocabulary_edits.add_agency(s, VOCABULARIES, v, "new-body", "", {"en": "A body"}, False, ADMIN), "acronym"),
])
def test_additions_that_would_confuse_the_vocabularies_are_refused(store, vocabularies, call, field):
    with pytest.raises(ValidationError) as caught:
        call(store, vocabularies)
    assert field in caught.value.errors
    assert vocabulary_edits.overlay(store) == []


def test_products_tagged_with_a_term_are_queued_for_reindexing(store):
    with store.write() as writer:
        writer.add(make_product(id="a", agencies=("ohchr",)))
        writer.add(make_product(id="b", agencies=("unicef",)))
    cursor = store.last_change()
    touched = vocabulary_edits.products_tagged(store, "agency", "ohchr")
    assert touched == ["a"]
    assert vocabulary_edits.mark_for_reindex(store, touched + ["gone"]) == 1
    assert [product_id for _, product_id in store.changes_after(cursor)] == ["a"]
