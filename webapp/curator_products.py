"""Curators' product pages under /curate/products (blueprint `curator_products`):
find, create, edit, preview, withdraw, restore, history and revert."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from catalogue import editing, queries, revisions
from catalogue.errors import EditConflict, ProductNotFound, ValidationError
from catalogue.model import Status
from webapp import auth
from webapp.curator_actions import flash_outcome
from catalogue.importers.describe import describe_pdf, describe_url
from catalogue.importers.errors import ImporterError, ParseError
from catalogue.validation import url_problem
from webapp.curator_forms import form_from_product, form_values, product_from_form, values_from_description
from webapp.services import services

blueprint = Blueprint("curator_products", __name__, url_prefix="/curate/products")
PER_PAGE = 50


def _actor() -> str:
    return auth.current_account().email


def _product(product_id: str):
    try:
        return services().store.get(product_id)
    except ProductNotFound:
        raise NotFound(f"no product with id {product_id!r}") from None


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@blueprint.get("/")
@auth.login_required
def find():
    """Find products by words of the title or id, and by status."""
    text = request.args.get("q", "")[:200]
    status = request.args.get("status", "")
    statuses = (Status(status),) if status in {s.value for s in Status} else ()
    missing = request.args.get("missing", "")
    missing = missing if missing in ("themes", "stages", "either") else ""
    page = _page_number()
    found = queries.find_products(services().store, text=text, statuses=statuses, missing=missing or None,
                                  limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template("curator_products/find.html", found=found, text=text, status=status,
                           page=page, pages=max(1, -(-found.total // PER_PAGE)),
                           statuses=[s.value for s in Status], missing=missing)


def _form_page(template_product, values, errors, status: int = 200, seen_revision: int | None = None,
               fill_note: dict | None = None):
    hub = services()
    return render_template("curator_products/form.html", product=template_product, values=values,
                           errors=errors, vocabularies=hub.vocabularies, seen_revision=seen_revision,
                           fill_note=fill_note,
                           tag_vocabularies={"agencies": "agency", "themes": "theme", "languages": "language",
                                             "regions": "region", "stages": "programming_stage"}), status


@blueprint.route("/new", methods=["GET", "POST"])
@auth.login_required
def create():
    """Add a product by hand."""
    if request.method == "GET":
        return _form_page(None, form_from_product(None), {})
    hub = services()
    try:
        product = product_from_form(request.form)
        if request.form.get("action") == "preview":
            return _preview(product)
        created = editing.create(hub.store, hub.vocabularies, product, _actor())
    except ValidationError as exc:
        return _form_page(None, form_values(request.form), exc.errors, 422)
    flash(_("Added %(title)s.", title=created.title))
    return redirect(url_for("curator_products.edit", product_id=created.id))


# A PDF a curator uploads to have it described may be bigger than other requests.
MAX_UPLOAD = 40 * 1024 * 1024


@blueprint.post("/fill")
@auth.login_required
def fill():
    """Describe a URL or an uploaded PDF and offer the new-product form filled from it."""
    request.max_content_length = MAX_UPLOAD
    hub = services()
    url = request.form.get("source_url", "").strip()
    upload = request.files.get("pdf")
    try:
        if upload and upload.filename:
            data = upload.read(MAX_UPLOAD + 1)
            described = describe_pdf(data, url or None)
        elif url:
            problem = url_problem(url)
            if problem:
                raise ParseError(f"the address {problem}")
            described = describe_url(url, hub.fetch_policy(allow_private=hub.config["HRBA_ALLOW_PRIVATE_FETCH"]))
        else:
            raise ParseError(_("give an address or choose a PDF file"))
    except ImporterError as exc:
        return _form_page(None, form_from_product(None), {"_fill": [str(exc)]}, 422)
    values, note = values_from_description(described, hub.vocabularies)
    return _form_page(None, values, {}, fill_note=note)


@blueprint.route("/<product_id>/edit", methods=["GET", "POST"])
@auth.login_required
def edit(product_id: str):
    """Edit every part of a product; the form remembers which revision it was opened at."""
    hub = services()
    current = _product(product_id)
    if request.method == "GET":
        return _form_page(current, form_from_product(current), {},
                          seen_revision=revisions.latest_revision_id(hub.store, product_id))
    seen = request.form.get("seen_revision", type=int)
    try:
        product = product_from_form(request.form, current)
        if request.form.get("action") == "preview":
            return _preview(product)
        editing.save(hub.store, hub.vocabularies, product, _actor(), seen)
    except ValidationError as exc:
        return _form_page(current, form_values(request.form), exc.errors, 422, seen)
    except EditConflict as exc:
        return _form_page(current, form_values(request.form), {"_": [str(exc)]}, 409, seen)
    flash(_("Saved. Search shows the change within seconds."))
    return redirect(url_for("curator_products.edit", product_id=product_id))


def _preview(product):
    """Show the public page as it would look, without saving anything."""
    hub = services()
    return render_template("search/product.html", product=product, related=(), preview=True,
                           vocabularies=hub.vocabularies, linked_data="{}", dublin_core=(),
                           exports={}, checks={}, report_kinds={}, report_errors={}, report_form={})


def _act(product_id: str, action, done: str):
    flash_outcome(action, done)
    return redirect(request.form.get("back") or url_for("curator_products.edit", product_id=product_id))


@blueprint.post("/<product_id>/withdraw")
@auth.login_required
def withdraw(product_id: str):
    """Withdraw a published product (a reason is required; a tombstone remains)."""
    return _act(product_id, lambda: editing.withdraw(services().store, product_id, _actor(),
                                                     request.form.get("reason", "")),
                _("Withdrawn."))


@blueprint.post("/<product_id>/restore")
@auth.login_required
def restore(product_id: str):
    """Publish a withdrawn or rejected product again."""
    return _act(product_id, lambda: editing.restore(services().store, product_id, _actor()), _("Restored."))


@blueprint.get("/<product_id>/history")
@auth.login_required
def history(product_id: str):
    """Every change of a product, as readable diffs, each one restorable."""
    product = _product(product_id)
    return render_template("curator_products/history.html", product=product,
                           revisions=revisions.history(services().store, product_id))


@blueprint.post("/<product_id>/revert/<int:revision_id>")
@auth.login_required
def revert(product_id: str, revision_id: int):
    """Bring a product back to an earlier revision (recorded as a new one)."""
    hub = services()
    return _act(product_id, lambda: editing.revert(hub.store, hub.vocabularies, product_id, revision_id, _actor()),
                _("Restored revision %(number)d.", number=revision_id))
