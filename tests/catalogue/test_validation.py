"""Validation: one plain-language message per problem, under the field it concerns."""

import pytest

from catalogue.errors import ValidationError
from catalogue.model import LanguageVersion, Link
from catalogue.normalise import product_from_record
from catalogue.validation import check, validate
from tests.conftest import make_product


def test_a_complete_product_is_valid(vocabularies):
    assert validate(make_product(), vocabularies) == {}


@pytest.mark.parametrize("changes, field, message", [
    ({"title": ""}, "title", "is required"),
    ({"title": "   "}, "title", "is required"),
    ({"title": "x" * 20_000}, "title", "is 20,000 characters long; the limit is 500"),
    ({"title": "Bad\x00title"}, "title", "contains control characters"),
    ({"type": ""}, "type", "is required"),
    ({"type": "novel"}, "type", "unknown resource type 'novel'"),
    ({"themes": ("astrology",)}, "themes", "unknown theme 'astrology'"),
    ({"themes": ("health", "health")}, "themes", "lists a value twice"),
    ({"agencies": ()}, "agencies", "needs at least one value"),
    ({"languages": ("xx",)}, "languages", "unknown language 'xx'"),
    ({"regions": ("atlantis",)}, "regions", "unknown region 'atlantis'"),
    ({"stages": ("dreaming",)}, "stages", "unknown programming stage 'dreaming'"),
    ({"year": 1850}, "year", "must be a year from 1945"),
    ({"url": "javascript:alert(1)"}, "url", "must be an absolute http:// or https:// address"),
    ({"url": "ftp://example.org/x"}, "url", "must be an absolute http:// or https:// address"),
    ({"url": "https://example.org/a b"}, "url", "must not contain spaces"),
    ({"links": (Link("data:text/html,hi"),)}, "links", "must be an absolute http"),
    ({"id": "Not A Slug"}, "id", "must be lowercase letters"),
    ({"versions": (LanguageVersion("fr", "Guide"), LanguageVersion("fr", "Guide bis"))},
     "versions", "fr version is listed twice"),
    ({"versions": (LanguageVersion("es", ""),)}, "versions", "es version: title is required"),
])
def test_each_problem_is_reported_under_its_field(vocabularies, changes, field, message):
    errors = validate(make_product(**changes), vocabularies)
    assert list(errors) == [field]
    assert any(message in m for m in errors[field]), errors


def test_check_raises_with_every_problem(vocabularies):
    with pytest.raises(ValidationError) as caught:
        check(make_product(title="", type="novel"), vocabularies)
    assert set(caught.value.errors) == {"title", "type"}


def test_a_record_is_mapped_through_labels_and_aliases(vocabularies):
    record = {"title": "Guide", "type": "Manual/Handbook", "agencies": ["UNIFEM", "HCDH"],
              "themes": ["Égalité des sexes"], "languages": ["en"], "regions": ["Viet Nam"],
              "year": "2012", "summary": "  Two\n spaces  ", "source": "https://example.org/src"}
    product, errors = product_from_record(record, vocabularies, product_id="guide")
    assert errors == {}
    assert (product.type, product.agencies, product.themes, product.regions) == (
        "manual-handbook", ("unifem", "ohchr"), ("gender-equality",), ("VN",))
    assert product.year == 2012 and product.summary == "Two spaces"
    assert product.provenance.source_url == "https://example.org/src"


def test_an_unknown_value_is_named_in_the_message(vocabularies):
    _, errors = product_from_record({"title": "T", "type": "Guidance", "agencies": ["OHCHR"],
                                     "languages": ["en"], "themes": ["Astrology", "Health"]},
                                    vocabularies, product_id="t")
    assert errors == {"themes": ["unknown theme 'Astrology'"]}


@pytest.mark.parametrize("record, field", [
    ({"agencies": "OHCHR", "year": "two thousand"}, "year"),
    ({"agencies": {"a": 1}}, "agencies"),
    ({"agencies": ["OHCHR"], "year": True}, "year"),
    ({"agencies": ["OHCHR"], "title": 42}, "title"),
])
def test_wrongly_typed_fields_are_reported(vocabularies, record, field):
    _, errors = product_from_record({"title": "T", "type": "Guidance", "languages": ["en"], **record},
                                    vocabularies, product_id="t")
    assert field in errors
