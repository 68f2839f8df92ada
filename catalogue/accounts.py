"""Curator and admin accounts.

Passwords never reach this module: callers hand it hashes (the web layer hashes with
argon2id), so the catalogue stays free of crypto.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalogue.errors import AccountError
from catalogue.store import Store, as_utc, utcnow
from catalogue.tables import UserRow


class Role(str, enum.Enum):
    """What an account may do: curators keep the catalogue, admins also manage accounts."""

    CURATOR = "curator"
    ADMIN = "admin"


@dataclass(frozen=True)
class Account:
    """A user of the curator workspace (never carries the password hash out)."""

    id: int
    email: str
    role: Role
    active: bool
    session_epoch: int
    created_at: datetime
    last_login_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def normalise_email(email: str) -> str:
    """Return the form of `email` accounts are keyed by (trimmed, lower case)."""
    return email.strip().lower()


def _from_row(row: UserRow) -> Account:
    return Account(id=row.id, email=row.email, role=Role(row.role), active=row.active,
                   session_epoch=row.session_epoch, created_at=as_utc(row.created_at),
                   last_login_at=as_utc(row.last_login_at))


def _check_email(email: str) -> str:
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(ch.isspace() for ch in email) or len(email) > 320:
        raise AccountError(f"{email!r} is not an email address")
    return email


def create_account(store: Store, email: str, password_hash: str, role: Role | str) -> Account:
    """Create an active account; raise AccountError if the email is taken or invalid."""
    email = _check_email(email)
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r}; use curator or admin") from None
    try:
        with store.write() as writer:
            row = UserRow(email=email, password_hash=password_hash, role=role.value,
                          active=True, session_epoch=0, created_at=utcnow())
            writer.session.add(row)
            writer.session.flush()
            return _from_row(row)
    except IntegrityError:
        raise AccountError(f"an account for {email} already exists") from None


def find_account(store: Store, email: str) -> tuple[Account, str] | None:
    """Return the account for `email` and its password hash, or None."""
    with store.read() as session:
        row = session.scalars(select(UserRow).where(UserRow.email == normalise_email(email))).first()
        return (_from_row(row), row.password_hash) if row else None


def get_account(store: Store, account_id: int) -> Account | None:
    """Return the account with `account_id`, or None."""
    with store.read() as session:
        row = session.get(UserRow, account_id)
        return _from_row(row) if row else None


def list_accounts(store: Store) -> list[Account]:
    """Return every account, by email."""
    with store.read() as session:
        return [_from_row(row) for row in session.scalars(select(UserRow).order_by(UserRow.email))]


def _change(store: Store, email: str, change) -> Account:
    with store.write() as writer:
        row = writer.session.scalars(
            select(UserRow).where(UserRow.email == normalise_email(email))).first()
        if row is None:
            raise AccountError(f"no account for {email}")
        change(row)
        writer.session.flush()
        return _from_row(row)


def set_password_hash(store: Store, email: str, password_hash: str) -> Account:
    """Replace the password hash and end every session of the account."""
    def change(row):
        row.password_hash = password_hash
        row.session_epoch += 1
    return _change(store, email, change)


def set_active(store: Store, email: str, active: bool) -> Account:
    """Enable or disable an account; disabling ends its sessions."""
    def change(row):
        if row.active and not active:
            row.session_epoch += 1
        row.active = active
    return _change(store, email, change)


def end_sessions(store: Store, email: str) -> Account:
    """End every session of the account (log out everywhere)."""
    def change(row):
        row.session_epoch += 1
    return _change(store, email, change)


def record_login(store: Store, email: str) -> Account:
    """Note a successful login."""
    def change(row):
        row.last_login_at = utcnow()
    return _change(store, email, change)
