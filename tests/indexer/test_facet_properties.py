"""Property: every facet count equals the number of results you get by choosing that value."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.index import SearchIndex
from indexer.search import SearchRequest, search
from tests.conftest import make_product

AGENCIES = ["ohchr", "undp", "unicef", "unfpa", "save-the-children", "world-bank"]
THEMES = ["gender-equality", "health", "participation", "education", "water-sanitation"]
TYPES = ["guidance", "manual-handbook", "report-study", "checklist-tool"]
LANGUAGES = ["en", "fr", "es", "ar"]
REGIONS = ["global", "africa", "EC", "arab-states"]
WORDS = ["rights", "water", "gender", "guide", "health", "children", "budget", "monitoring"]


def catalogue(n=80, seed=7):
    rng = random.Random(seed)
    for i in range(n):
        yield make_product(
            id=f"p{i:03d}", title=" ".join(rng.sample(WORDS, 3)).capitalize(),
            summary=" ".join(rng.choices(WORDS, k=8)),
            agencies=tuple(rng.sample(AGENCIES, rng.randint(1, 2))),
            themes=tuple(rng.sample(THEMES, rng.randint(1, 3))), type=rng.choice(TYPES),
            languages=tuple(rng.sample(LANGUAGES, rng.randint(1, 2))),
            regions=tuple(rng.sample(REGIONS, 1)), year=rng.choice([None, 2005, 2010, 2015, 2020]))


@pytest.fixture(scope="module")
def index(tmp_path_factory, vocabularies):
    index = SearchIndex(tmp_path_factory.mktemp("prop"))
    index.rebuild(catalogue(), vocabularies)
    return index


VALUES = {"agency": AGENCIES, "theme": THEMES, "type": TYPES, "language": LANGUAGES, "region": REGIONS}


@st.composite
def requests(draw):
    filters = {}
    for facet in draw(st.sets(st.sampled_from(sorted(VALUES)), max_size=3)):
        filters[facet] = tuple(draw(st.sets(st.sampled_from(VALUES[facet]), min_size=1, max_size=2)))
    years = draw(st.sampled_from([(None, None), (2006, 2016), (2015, None)]))
    return SearchRequest(q=draw(st.sampled_from(["", "water", "gender rights", "health guide"])),
                         filters=filters, year_from=years[0], year_to=years[1],
                         un_system=draw(st.sampled_from([None, True, False])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests())
def test_every_facet_count_is_the_total_of_choosing_that_value(index, vocabularies, request):
    results = search(index, request, vocabularies)
    for facet in VALUES:
        for value in results.facets[facet]:
            # Within a facet values combine with OR: choosing a value alone counts it.
            chosen = {**request.filters, facet: (value.value,)}
            narrowed = search(index, SearchRequest(q=request.q, filters=chosen, year_from=request.year_from,
                                                   year_to=request.year_to, un_system=request.un_system,
                                                   per_page=1), vocabularies)
            assert value.count == narrowed.total, (facet, value)
    if request.un_system is None:
        for value in results.facets["un_system"]:
            narrowed = search(index, SearchRequest(q=request.q, filters=request.filters,
                                                   year_from=request.year_from, year_to=request.year_to,
                                                   un_system=value.value == "true", per_page=1), vocabularies)
            assert value.count == narrowed.total
    if request.year_from is None and request.year_to is None:
        for value in results.facets["year"]:
            year = int(value.value)
            narrowed = search(index, SearchRequest(q=request.q, filters=request.filters, year_from=year,
                                                   year_to=year, un_system=request.un_system,
                                                   per_page=1), vocabularies)
            assert value.count == narrowed.total


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests())
def test_the_total_is_the_sum_over_one_unselected_facet_without_overlap(index, vocabularies, request):
    """The type facet (one value per product) partitions the results when it is not filtered."""
    request = SearchRequest(**{**request.__dict__, "filters": {k: v for k, v in request.filters.items()
                                                               if k != "type"}})
    results = search(index, request, vocabularies)
    assert sum(v.count for v in results.facets["type"]) == results.total
