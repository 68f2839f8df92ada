"""The OAI-PMH 2.0 data provider at /oai (blueprint `oai`), for harvesters.

Every published product is a record in Dublin Core (oai_dc); a withdrawn one stays as a
deleted record. GET, or POST with a form-encoded body. Protocol errors are HTTP 200 with an
<error> element, as the protocol says (`error_response`, registered by `webapp.errors`).
The endpoint keeps no session and reads no cookie: CSRF protection must exempt it.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from flask import Blueprint, Response, current_app, request, url_for

from catalogue.errors import ProductNotFound
from catalogue.model import Product
from catalogue.store import HARVESTED, HarvestQuery, utcnow
from webapp import auth
from webapp import oai_xml
from webapp.citations import dublin_core_elements
from webapp.oai_protocol import (METADATA_FORMATS, OAIError, OAIRequest, Page, Record, Repository,
                                 Tokens, available_sets, check_format, header_for, identifier_for,
                                 list_state, parse_request, product_id_from)
from webapp.services import services

blueprint = Blueprint("oai", __name__)

REPOSITORY_NAME = "HRBA knowledge catalogue"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"


@blueprint.route("/oai", methods=["GET", "POST"])
@auth.public
def endpoint():
    """Answer one OAI-PMH request (`verb` and its arguments, in the query or the form)."""
    wanted = parse_request(_arguments())
    body = _VERBS[wanted.verb](wanted)
    return _xml(oai_xml.document(_base_url(), wanted.echo(), body, utcnow()))


def error_response(exc: OAIError) -> Response:
    """Answer a protocol error: HTTP 200, the request echoed unless it was malformed."""
    echo = None
    if exc.code not in ("badVerb", "badArgument"):
        echo = {name: values[0] for name, values in _arguments().items()}
    return _xml(oai_xml.document(_base_url(), echo, oai_xml.error(exc.code, str(exc)), utcnow()))


def _arguments() -> dict[str, list[str]]:
    source = request.form if request.method == "POST" else request.args
    return source.to_dict(flat=False)


def _xml(body: bytes) -> Response:
    return Response(body, content_type=XML_CONTENT_TYPE)


def _base_url() -> str:
    return url_for("oai.endpoint", _external=True)


def _namespace() -> str:
    return current_app.config["HRBA_OAI_NAMESPACE"]


def _tokens() -> Tokens:
    return Tokens(current_app.config["SECRET_KEY"])


def _harvested(identifier: str) -> Product:
    """Return the product an identifier names, if harvesters may see it."""
    try:
        product = services().store.get(product_id_from(_namespace(), identifier))
    except ProductNotFound:
        product = None
    if product is None or product.status not in HARVESTED:
        raise OAIError("idDoesNotExist", f"no record has the identifier {identifier!r}")
    return product


def _record(product: Product) -> Record:
    header = header_for(product, _namespace())
    if header.deleted:
        return Record(header)
    page_url = url_for("search.product_page", product_id=product.id, _external=True)
    return Record(header, tuple(dublin_core_elements(product, services().vocabularies, page_url)))


def identify(_wanted: OAIRequest) -> Element:
    """Describe the repository."""
    store = services().store
    sample = store.harvest(HarvestQuery(), limit=1)
    return oai_xml.identify(Repository(
        name=REPOSITORY_NAME, base_url=_base_url(),
        admin_email=current_app.config["HRBA_ADMIN_EMAIL"],
        earliest_datestamp=store.earliest_change() or utcnow(), namespace=_namespace(),
        sample_identifier=identifier_for(_namespace(), sample[0].id if sample else "PRODUCT-ID")))


def list_metadata_formats(wanted: OAIRequest) -> Element:
    """List the metadata formats (of one record, with `identifier`: the same, oai_dc)."""
    if "identifier" in wanted.arguments:
        _harvested(wanted.arguments["identifier"])
    return oai_xml.list_metadata_formats(METADATA_FORMATS.values())


def list_sets(wanted: OAIRequest) -> Element:
    """List the sets: the four kinds, and each agency, theme, type and language in use."""
    if "resumptionToken" in wanted.arguments:  # the list always comes whole: no token is ours
        raise OAIError("badResumptionToken", "ListSets never issues a resumptionToken")
    hub = services()
    return oai_xml.list_sets(available_sets(hub.store.harvested_tags(), hub.vocabularies))


def get_record(wanted: OAIRequest) -> Element:
    """Return one record."""
    check_format(wanted.arguments["metadataPrefix"])
    return oai_xml.get_record(_record(_harvested(wanted.arguments["identifier"])))


def list_items(wanted: OAIRequest) -> Element:
    """Return one page of headers (ListIdentifiers) or records (ListRecords)."""
    store, tokens = services().store, _tokens()
    state = list_state(wanted, tokens, utcnow())
    query = state.query()
    size = current_app.config["HRBA_OAI_PAGE_SIZE"]
    products = store.harvest(query, after=state.after, limit=size + 1)
    if not products and state.cursor == 0:
        raise OAIError("noRecordsMatch", "no record matches these arguments")
    shown = products[:size]
    token = None
    if len(products) > size:
        token = tokens.dump(state.advanced(shown[-1], len(shown)))
    elif state.cursor:
        token = ""  # the last part of a list that came in parts
    items = tuple(_record(p) if wanted.verb == "ListRecords" else header_for(p, _namespace())
                  for p in shown)
    page = Page(items, token, store.harvest_count(query), state.cursor)
    return oai_xml.list_page(wanted.verb, page)


_VERBS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_items,
    "ListRecords": list_items,
}
