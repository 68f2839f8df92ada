"""OAI-PMH requests checked without a server: arguments, dates, sets, resumption tokens."""

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogue.model import Status
from tests.conftest import make_product
from webapp.oai_protocol import (ListState, OAIError, OAIRequest, Tokens, date_range, header_for,
                                 list_state, parse_request, product_id_from, set_query)

NOW = datetime(2024, 6, 1, 8, 30, tzinfo=timezone.utc)


def _args(query: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for pair in filter(None, query.split("&")):
        name, _, value = pair.partition("=")
        found.setdefault(name, []).append(value)
    return found


@pytest.mark.parametrize("query, arguments", [
    ("verb=Identify", {}),
    ("verb=ListMetadataFormats&identifier=oai:x.y:1", {"identifier": "oai:x.y:1"}),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&set=agency",
     {"metadataPrefix": "oai_dc", "from": "2020-01-01", "set": "agency"}),
    ("verb=ListIdentifiers&resumptionToken=abc", {"resumptionToken": "abc"}),
])
def test_good_requests_parse(query, arguments):
    assert parse_request(_args(query)) == OAIRequest(_args(query)["verb"][0], arguments)


@pytest.mark.parametrize("query, code", [
    ("", "badVerb"),
    ("verb=Harvest", "badVerb"),
    ("verb=Identify&verb=ListSets", "badVerb"),
    ("verb=Identify&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListRecords", "badArgument"),
    ("verb=GetRecord&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc", "badArgument"),
    ("verb=ListSets&resumptionToken=abc&set=agency", "badArgument"),
])
def test_bad_requests_are_refused_with_the_protocols_code(query, code):
    with pytest.raises(OAIError) as caught:
        parse_request(_args(query))
    assert caught.value.code == code


@pytest.mark.parametrize("since, until, expected", [
    ("2020-01-01", "2020-01-01", (datetime(2020, 1, 1, tzinfo=timezone.utc),
                                  datetime(2020, 1, 1, 23, 59, 59, tzinfo=timezone.utc))),
    ("2020-01-01T10:00:00Z", None, (datetime(2020, 1, 1, 10, tzinfo=timezone.utc), None)),
    (None, "2020-02-29T23:00:00Z", (None, datetime(2020, 2, 29, 23, tzinfo=timezone.utc))),
    (None, None, (None, None)),
])
def test_date_ranges_are_inclusive_and_a_day_until_runs_to_its_end(since, until, expected):
    assert date_range(since, until) == expected


@pytest.mark.parametrize("since, until", [
    ("2020-13-01", None),                        # no such month
    ("2020-01-01T10:00Z", None),                 # no seconds
    ("2020-01-01T10:00:00", None),               # no Z
    ("01/02/2020", None),
    (None, "2020-01-01T10:00:00.5Z"),            # finer than the repository's granularity
    ("2020-01-01", "2020-01-02T00:00:00Z"),      # granularities differ
    ("2020-01-02", "2020-01-01"),                # from after until
])
def test_bad_dates_are_bad_arguments(since, until):
    with pytest.raises(OAIError) as caught:
        date_range(since, until)
    assert caught.value.code == "badArgument"


@pytest.mark.parametrize("spec, expected", [
    ("agency:ohchr", ("agencies", "ohchr")),
    ("type", ("type", None)),
    ("language:fr", ("languages", "fr")),
])
def test_set_specs_select_a_field_and_value(spec, expected):
    assert set_query(spec) == expected


@pytest.mark.parametrize("spec, code", [
    ("agency ohchr", "badArgument"),             # not a setSpec at all
    ("agency:", "badArgument"),
    ("region:africa", "noRecordsMatch"),         # well formed, but no such set
    ("agency:ohchr:extra", "noRecordsMatch"),
])
def test_bad_or_unknown_sets_are_refused(spec, code):
    with pytest.raises(OAIError) as caught:
        set_query(spec)
    assert caught.value.code == code


def test_identifiers_name_products_only_in_this_namespace():
    assert product_id_from("hrba.catalogue", "oai:hrba.catalogue:a-guide") == "a-guide"
    for foreign in ("oai:other.repo:a-guide", "a-guide", "oai:hrba.catalogue:"):
        with pytest.raises(OAIError, match="not an identifier"):
            product_id_from("hrba.catalogue", foreign)


def test_a_withdrawn_product_has_a_deleted_header_in_its_sets():
    product = make_product(status=Status.WITHDRAWN, agencies=("ohchr",), themes=("health",),
                           languages=("fr",), type="toolkit")
    header = header_for(product, "hrba.catalogue")
    assert header.deleted
    assert header.identifier == "oai:hrba.catalogue:hrba-guide"
    assert header.set_specs == ("agency:ohchr", "theme:health", "type:toolkit", "language:fr")


_moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                        timezones=st.just(timezone.utc))


@given(since=st.none() | _moments, until=_moments,
       set_spec=st.none() | st.sampled_from(["agency:ohchr", "theme", "language:zh"]),
       after=st.none() | st.tuples(_moments, st.text(min_size=1, max_size=80)),
       cursor=st.integers(min_value=0, max_value=10**6))
def test_a_token_round_trips_the_state_of_a_harvest(since, until, set_spec, after, cursor):
    state = ListState("ListRecords", "oai_dc", since, until, set_spec, after, cursor)
    tokens = Tokens("secret")
    assert tokens.load(tokens.dump(state), "ListRecords") == state


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature broken
    lambda token: "x" + token,
    lambda token: Tokens("another key").dump(ListState("ListRecords", "oai_dc", None, NOW)),
    lambda token: Tokens("secret").dump(ListState("ListIdentifiers", "oai_dc", None, NOW)),
    lambda token: "",
])
def test_tampered_foreign_or_other_verbs_tokens_are_bad_resumption_tokens(tamper):
    token = Tokens("secret").dump(ListState("ListRecords", "oai_dc", None, NOW, after=(NOW, "a"), cursor=5))
    with pytest.raises(OAIError) as caught:
        Tokens("secret").load(tamper(token), "ListRecords")
    assert caught.value.code == "badResumptionToken"


def test_a_new_list_is_fixed_at_the_time_of_its_first_page():
    request = OAIRequest("ListRecords", {"metadataPrefix": "oai_dc", "from": "2020-01-01"})
    state = list_state(request, Tokens("secret"), NOW)
    assert (state.since, state.until, state.after, state.cursor) == \
        (datetime(2020, 1, 1, tzinfo=timezone.utc), NOW, None, 0)


def test_a_list_in_another_format_cannot_be_disseminated():
    request = OAIRequest("ListRecords", {"metadataPrefix": "marc21"})
    with pytest.raises(OAIError) as caught:
        list_state(request, Tokens("secret"), NOW)
    assert caught.value.code == "cannotDisseminateFormat"
