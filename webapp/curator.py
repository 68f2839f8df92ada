"""The curator workspace under /curate/ (blueprint `curator`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue import accounts, queries, reports, revisions, search_misses
from catalogue.model import Status
from webapp import auth
from webapp.services import services

blueprint = Blueprint("curator", __name__, url_prefix="/curate")


def _safe_next(target: str | None) -> str:
    """Return `target` if it is a path in the workspace, else the dashboard (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/curate/") \
                and "\\" not in target:
            return target
    return url_for("curator.dashboard")


@blueprint.route("/login", methods=["GET", "POST"])
@auth.public
def login():
    """Sign in with email and password."""
    error, status = None, 200
    email = request.form.get("email", "").strip()
    if request.method == "POST":
        try:
            account = auth.authenticate(email, request.form.get("password", ""))
        except auth.LoginThrottled as exc:
            error = _("Too many failed attempts. Wait %(minutes)d minutes, then try again.",
                      minutes=exc.minutes)
            status = 429
        else:
            if account is not None:
                auth.log_in(account)
                return redirect(_safe_next(request.args.get("next")))
            error, status = _("That email and password do not match an active account."), 401
    return render_template("curator/login.html", error=error, email=email), status


@blueprint.post("/logout")
@auth.public
def logout():
    """Sign out: this session and any other of the account end (the form carries the CSRF
    token, so no one can sign you out from afar)."""
    auth.log_out(everywhere=True)
    flash(_("You have signed out."))
    return redirect(url_for("curator.login"))


@blueprint.get("/")
@auth.login_required
def dashboard():
    """The curators' worklists, each with its count."""
    store = services().store
    pending = queries.find_products(store, statuses=(Status.PENDING_REVIEW,), limit=1).total
    flagged = queries.find_products(store, statuses=(Status.PENDING_REVIEW,), flagged=True, limit=1).total
    published = (Status.PUBLISHED,)
    worklists = [
        (_("Waiting for review"), pending, url_for("curator_review.queue")),
        (_("… of which suspected duplicates"), flagged, url_for("curator_review.queue", duplicates="yes")),
        (_("Problems reported by users"), reports.count_open(store), url_for("curator_admin.problem_reports")),
        (_("Broken links"), queries.broken_links(store, limit=0)[1], url_for("curator_admin.broken_links")),
        (_("Searches that found nothing"), search_misses.top_misses(store, limit=0)[1],
         url_for("curator_admin.missed_searches")),
        (_("Published products without themes"),
         queries.find_products(store, statuses=published, missing="themes", limit=1).total,
         url_for("curator_products.find", status="published", missing="themes")),
        (_("Published products without a programming stage"),
         queries.find_products(store, statuses=published, missing="stages", limit=1).total,
         url_for("curator_products.find", status="published", missing="stages")),
    ]
    return render_template("curator/dashboard.html", worklists=worklists,
                           recent=revisions.activity(store, limit=10, include_importers=False))


@blueprint.route("/account", methods=["GET", "POST"])
@auth.login_required
def account():
    """Change your own password (every other session of yours ends)."""
    error = None
    if request.method == "POST":
        me = auth.current_account()
        new = request.form.get("new_password", "")
        if not auth.verify_password(me.email, request.form.get("current_password", "")):
            error = _("Your current password is not right.")
        elif new != request.form.get("confirm_password", ""):
            error = _("The two new passwords differ.")
        elif problem := auth.password_problem(new):
            error = _("Password not accepted: %(problem)s.", problem=problem)
        else:
            changed = accounts.set_password_hash(services().store, me.email, auth.hash_password(new))
            auth.log_in(changed)  # this session goes on; the others have ended
            flash(_("Your password has been changed; your other sessions have ended."))
            return redirect(url_for("curator.dashboard"))
    return render_template("curator/account.html", error=error), 422 if error else 200
