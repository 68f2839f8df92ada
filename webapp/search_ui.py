"""The search page for country-team staff (blueprint `search`)."""

from __future__ import annotations

import json

from datetime import timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from jinja2.utils import htmlsafe_json_dumps
from werkzeug.exceptions import Gone, NotFound, TooManyRequests

from catalogue import link_checks, reports, search_misses, throttle
from catalogue.errors import ProductNotFound, ValidationError
from catalogue.model import Status
from indexer.errors import IndexUnavailableError
from webapp import auth, citations, exports

from indexer.search import search, similar
from webapp.fragments import hit_html, sidebar_html
from webapp.i18n import current_language
from webapp.auth import client_address
from webapp.presenters import chips, facet_names, product_url, report_kinds
from webapp.search_params import query_string, search_request_from
from webapp.services import services

blueprint = Blueprint("search", __name__)


@blueprint.get("/")
@auth.public
def index():
    """Show the search box, the facets and one page of results."""
    wanted = search_request_from(request.args, language=current_language())
    hub = services()
    results = search(hub.index, wanted, hub.vocabularies)
    if not results.total and wanted.q.strip() and not wanted.filters and wanted.page == 1:
        search_misses.record_miss(hub.store, wanted.q)  # for the curators' worklist
    language = current_language()
    home = not (wanted.q.strip() or wanted.filters or wanted.year_from or wanted.year_to
                or wanted.un_system is not None or wanted.page > 1 or wanted.sort)
    return render_template(
        "search/index.html", results=results, sidebar_html=sidebar_html(results, hub.vocabularies, language),
        chips=chips(results, hub.vocabularies), vocabularies=hub.vocabularies,
        facet_names=facet_names() if home else {},  # the sidebar has its own (fragments.py)
        clear_url="?" + query_string(wanted, filters={}, year_from=None, year_to=None,
                                     un_system=None, page=1),
        suggestion_url="?" + query_string(wanted, q=results.suggestion or "", page=1),
        json_url="/api/v1/search?" + query_string(wanted),
        atom_url="/search.atom?" + query_string(wanted, page=1, per_page=20),
        export_links=exports.export_links(wanted), export_note=exports.export_note(results.total),
        page_url=lambda page: "?" + query_string(wanted, page=page),
        home=home, newest=hub.store.newest(5) if home else (),
        core_products=CORE_PRODUCTS if home else (),
        core_titles={p.id: p.title for p in hub.store.get_many(list(CORE_PRODUCTS)).values()} if home else {},
        browse_url=lambda facet, value: "?" + query_string(wanted, q="", filters={facet: (value,)}, page=1),
        hit_html=lambda hit: hit_html(hit, hub.vocabularies, language))


# The two products every newcomer to HRBA should start from.
CORE_PRODUCTS = ("the-human-rights-based-approach-to-development-cooperation-towards-a-common",
                 "the-un-common-learning-package-on-hrba")


def _published(product_id: str):
    """Return the published product, or the right error for one the public may not see."""
    try:
        product = services().store.get(product_id)
    except ProductNotFound:
        raise NotFound(f"no product with id {product_id!r}") from None
    if product.status is Status.WITHDRAWN:
        raise Gone("this product has been withdrawn from the catalogue")
    if product.status is not Status.PUBLISHED:
        raise NotFound(f"no product with id {product_id!r}")
    return product


@blueprint.get("/products/<product_id>")
@auth.public
def product_page(product_id: str):
    """Show one product: metadata, language versions, link status, related products, citations.

    A product merged into another sends its visitors there (301), so old links keep working.
    """
    try:
        product = services().store.get(product_id)
    except ProductNotFound:
        product = None
    if product and product.replaced_by and product.status in (Status.WITHDRAWN, Status.REJECTED):
        return redirect(url_for("search.product_page", product_id=product.replaced_by,
                                lang=request.args.get("lang")), 301)
    return _render_product(_published(product_id))


def _render_product(product, *, report_errors=None, report_form=None, status: int = 200):
    hub = services()
    try:
        related = similar(hub.index, product.id, hub.vocabularies)
    except IndexUnavailableError:
        related = ()  # the page still shows the product itself
    page_url = product_url(product.id)
    # JSON inside <script>: <, >, & and ' are escaped as \u00XX, so neither "</script>" nor
    # "<!--" in a title can end the element or change how the HTML parser reads it.
    linked_data = htmlsafe_json_dumps(citations.json_ld(product, hub.vocabularies, page_url),
                                      dumps=json.dumps, ensure_ascii=False)
    urls = [product.url, *(v.url for v in product.versions), *(link.url for link in product.links)]
    page = render_template(
        "search/product.html", product=product, related=related,
        vocabularies=hub.vocabularies, linked_data=linked_data,
        dublin_core=citations.dublin_core(product, hub.vocabularies), exports=citations.FORMATS,
        checks=link_checks.checks_for(hub.store, urls), report_kinds=report_kinds(),
        report_errors=report_errors or {}, report_form=report_form or {})
    return page, status


# Reports a client address may send per hour: plenty for a person, too few for a spammer.
REPORTS_PER_HOUR = 10


@blueprint.post("/products/<product_id>/report")
@auth.public
def report_problem(product_id: str):
    """Receive a user's report of a problem with a product; it reaches the curators."""
    product = _published(product_id)
    form = {name: request.form.get(name, "")[:6000] for name in ("kind", "message", "contact")}
    store = services().store
    key = f"report-address:{client_address()}"
    if throttle.recent_events(store, key, timedelta(hours=1)) >= REPORTS_PER_HOUR:
        raise TooManyRequests(_("You have sent many reports in the last hour. Please try again later."),
                              retry_after=600)
    throttle.record_event(store, key)
    # A field people never see: only robots fill it. They are thanked and ignored.
    if not request.form.get("website"):
        try:
            reports.add_report(store, product.id, form["kind"], form["message"],
                               form["contact"], language=current_language())
        except ValidationError as exc:
            return _render_product(product, report_errors=exc.errors, report_form=form, status=422)
    flash(_("Thank you: the curators have your report."))
    return redirect(url_for("search.product_page", product_id=product.id,
                            lang=request.args.get("lang")) + "#report")


@blueprint.get("/products/<product_id>/export/<kind>")
@auth.public
def product_export(product_id: str, kind: str):
    """Download one product's citation or record: BibTeX, RIS, CSV or JSON Lines."""
    if kind not in citations.FORMATS:
        raise NotFound(f"no export called {kind!r}; try {', '.join(citations.FORMATS)}")
    product = _published(product_id)
    export = citations.FORMATS[kind]
    body = "".join(citations.render(kind, [product], services().vocabularies, product_url))
    return Response(body, content_type=export.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{product.id}.{export.extension}"'})
