"""Admin and catalogue-wide pages of the workspace (blueprint `curator_admin`): the activity
of the whole catalogue (and its Atom feed for admins), worklists, and user accounts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue import accounts, link_checks, queries, reports, revisions, search_misses
from catalogue.accounts import Role
from catalogue.errors import AccountError
from catalogue.store import utcnow
from webapp import auth
from webapp.feeds import rfc3339
from webapp.presenters import report_kinds
from webapp.services import services

blueprint = Blueprint("curator_admin", __name__, url_prefix="/curate")


@blueprint.get("/activity")
@auth.login_required
def activity():
    """The latest changes across the catalogue, by curators and importers."""
    people_only = request.args.get("people") == "1"
    before = request.args.get("before", type=int)
    found = revisions.activity(services().store, limit=50, before=before, include_importers=not people_only)
    return render_template("curator_admin/activity.html", revisions=found, people_only=people_only)


@blueprint.get("/activity.atom")
@auth.admin_required
def activity_feed():
    """The catalogue's activity as an Atom feed (admins only: it names curators)."""
    found = revisions.activity(services().store, limit=100)
    body = render_template("curator_admin/activity.xml", revisions=found, rfc3339=rfc3339, now=utcnow())
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}


@blueprint.get("/reports")
@auth.login_required
def problem_reports():
    """Users' problem reports, oldest first."""
    store = services().store
    waiting = reports.open_reports(store, limit=200)
    titles = {p.id: p.title for p in store.get_many(sorted({r.product_id for r in waiting})).values()}
    return render_template("curator_admin/reports.html", reports=waiting, titles=titles,
                           report_kinds=report_kinds())


@blueprint.post("/reports/<int:report_id>/resolve")
@auth.login_required
def resolve_report(report_id: int):
    """Close a report, saying what was done."""
    if reports.resolve_report(services().store, report_id, auth.current_account().email,
                              request.form.get("resolution", "")):
        flash(_("Report closed."))
    else:
        flash(_("That report is already closed or does not exist."), "error")
    return redirect(url_for("curator_admin.problem_reports"))


@blueprint.get("/links")
@auth.login_required
def broken_links():
    """Published products whose links the link checker found broken."""
    found, total = queries.broken_links(services().store)
    return render_template("curator_admin/links.html", broken=found, total=total,
                           archived=link_checks.archived_copy)


@blueprint.get("/searches")
@auth.login_required
def missed_searches():
    """What people searched for and did not find."""
    found, total = search_misses.top_misses(services().store)
    return render_template("curator_admin/searches.html", misses=found, total=total)


@blueprint.post("/searches/forget")
@auth.login_required
def forget_search():
    """Drop a query from the list once it has been dealt with."""
    search_misses.forget_miss(services().store, request.form.get("query", ""))
    flash(_("Removed from the list."))
    return redirect(url_for("curator_admin.missed_searches"))


@blueprint.route("/users", methods=["GET", "POST"])
@auth.admin_required
def users():
    """List accounts and create new ones (admins only)."""
    store = services().store
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        problem = auth.password_problem(password)
        try:
            if problem:
                raise AccountError(_("Password not accepted: %(problem)s.", problem=problem))
            created = accounts.create_account(store, request.form.get("email", ""), auth.hash_password(password),
                                              request.form.get("role", "curator"))
        except AccountError as exc:
            error = str(exc)
        else:
            flash(_("Created the account of %(email)s.", email=created.email))
            return redirect(url_for("curator_admin.users"))
    return render_template("curator_admin/users.html", accounts=accounts.list_accounts(store),
                           roles=[r.value for r in Role], error=error), 422 if error else 200


@blueprint.post("/users/<int:account_id>/<any(disable, enable, \"sign-out\"):action>")
@auth.admin_required
def change_user(account_id: int, action: str):
    """Disable, enable, or sign out everywhere an account (admins only)."""
    store = services().store
    account = accounts.get_account(store, account_id)
    if account is None:
        flash(_("No such account."), "error")
    elif account.id == auth.current_account().id and action == "disable":
        flash(_("You cannot disable your own account."), "error")
    else:
        if action == "disable":
            accounts.set_active(store, account.email, False)
        elif action == "enable":
            accounts.set_active(store, account.email, True)
        else:
            accounts.end_sessions(store, account.email)
        flash(_("Done: %(email)s.", email=account.email))
    return redirect(url_for("curator_admin.users"))
