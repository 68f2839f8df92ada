"""The OAI-PMH data provider at /oai: a real harvester (sickle) against a real server, and
the protocol's errors and XML checked through Flask's test client."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest
from sickle import Sickle, oaiexceptions
from sickle.iterator import OAIResponseIterator
from sqlalchemy import update

from catalogue.model import Status
from catalogue.store import HARVESTED, Store
from catalogue.tables import ProductRow
from tests.conftest import served

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
PREFIX = "oai:hrba.catalogue:"
PAGE_SIZE = 40

WITHDRAWN = "the-un-common-learning-package-on-hrba"
DRAFT = "2016-undaf-desk-review"
WITH_VERSIONS = "the-right-to-water-fact-sheet-no-35"
# Datestamps set by hand, long before the import stamped every other product.
STAMPED = {
    "iom-policy-on-protection": datetime(2020, 1, 1, 10, 0, 0, tzinfo=timezone.utc),
    WITH_VERSIONS: datetime(2020, 1, 2, 12, 0, 0, tzinfo=timezone.utc),
    "minority-rights-international-standards-and-guidance-for-implementation": datetime(2020, 1, 3, 0, 0, 0, tzinfo=timezone.utc),
}


def _store(data_dir) -> Store:
    return Store(f"sqlite:///{data_dir / 'hrba.sqlite3'}")


@pytest.fixture(scope="session")
def harvest_dir(tmp_path_factory, ready_data_dir):
    """The shipped catalogue with one product withdrawn, one back to draft and three stamped."""
    data_dir = tmp_path_factory.mktemp("oai") / "data"
    shutil.copytree(ready_data_dir, data_dir)
    store = _store(data_dir)
    missing = [pid for pid in STAMPED if pid not in store.get_many(list(STAMPED))]
    assert not missing, f"the corpus no longer has {missing}"
    with store.write() as writer:
        writer.update(writer.get(WITHDRAWN).with_changes(status=Status.WITHDRAWN))
        writer.update(writer.get(DRAFT).with_changes(status=Status.DRAFT))
        for product_id, when in STAMPED.items():
            writer.session.execute(update(ProductRow).where(ProductRow.id == product_id)
                                   .values(last_changed=when))
    store.close()
    return data_dir


@pytest.fixture(scope="session")
def catalogue(harvest_dir):
    """The products as the store has them: {id: Product}."""
    store = _store(harvest_dir)
    products = {p.id: p for p in store.iter_products()}
    store.close()
    return products


@pytest.fixture(scope="session")
def base_url(harvest_dir):
    with served(harvest_dir, settings={"HRBA_OAI_PAGE_SIZE": str(PAGE_SIZE)}) as base:
        yield base


@pytest.fixture(scope="session")
def sickle(base_url):
    return Sickle(base_url + "/oai")


@pytest.fixture(scope="session")
def oai_client(harvest_dir):
    from webapp import create_app

    app = create_app({"HRBA_DATA_DIR": str(harvest_dir), "TESTING": True,
                      "HRBA_OAI_PAGE_SIZE": PAGE_SIZE})
    yield app.test_client()
    app.extensions["hrba"].close()


def _harvested(catalogue, keep=lambda product: True) -> set[str]:
    return {PREFIX + p.id for p in catalogue.values() if p.status in HARVESTED and keep(p)}


def _oai(response) -> ET.Element:
    """Parse an OAI-PMH response and check its envelope; return the root."""
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == OAI + "OAI-PMH"
    assert root.get(XSI + "schemaLocation") == \
        "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
    children = list(root)
    assert [c.tag for c in children[:2]] == [OAI + "responseDate", OAI + "request"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", children[0].text)
    assert children[1].text == "http://localhost/oai"
    assert len(children) == 3 or all(c.tag == OAI + "error" for c in children[2:])
    return root


# ------------------------------------------------------------------ a real harvester


def test_list_records_harvests_every_published_and_withdrawn_product_exactly_once(sickle, catalogue):
    records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    identifiers = [r.header.identifier for r in records]
    assert len(identifiers) == len(set(identifiers))
    assert set(identifiers) == _harvested(catalogue)
    assert PREFIX + DRAFT not in identifiers
    assert {r.header.identifier for r in records if r.deleted} == {PREFIX + WITHDRAWN}
    assert all(r.metadata["title"] for r in records if not r.deleted)


def test_list_identifiers_harvests_every_record_exactly_once(sickle, catalogue):
    headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc"))
    identifiers = [h.identifier for h in headers]
    assert len(identifiers) == len(set(identifiers)) == len(_harvested(catalogue))
    assert [h.identifier for h in headers if h.deleted] == [PREFIX + WITHDRAWN]


def test_a_long_list_comes_in_pages_that_count_up_to_the_complete_list_size(base_url, catalogue):
    pages = list(Sickle(base_url + "/oai", iterator=OAIResponseIterator)
                 .ListIdentifiers(metadataPrefix="oai_dc"))
    total = len(_harvested(catalogue))
    assert len(pages) == -(-total // PAGE_SIZE) > 2
    tokens = [page.xml.find(f".//{OAI}resumptionToken") for page in pages]
    assert [int(t.get("cursor")) for t in tokens] == list(range(0, total, PAGE_SIZE))
    assert {int(t.get("completeListSize")) for t in tokens} == {total}
    assert all(t.text for t in tokens[:-1]) and not tokens[-1].text  # the last one is empty


@pytest.mark.parametrize("set_spec, keep", [
    ("agency:ohchr", lambda p: "ohchr" in p.agencies),
    ("theme:gender-equality", lambda p: "gender-equality" in p.themes),
    ("type:training-material", lambda p: p.type == "training-material"),
    ("language:ar", lambda p: "ar" in p.languages),
    ("agency", lambda p: bool(p.agencies)),
])
def test_a_set_harvests_exactly_the_products_in_it(sickle, catalogue, set_spec, keep):
    headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set=set_spec))
    identifiers = [h.identifier for h in headers]
    assert len(identifiers) == len(set(identifiers))
    assert set(identifiers) == _harvested(catalogue, keep)
    if ":" in set_spec:
        assert all(set_spec in h.setSpecs for h in headers)


@pytest.mark.parametrize("since, until, expected", [
    ("2020-01-01", "2020-01-02", ["iom-policy-on-protection", WITH_VERSIONS]),
    ("2020-01-02T12:00:00Z", "2020-01-03T00:00:00Z",
     [WITH_VERSIONS, "minority-rights-international-standards-and-guidance-for-implementation"]),
    ("2020-01-01T10:00:01Z", "2020-01-02T11:59:59Z", None),
    (None, "2020-01-03", list(STAMPED)),
])
def test_a_date_range_harvests_exactly_the_products_changed_in_it(sickle, since, until, expected):
    arguments = {"metadataPrefix": "oai_dc", "until": until, **({"from": since} if since else {})}
    if expected is None:
        with pytest.raises(oaiexceptions.NoRecordsMatch):
            list(sickle.ListRecords(**arguments))
        return
    records = list(sickle.ListRecords(**arguments))
    assert [r.header.identifier for r in records] == [PREFIX + pid for pid in expected]  # oldest first
    assert [r.header.datestamp for r in records] == \
        [STAMPED[pid].strftime("%Y-%m-%dT%H:%M:%SZ") for pid in expected]


def test_an_incremental_harvest_from_the_last_datestamp_finds_the_rest(sickle, catalogue):
    newest = max(p.provenance.last_changed for p in catalogue.values() if p.status in HARVESTED)
    since = newest.strftime("%Y-%m-%dT%H:%M:%SZ")
    records = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", **{"from": since}))
    assert PREFIX + WITHDRAWN in {r.identifier for r in records}  # withdrawn last of all


def test_a_withdrawn_product_is_a_deleted_record_without_metadata(sickle, oai_client):
    record = sickle.GetRecord(identifier=PREFIX + WITHDRAWN, metadataPrefix="oai_dc")
    assert record.deleted and record.header.deleted
    root = _oai(oai_client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={PREFIX}{WITHDRAWN}"))
    record = root.find(f"{OAI}GetRecord/{OAI}record")
    assert record.find(f"{OAI}header").get("status") == "deleted"
    assert record.find(f"{OAI}metadata") is None


def test_get_record_gives_one_product_in_dublin_core(sickle, base_url, catalogue, vocabularies):
    product = catalogue[WITH_VERSIONS]
    record = sickle.GetRecord(identifier=PREFIX + WITH_VERSIONS, metadataPrefix="oai_dc")
    assert record.header.setSpecs[:len(product.agencies)] == [f"agency:{a}" for a in product.agencies]
    names = [vocabularies["agency"].term(a).name("en") for a in product.agencies]
    assert record.metadata == {
        "title": [product.title],
        "creator": names,
        "subject": [vocabularies["theme"].label(t) for t in product.themes],
        "description": [product.summary],
        "publisher": names,
        "date": [str(product.year)],
        "type": ["Fact sheet"],
        "identifier": [product.url, f"{base_url}/products/{WITH_VERSIONS}"],
        "language": ["en", "fr", "zh"],
        "relation": [v.url for v in product.versions],
        "coverage": [vocabularies["region"].label(r) for r in product.regions],
    }
    assert "World Health Organization" in names and len(record.metadata["relation"]) == 2


def test_identify_describes_the_repository(sickle, base_url):
    identify = sickle.Identify()
    assert identify.repositoryName == "HRBA knowledge catalogue"
    assert identify.baseURL == base_url + "/oai"
    assert identify.protocolVersion == "2.0"
    assert identify.adminEmail == "catalogue-admin@example.org"
    assert identify.earliestDatestamp == "2020-01-01T10:00:00Z"
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.repositoryIdentifier == "hrba.catalogue"
    assert identify.sampleIdentifier == PREFIX + "iom-policy-on-protection"


def test_list_sets_names_every_kind_and_each_value_in_use(sickle, catalogue):
    sets = {s.setSpec: s.setName for s in sickle.ListSets()}
    assert {"agency": "Publishing agency", "theme": "Theme", "type": "Resource type",
            "language": "Language"}.items() <= sets.items()
    assert sets["agency:ohchr"] == "Office of the United Nations High Commissioner for Human Rights"
    assert sets["type:guidance"] == "Guidance" and sets["language:fr"] == "French"
    used = {a for p in catalogue.values() if p.status in HARVESTED for a in p.agencies}
    assert {spec.partition(":")[2] for spec in sets if spec.startswith("agency:")} == used


def test_list_metadata_formats_offers_oai_dc_for_the_repository_and_a_record(sickle):
    for arguments in ({}, {"identifier": PREFIX + WITH_VERSIONS}):
        formats = list(sickle.ListMetadataFormats(**arguments))
        assert [(f.metadataPrefix, f.metadataNamespace, f.schema) for f in formats] == [
            ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/",
             "http://www.openarchives.org/OAI/2.0/oai_dc.xsd")]


def test_a_harvest_by_post_gets_the_same_records(base_url, catalogue):
    records = Sickle(base_url + "/oai", http_method="POST").ListIdentifiers(metadataPrefix="oai_dc")
    assert {r.identifier for r in records} == _harvested(catalogue)


@pytest.mark.parametrize("call, error", [
    (lambda s: s.ListRecords(metadataPrefix="marc21"), oaiexceptions.CannotDisseminateFormat),
    (lambda s: s.GetRecord(identifier=PREFIX + "no-such-product", metadataPrefix="oai_dc"),
     oaiexceptions.IdDoesNotExist),
    (lambda s: s.GetRecord(identifier=PREFIX + DRAFT, metadataPrefix="oai_dc"), oaiexceptions.IdDoesNotExist),
    (lambda s: s.ListRecords(resumptionToken="not-a-token"), oaiexceptions.BadResumptionToken),
    (lambda s: s.ListRecords(metadataPrefix="oai_dc", **{"from": "yesterday"}), oaiexceptions.BadArgument),
    (lambda s: s.ListIdentifiers(metadataPrefix="oai_dc", **{"from": "1990-01-01", "until": "1990-12-31"}),
     oaiexceptions.NoRecordsMatch),
    (lambda s: s.ListIdentifiers(), oaiexceptions.BadArgument),
])
def test_a_harvester_gets_the_protocols_errors(sickle, call, error):
    with pytest.raises(error):
        list(call(sickle))


# ------------------------------------------------------------- the XML, as it is sent


def test_a_record_is_well_formed_oai_dc(oai_client):
    root = _oai(oai_client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={PREFIX}{WITH_VERSIONS}"))
    request = root.find(f"{OAI}request")
    assert request.attrib == {"verb": "GetRecord", "metadataPrefix": "oai_dc",
                              "identifier": PREFIX + WITH_VERSIONS}
    record = root.find(f"{OAI}GetRecord/{OAI}record")
    assert [c.tag for c in record] == [OAI + "header", OAI + "metadata"]
    assert [c.tag for c in record.find(f"{OAI}header")][:2] == [OAI + "identifier", OAI + "datestamp"]
    dc = record.find(f"{OAI}metadata/{{http://www.openarchives.org/OAI/2.0/oai_dc/}}dc")
    assert dc.get(XSI + "schemaLocation") == ("http://www.openarchives.org/OAI/2.0/oai_dc/ "
                                              "http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    assert {c.tag for c in dc} <= {DC + name for name in (
        "title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
        "format", "identifier", "source", "language", "relation", "coverage", "rights")}


def test_identify_follows_the_schemas_order(oai_client):
    identify = _oai(oai_client.get("/oai?verb=Identify")).find(f"{OAI}Identify")
    assert [c.tag.removeprefix(OAI) for c in identify] == [
        "repositoryName", "baseURL", "protocolVersion", "adminEmail", "earliestDatestamp",
        "deletedRecord", "granularity", "compression", "description"]


def test_post_with_a_form_answers_like_get(oai_client):
    by_post = _oai(oai_client.post("/oai", data={"verb": "ListSets"}))
    by_get = _oai(oai_client.get("/oai?verb=ListSets"))
    assert ET.tostring(by_post.find(f"{OAI}ListSets")) == ET.tostring(by_get.find(f"{OAI}ListSets"))


def test_a_list_that_fits_in_one_response_has_no_resumption_token(oai_client):
    root = _oai(oai_client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=language:ar"))
    assert root.find(f"{OAI}ListIdentifiers/{OAI}header") is not None
    assert root.find(f".//{OAI}resumptionToken") is None


def _first_token(oai_client, verb: str = "ListIdentifiers") -> str:
    root = _oai(oai_client.get(f"/oai?verb={verb}&metadataPrefix=oai_dc"))
    return root.find(f".//{OAI}resumptionToken").text


@pytest.mark.parametrize("query, code, echoed", [
    ("", "badVerb", False),
    ("verb=Harvest", "badVerb", False),
    ("verb=Identify&verb=Identify", "badVerb", False),
    ("verb=Identify&from=2020-01-01", "badArgument", False),
    ("verb=ListRecords", "badArgument", False),
    ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument", False),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-02-30", "badArgument", False),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2020-01-02T00:00:00Z", "badArgument", False),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-02&until=2020-01-01", "badArgument", False),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=agency%20ohchr", "badArgument", False),
    ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat", True),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:hrba.catalogue:no-such", "idDoesNotExist", True),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:elsewhere.org:iom-policy-on-protection", "idDoesNotExist", True),
    ("verb=ListMetadataFormats&identifier=oai:hrba.catalogue:" + DRAFT, "idDoesNotExist", True),
    ("verb=ListRecords&resumptionToken=bm90LWEtdG9rZW4", "badResumptionToken", True),
    ("verb=ListSets&resumptionToken=anything", "badResumptionToken", True),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=1990-01-01&until=1990-12-31", "noRecordsMatch", True),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=region:africa", "noRecordsMatch", True),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=agency:no-such-agency", "noRecordsMatch", True),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=%01", "idDoesNotExist", True),
])
def test_errors_are_oai_error_elements_with_http_200(oai_client, query, code, echoed):
    root = _oai(oai_client.get("/oai?" + query))
    errors = root.findall(f"{OAI}error")
    assert [e.get("code") for e in errors] == [code] and errors[0].text
    request = root.find(f"{OAI}request")
    assert bool(request.attrib) is echoed  # badVerb and badArgument echo no arguments
    if echoed:
        assert request.get("verb") == query.split("&")[0].removeprefix("verb=")


def test_a_resumption_token_with_other_arguments_is_a_bad_argument(oai_client):
    token = _first_token(oai_client)
    root = _oai(oai_client.get("/oai", query_string={"verb": "ListIdentifiers", "resumptionToken": token,
                                                     "metadataPrefix": "oai_dc"}))
    assert root.find(f"{OAI}error").get("code") == "badArgument"


@pytest.mark.parametrize("spoil", [
    lambda token: token[:-3] + ("xyz" if not token.endswith("xyz") else "abc"),
    lambda token: token[::-1],
])
def test_a_tampered_resumption_token_is_a_bad_resumption_token(oai_client, spoil):
    token = _first_token(oai_client)
    root = _oai(oai_client.get("/oai", query_string={"verb": "ListIdentifiers", "resumptionToken": spoil(token)}))
    assert root.find(f"{OAI}error").get("code") == "badResumptionToken"


def test_a_token_from_one_verb_does_not_resume_another(oai_client):
    token = _first_token(oai_client, "ListIdentifiers")
    root = _oai(oai_client.get("/oai", query_string={"verb": "ListRecords", "resumptionToken": token}))
    assert root.find(f"{OAI}error").get("code") == "badResumptionToken"


def test_a_resumption_request_echoes_only_the_verb_and_the_token(oai_client):
    token = _first_token(oai_client)
    root = _oai(oai_client.get("/oai", query_string={"verb": "ListIdentifiers", "resumptionToken": token}))
    assert root.find(f"{OAI}request").attrib == {"verb": "ListIdentifiers", "resumptionToken": token}
    assert int(root.find(f".//{OAI}resumptionToken").get("cursor")) == PAGE_SIZE


def test_other_http_methods_are_not_allowed(oai_client):
    assert oai_client.put("/oai?verb=Identify").status_code == 405
