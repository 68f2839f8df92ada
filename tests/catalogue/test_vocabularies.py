"""The controlled vocabularies: complete, multilingual, and covering every corpus tag."""

import json

import pytest

from catalogue.errors import VocabularyError
from catalogue.vocabularies import UI_LANGUAGES, Vocabularies, lookup_key
from tests.conftest import CORPUS

PRODUCTS = [json.loads(line) for line in (CORPUS / "products.jsonl").read_text("utf-8").splitlines()]
TRANSLATIONS = [json.loads(line) for line in (CORPUS / "translations.jsonl").read_text("utf-8").splitlines()]


@pytest.mark.parametrize("field, vocabulary", [
    ("agencies", "agency"), ("themes", "theme"), ("languages", "language"), ("regions", "region")])
def test_every_corpus_tag_resolves(vocabularies, field, vocabulary):
    unresolved = {raw for p in PRODUCTS for raw in p[field] if vocabularies[vocabulary].resolve(raw) is None}
    assert unresolved == set()


def test_every_corpus_type_and_translation_language_resolves(vocabularies):
    assert {p["type"] for p in PRODUCTS if vocabularies["resource_type"].resolve(p["type"]) is None} == set()
    assert {t["language"] for t in TRANSLATIONS if vocabularies["language"].resolve(t["language"]) is None} == set()


def test_the_29_themes_of_the_corpus_with_labels_in_six_languages(vocabularies):
    themes = vocabularies["theme"]
    assert len(themes) == 29
    assert {t.label("en") for t in themes} == {raw for p in PRODUCTS for raw in p["themes"]}
    for term in themes:
        assert all(term.labels.get(lang, "").strip() for lang in UI_LANGUAGES), term.id


@pytest.mark.parametrize("name", ["resource_type", "programming_stage", "region", "language"])
def test_labels_in_the_six_un_languages(vocabularies, name):
    missing = [t.id for t in vocabularies[name] if not all(t.labels.get(lang) for lang in UI_LANGUAGES)]
    assert missing == []


def test_programming_stages_follow_the_common_learning_package_cycle(vocabularies):
    stages = sorted(vocabularies["programming_stage"], key=lambda t: t.data["position"])
    assert [t.label("en").lower() for t in stages] == [
        "assessment and analysis", "priority setting", "planning and design",
        "implementation", "monitoring and evaluation"]


@pytest.mark.parametrize("raw, expected, successor", [
    ("UNIFEM", "unifem", "un-women"),
    ("UNDG", "undg", "unsdg"),
    ("DOCO", "doco", "dco"),
    ("UN Women", "un-women", None),
    ("ONU Femmes", "un-women", None),
    ("Office of the United Nations High Commissioner for Human Rights", "ohchr", None),
    ("HCDH", "ohchr", None),
    ("  unicef ", "unicef", None),
])
def test_agency_aliases_and_predecessors(vocabularies, raw, expected, successor):
    agencies = vocabularies["agency"]
    assert agencies.resolve(raw) == expected
    assert agencies.term(expected).data.get("successor") == successor


def test_agencies_say_whether_they_are_part_of_the_un_system(vocabularies):
    agencies = vocabularies["agency"]
    assert agencies.term("ohchr").data["un_system"] is True
    assert agencies.term(agencies.resolve("Save the Children")).data["un_system"] is False
    assert all(isinstance(t.data.get("un_system"), bool) for t in agencies)
    assert all(t.data["successor"] in agencies for t in agencies if t.data.get("successor"))


@pytest.mark.parametrize("raw, expected", [
    ("Palestine (Gaza Strip)", "PS"), ("Viet Nam", "VN"), ("Global", "global"),
    ("Latin America and the Caribbean", "latin-america-caribbean"), ("Equateur", "EC"), ("Équateur", "EC")])
def test_regions_and_countries_use_iso_3166_codes(vocabularies, raw, expected):
    assert vocabularies["region"].resolve(raw) == expected


def test_unknown_values_resolve_to_nothing(vocabularies):
    assert vocabularies["theme"].resolve("Astrology") is None
    assert vocabularies["agency"].resolve("") is None


def test_lookup_ignores_case_accents_and_spacing():
    assert lookup_key("  Égalité   des SEXES ") == lookup_key("egalite des sexes")
    assert lookup_key("Côte d’Ivoire") == lookup_key("cote d'ivoire")


def _write(directory, name, values):
    (directory / f"{name}.json").write_text(json.dumps({"vocabulary": name, "values": values}), "utf-8")


def _minimal(directory):
    for name in ("agency", "theme", "resource_type", "language", "region", "programming_stage"):
        _write(directory, name, [{"id": "x", "labels": {"en": "X"}}])


def test_a_label_naming_two_values_is_refused(tmp_path):
    _minimal(tmp_path)
    _write(tmp_path, "theme", [{"id": "a", "labels": {"en": "Health"}},
                               {"id": "b", "labels": {"en": "Other"}, "aliases": ["health"]}])
    with pytest.raises(VocabularyError, match="'health' would resolve to both 'a' and 'b'"):
        Vocabularies.load(tmp_path)


def test_a_missing_vocabulary_is_refused(tmp_path):
    _minimal(tmp_path)
    (tmp_path / "region.json").unlink()
    with pytest.raises(VocabularyError, match="missing vocabularies: region"):
        Vocabularies.load(tmp_path)


def test_a_malformed_file_is_named(tmp_path):
    _minimal(tmp_path)
    (tmp_path / "theme.json").write_text("{not json", "utf-8")
    with pytest.raises(VocabularyError, match="theme.json: malformed"):
        Vocabularies.load(tmp_path)
