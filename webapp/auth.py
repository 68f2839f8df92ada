"""Who is signed in to the curator workspace, and who may use each route.

Passwords are hashed with argon2id (argon2-cffi's defaults follow RFC 9106). A session
carries the account id and the account's session epoch; bumping the epoch (logout,
password change, disable) ends every session of that account on every process.

Every view declares who may use it with one of three decorators: `public`,
`login_required` (curators and admins) or `admin_required`. A route whose view declares
nothing is refused (deny by default), and a test walks every route to check.
"""

from __future__ import annotations

import time
from datetime import timedelta
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g, redirect, request, session, url_for
from werkzeug.exceptions import Forbidden

from catalogue import accounts, throttle
from catalogue.accounts import Account
from webapp.services import services

HASHER = PasswordHasher()
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
# A dummy hash to verify against for unknown emails, so timing does not tell them apart.
_DUMMY_HASH = HASHER.hash("an unused password for timing")

ACCESS_LEVELS = ("public", "curator", "admin")
# However active, a session ends this long after sign-in (its idle limit is the app's
# PERMANENT_SESSION_LIFETIME).
SESSION_MAX_AGE = timedelta(hours=8)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


class LoginThrottled(Exception):
    """Too many failed logins from this address or for this account; wait and retry."""

    def __init__(self, minutes: int):
        self.minutes = minutes
        super().__init__(f"too many failed attempts; try again in {minutes} minutes")


def password_problem(password: str) -> str | None:
    """Return why `password` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD:
        return f"use at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"use at most {MAX_PASSWORD} characters"
    return None


def hash_password(password: str) -> str:
    """Return the argon2id hash of `password`."""
    return HASHER.hash(password)


def client_address() -> str:
    """Return the client's address as the server saw it."""
    return request.remote_addr or "unknown"


def _keys(email: str) -> tuple[str, str]:
    return f"login-address:{client_address()}", f"login-account:{accounts.normalise_email(email)}"


def authenticate(email: str, password: str) -> Account | None:
    """Return the active account whose password this is, or None; raise LoginThrottled."""
    store = services().store
    address_key, account_key = _keys(email)
    if (throttle.recent_events(store, address_key, FAILURE_WINDOW) >= MAX_FAILURES_PER_ADDRESS
            or throttle.recent_events(store, account_key, FAILURE_WINDOW) >= MAX_FAILURES_PER_ACCOUNT):
        raise LoginThrottled(int(FAILURE_WINDOW.total_seconds() // 60))
    found = accounts.find_account(store, email) if len(password) <= MAX_PASSWORD else None
    try:
        HASHER.verify(found[1] if found else _DUMMY_HASH, password[:MAX_PASSWORD])
        verified = found is not None
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified or not found[0].active:
        throttle.record_event(store, address_key, account_key)
        return None
    account = found[0]
    if HASHER.check_needs_rehash(found[1]):
        account = accounts.set_password_hash(store, account.email, hash_password(password))
    throttle.forget_events(store, account_key)
    return accounts.record_login(store, account.email)


def log_in(account: Account) -> None:
    """Start a fresh session for `account` (a new session id against fixation)."""
    session.clear()
    session.permanent = True
    session["account_id"] = account.id
    session["epoch"] = account.session_epoch
    session["since"] = int(time.time())


def log_out(everywhere: bool = False) -> None:
    """End this session (and, with `everywhere`, every other session of the account)."""
    account = current_account()
    if everywhere and account is not None:
        accounts.end_sessions(services().store, account.email)
    session.clear()


def verify_password(email: str, password: str) -> bool:
    """Tell whether `password` is the account's (no throttling: for signed-in users)."""
    found = accounts.find_account(services().store, email)
    try:
        return bool(found) and HASHER.verify(found[1], password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return False


def init_app(app: Flask) -> None:
    """Let templates ask who is signed in; refuse routes that declare no access."""
    app.context_processor(lambda: {"current_account": current_account})
    if "static" in app.view_functions:
        app.view_functions["static"] = public(_static_file)

    @app.before_request
    def _deny_undeclared():
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if view is not None and access_of(view) not in ACCESS_LEVELS:
            app.logger.error("route %s declares no access: refused", request.endpoint)
            raise Forbidden("this address is not open")


def _static_file(filename: str):
    """The app's own style sheets and scripts, open to anyone."""
    return current_app.send_static_file(filename)


def access_of(view) -> str | None:
    """Return who may use `view`, as its decorator declared ("public", "curator", "admin")."""
    return getattr(view, "access", None)


def current_account() -> Account | None:
    """Return the signed-in, still active account whose session is still valid."""
    if "account" not in g:
        account = None
        account_id = session.get("account_id")
        since = session.get("since")
        fresh = isinstance(since, int) and time.time() - since < SESSION_MAX_AGE.total_seconds()
        if isinstance(account_id, int) and fresh:
            found = accounts.get_account(services().store, account_id)
            if found and found.active and found.session_epoch == session.get("epoch"):
                account = found
        g.account = account
    return g.account


def public(view):
    """Declare a view open to anyone: the public catalogue and its machine interfaces, and
    the workspace's sign-in and sign-out pages."""
    view.access = "public"
    return view


def login_required(view):
    """Send anonymous users to the login page, then back here."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_account() is None:
            session.pop("account_id", None)
            return redirect(url_for("curator.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    wrapped.access = "curator"
    return wrapped


def admin_required(view):
    """Let only admins through (anonymous users go to the login page)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        account = current_account()
        if account is None:
            return redirect(url_for("curator.login", next=request.full_path.rstrip("?")))
        if not account.is_admin:
            raise Forbidden("only admins may do this")
        return view(*args, **kwargs)
    wrapped.access = "admin"
    return wrapped
