"""The review queue under /curate/review (blueprint `curator_review`): what the crawler and
importers brought, to approve, reject, edit or merge, one by one or in bulk."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from catalogue import editing, queries
from catalogue.errors import ProductNotFound, ValidationError, WorkflowError
from catalogue.model import Status
from webapp import auth
from webapp.curator_actions import flash_outcome, problem_text
from webapp.services import services

blueprint = Blueprint("curator_review", __name__, url_prefix="/curate/review")
PER_PAGE = 50
MAX_BULK = 200


def _since(raw: str) -> datetime | None:
    try:
        return datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=timezone.utc) if raw else None
    except ValueError:
        return None


@blueprint.get("/")
@auth.login_required
def queue():
    """Everything waiting for review, filtered by source, agency, date and suspected duplicate."""
    hub = services()
    args = request.args
    flagged = {"yes": True, "no": False}.get(args.get("duplicates", ""))
    found = queries.find_products(hub.store, statuses=(Status.PENDING_REVIEW,), source=args.get("source") or None,
                                  agency=args.get("agency") or None, since=_since(args.get("since", "")),
                                  flagged=flagged, limit=PER_PAGE)
    flags = queries.flags_for(hub.store, [p.id for p in found.products])
    others = hub.store.get_many(sorted({f.other_id for fs in flags.values() for f in fs}))
    return render_template("curator_review/queue.html", found=found, flags=flags, others=others,
                           sources=queries.sources(hub.store), vocabularies=hub.vocabularies, args=args)


def _actor() -> str:
    return auth.current_account().email


@blueprint.post("/<product_id>/approve")
@auth.login_required
def approve(product_id: str):
    """Publish one product."""
    return _one(lambda: editing.approve(services().store, product_id, _actor()), _("Published."))


@blueprint.post("/<product_id>/reject")
@auth.login_required
def reject(product_id: str):
    """Turn one product down, with a reason."""
    return _one(lambda: editing.reject(services().store, product_id, _actor(), request.form.get("reason", "")),
                _("Rejected."))


@blueprint.post("/<product_id>/merge")
@auth.login_required
def merge(product_id: str):
    """Merge one product into the one it duplicates."""
    hub = services()
    into = request.form.get("into", "").strip()
    return _one(lambda: editing.merge(hub.store, hub.vocabularies, product_id, into, _actor()),
                _("Merged into %(id)s.", id=into))


def _one(action, done: str):
    flash_outcome(action, done)
    return redirect(url_for("curator_review.queue", **_filters()))


def _filters() -> dict:
    return {k: v for k, v in request.form.items() if k in ("source", "agency", "since", "duplicates") and v}


@blueprint.post("/bulk")
@auth.login_required
def bulk():
    """Approve or reject the ticked products together (each one recorded on its own)."""
    hub = services()
    ids = list(dict.fromkeys(request.form.getlist("product")))[:MAX_BULK]
    action = request.form.get("action")
    reason = request.form.get("reason", "")
    if action not in ("approve", "reject") or not ids:
        flash(_("Tick at least one product, then choose approve or reject."), "error")
        return redirect(url_for("curator_review.queue", **_filters()))
    done, failed = 0, []
    for product_id in ids:
        try:
            if action == "approve":
                editing.approve(hub.store, product_id, _actor())
            else:
                editing.reject(hub.store, product_id, _actor(), reason)
            done += 1
        except (ProductNotFound, WorkflowError, ValidationError) as exc:
            message = problem_text(exc) if isinstance(exc, ValidationError) else str(exc)
            failed.append(f"{product_id}: {message}")
    flash(ngettext("%(num)d product done.", "%(num)d products done.", done))
    for message in failed[:10]:
        flash(message, "error")
    return redirect(url_for("curator_review.queue", **_filters()))
