"""Product ids: readable ASCII slugs, stable, unique."""

import pytest

from catalogue.ids import is_valid_id, slug_for, title_key, unique_id


@pytest.mark.parametrize("title, slug", [
    ("The UN Common Learning Package on HRBA", "the-un-common-learning-package-on-hrba"),
    ("Droits de l'homme : guide pratique", "droits-de-l-homme-guide-pratique"),
    ("Права человека", "prava-cheloveka"),
    ("人权", "ren-quan"),
])
def test_slug_for_any_script(title, slug):
    assert slug_for(title) == slug
    assert is_valid_id(slug)


def test_slugs_of_long_titles_are_cut_at_a_word_and_stay_valid():
    slug = slug_for("Human rights " * 40)
    assert len(slug) <= 80 and is_valid_id(slug) and not slug.endswith("-")


def test_a_title_without_letters_still_gets_a_stable_id():
    assert slug_for("!!!") == slug_for("!!!")
    assert is_valid_id(slug_for("!!!"))


def test_unique_id_adds_a_counter_when_taken():
    taken = {"guide", "guide-2"}
    assert unique_id("guide", taken.__contains__) == "guide-3"
    assert unique_id("other", taken.__contains__) == "other"


def test_title_key_folds_case_and_spacing_but_keeps_accents():
    assert title_key("  Guía   Práctica ") == title_key("guía práctica")
    assert title_key("Guía") != title_key("Guia")
