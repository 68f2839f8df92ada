"""`hrba users ...`: curator and admin accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from catalogue import accounts
from catalogue.accounts import Role
from webapp.auth import hash_password, password_problem
from webapp.services import services as app_services


def _store():
    hub = app_services()
    hub.migrate()
    return hub.store


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise click.ClickException(f"password not accepted: {problem}")
    return password


@click.group("users")
def users_group():
    """Manage curator and admin accounts.

    Example: hrba users create --role admin ana@example.org
    """


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CURATOR.value,
              show_default=True, help="admin manages users and vocabularies; curator keeps products.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@with_appcontext
def create_command(email: str, role: str, password_stdin: bool):
    """Create an account; asks for its password (twice) unless --password-stdin.

    Example: echo "$PASSWORD" | hrba users create --role curator --password-stdin li@example.org
    """
    store = _store()
    account = accounts.create_account(store, email, hash_password(_read_password(password_stdin)), role)
    click.echo(f"Created {account.role.value} account {account.email}.")


@users_group.command("list")
@with_appcontext
def list_command():
    """List every account with its role, state and last sign-in.

    Example: hrba users list
    """
    found = accounts.list_accounts(_store())
    for account in found:
        state = "active" if account.active else "disabled"
        last = account.last_login_at.strftime("%Y-%m-%d %H:%M") if account.last_login_at else "never"
        click.echo(f"{account.email}\t{account.role.value}\t{state}\tlast sign-in: {last}")
    click.echo(f"accounts: {len(found)}", err=True)


@users_group.command("disable")
@click.argument("email")
@with_appcontext
def disable_command(email: str):
    """Disable an account and end its sessions at once.

    Example: hrba users disable li@example.org
    """
    accounts.set_active(_store(), email, False)
    click.echo(f"Disabled {accounts.normalise_email(email)}; its sessions have ended.")


@users_group.command("enable")
@click.argument("email")
@with_appcontext
def enable_command(email: str):
    """Enable a disabled account again.

    Example: hrba users enable li@example.org
    """
    accounts.set_active(_store(), email, True)
    click.echo(f"Enabled {accounts.normalise_email(email)}.")


@users_group.command("reset")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of stdin.")
@with_appcontext
def reset_command(email: str, password_stdin: bool):
    """Set a new password for an account; its sessions end.

    Example: hrba users reset li@example.org
    """
    accounts.set_password_hash(_store(), email, hash_password(_read_password(password_stdin)))
    click.echo(f"New password set for {accounts.normalise_email(email)}; its sessions have ended.")
