"""Query syntax, UN vocabulary awareness, cross-language search, typos, snippets, similar."""

import pytest

from catalogue.model import LanguageVersion
from indexer.index import SearchIndex
from indexer.query import edit_distance
from indexer.search import SearchRequest, search, similar
from tests.conftest import make_product

CATALOGUE = [
    make_product(id="upr", title="Universal Periodic Review: a practical guide for country teams",
                 agencies=("ohchr",), themes=("treaty-bodies-upr",), year=2016,
                 summary="How UN country teams follow up recommendations of the review."),
    make_product(id="child", title="Child rights programming handbook", agencies=("unicef",),
                 themes=("children-youth",), year=2012, languages=("en",),
                 summary="Applying the Convention on the Rights of the Child in programmes."),
    make_product(id="social", title="Social protection floors and human rights", agencies=("ilo",),
                 themes=("poverty-inequality",), year=2014,
                 summary="A rights-based approach to social protection systems."),
    make_product(id="water", title="The right to water and sanitation", agencies=("ohchr",),
                 themes=("water-sanitation",), year=2010, languages=("en", "fr"),
                 summary="Fact sheet on the human right to safe drinking water.",
                 versions=(LanguageVersion("fr", "Le droit à l'eau et à l'assainissement"),)),
    make_product(id="health", title="The right to health", agencies=("who", "ohchr"),
                 themes=("health",), year=2008, summary="Fact sheet on health and human rights."),
    make_product(id="nhri", title="National human rights institutions: history, principles, roles",
                 agencies=("ohchr",), themes=("national-human-rights-institutions",), year=2010,
                 summary="Paris Principles and the roles of NHRIs."),
    make_product(id="ngo", title="Budget work for civil society", agencies=("save-the-children",),
                 themes=("budgeting-economic-policy",), year=2019, summary="Public budgets and rights."),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory, vocabularies):
    index = SearchIndex(tmp_path_factory.mktemp("q"))
    index.rebuild(CATALOGUE, vocabularies)
    return index


def ask(index, vocabularies, q, **kwargs):
    return search(index, SearchRequest(q=q, **kwargs), vocabularies)


def first(index, vocabularies, q, **kwargs):
    hits = ask(index, vocabularies, q, **kwargs).hits
    return hits[0].id if hits else None


@pytest.mark.parametrize("q, expected", [
    ("UPR", "upr"),                                   # acronym -> concept in the title
    ("EPU", "upr"),                                   # the French and Spanish acronym
    ("Examen periódico universal", "upr"),            # Spanish name of the mechanism
    ("examen périodique universel", "upr"),
    ("INDH", "nhri"),                                 # French acronym of NHRI
    ("instituciones nacionales de derechos humanos", "nhri"),
    ("protection sociale", "social"),                 # French query, English product
    ("protección social", "social"),
    ("droits de l'enfant", "child"),
    ("CDE", "child"),                                 # Convention relative aux droits de l'enfant
    ("derecho al agua", "water"),
    ("l'eau", "water"),                               # a French language version
])
def test_un_vocabulary_and_cross_language_queries(index, vocabularies, q, expected):
    assert first(index, vocabularies, q) == expected


@pytest.mark.parametrize("q, expected", [
    ('"right to water"', ["water"]),
    ("agency:ohchr health", ["health"]),
    ("theme:health", ["health"]),
    ("year:2019", ["ngo"]),
    ("title:budget", ["ngo"]),
    ("sanit*", ["water"]),
    ("fact sheet -water", ["health"]),
])
def test_advanced_syntax(index, vocabularies, q, expected):
    assert sorted(h.id for h in ask(index, vocabularies, q).hits) == expected


def test_unknown_fields_are_read_as_words(index, vocabularies):
    assert first(index, vocabularies, "colour:water") == "water"


def test_short_prefixes_are_read_as_words_not_expanded(index, vocabularies):
    assert ask(index, vocabularies, "hu*").total == ask(index, vocabularies, "hu").total == 0
    assert ask(index, vocabularies, "hum*").total > 0


def test_did_you_mean_offers_a_correction_that_finds_more(index, vocabularies):
    results = ask(index, vocabularies, "rigth to helth")
    assert results.suggestion == "right to health"
    assert results.hits and results.hits[0].id == "health"  # the typos are forgiven already
    assert ask(index, vocabularies, "right to health").suggestion is None


def test_edit_distance_counts_a_swap_as_one():
    assert (edit_distance("rigth", "right"), edit_distance("helth", "health"),
            edit_distance("same", "same")) == (1, 1, 0)


def test_snippets_mark_matched_words_and_escape_the_rest(index, vocabularies):
    hit = ask(index, vocabularies, "drinking water").hits[0]
    assert "<mark>drinking</mark> <mark>water</mark>" in hit.snippet
    assert "<script" not in hit.snippet


def test_snippet_escapes_html_in_text():
    from indexer.snippets import snippet
    assert snippet("<b>water</b> & more", {"water"}) == "&lt;b&gt;<mark>water</mark>&lt;/b&gt; &amp; more"


def test_more_like_this_finds_related_products(index, vocabularies):
    related = [h.id for h in similar(index, "water", vocabularies)]
    assert "water" not in related and related[0] == "health"
    assert similar(index, "no-such-product", vocabularies) == ()


def test_un_system_facet(index, vocabularies):
    results = ask(index, vocabularies, "")
    counts = {v.value: v.count for v in results.facets["un_system"]}
    assert counts == {"true": 6, "false": 1}
    labels = {v.value: v.label for v in ask(index, vocabularies, "", language="fr").facets["un_system"]}
    assert labels["true"] == "Système des Nations Unies"


def test_a_search_past_its_time_limit_answers_with_what_it_has(index, vocabularies, monkeypatch):
    import indexer.search as engine
    monkeypatch.setattr(engine, "TIME_LIMIT_SECONDS", 0.0)
    results = ask(index, vocabularies, "water sanitation health")
    assert results.timed_out
    assert 0 < results.total < len(CATALOGUE)  # the first clause's matches, not everything


def test_the_longer_concept_wins_in_chinese_where_bigrams_share_a_position(index, vocabularies):
    from indexer.query import QueryBuilder
    with index.searcher() as (searcher, _):
        spans = QueryBuilder(searcher, vocabularies)._concept_spans("人权指标")
    assert [s.value for s in spans] == ["human-rights-indicators"]
