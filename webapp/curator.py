"""The curator workspace under /curate/ (blueprint `curator`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue import reports
from webapp import auth
from webapp.presenters import report_kinds
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
def logout():
    """Sign out (the form carries the CSRF token, so no one can sign you out from afar)."""
    auth.log_out()
    flash(_("You have signed out."))
    return redirect(url_for("curator.login"))


@blueprint.get("/")
@auth.login_required
def dashboard():
    """The curators' worklists, with counts."""
    store = services().store
    waiting = reports.open_reports(store, limit=50)
    titles = {p.id: p.title for p in store.get_many(sorted({r.product_id for r in waiting})).values()}
    return render_template("curator/dashboard.html", account=auth.current_account(),
                           reports=waiting, report_count=reports.count_open(store),
                           titles=titles, report_kinds=report_kinds())
