"""kiosk user add|list|remove|passwd: accounts of the operator console (docs/console.md)."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli.common import App, fail, json_option, library_errors, pass_app, print_json, print_table
from kiosk.store.accounts import Role, check_password_rules


@click.group("user")
def user_group() -> None:
    """Console accounts: viewer (reads), operator (attendance, absences, recap), technician (all)."""


def _password(password_file: Path | None) -> str:
    """From a file (first line; the file should be 0600), else typed twice without echo."""
    if password_file is not None:
        try:
            text = password_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            fail(f"cannot read --password-file {password_file}: {exc.strerror or exc}")
        password = text[0] if text else ""
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    check_password_rules(password)
    return password


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="What the account may do.")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), help="Read the password from this file.")
@pass_app
@library_errors
def add(app: App, name: str, role: str, password_file: Path | None) -> None:
    """Create a console account; the password is prompted twice unless --password-file is given."""
    account = app.store.accounts.add(name, role, _password(password_file))
    app.store.audit.log("console.user_add", None, {"account": account.name, "role": account.role.value})
    click.echo(f"Added console account {account.name} ({account.role.value}).")


@user_group.command("list")
@json_option
@pass_app
def list_users(app: App, as_json: bool) -> None:
    """List console accounts and their roles (never the password hashes)."""
    accounts = app.store.accounts.list()
    if as_json:
        print_json([{"name": a.name, "role": a.role.value, "created_utc": a.created_utc.isoformat()} for a in accounts])
        return
    if not accounts:
        click.echo("No console accounts yet. Create one with: kiosk user add NAME --role technician")
        return
    print_table(["NAME", "ROLE", "CREATED"], [(a.name, a.role.value, f"{a.created_utc:%Y-%m-%d %H:%M}") for a in accounts])


@user_group.command("remove")
@click.argument("name")
@pass_app
@library_errors
def remove(app: App, name: str) -> None:
    """Remove a console account; its open sessions end at once."""
    account = app.store.accounts.remove(name)
    app.store.audit.log("console.user_remove", None, {"account": account.name, "role": account.role.value})
    click.echo(f"Removed console account {account.name}.")


@user_group.command("passwd")
@click.argument("name")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), help="Read the password from this file.")
@pass_app
@library_errors
def passwd(app: App, name: str, password_file: Path | None) -> None:
    """Set a new password; the account's open sessions end."""
    account = app.store.accounts.get(name)
    if account is None:
        fail(f"no account named {name!r}; see `kiosk user list`")
    app.store.accounts.set_password(account.name, _password(password_file))
    app.store.audit.log("console.user_passwd", None, {"account": account.name})
    click.echo(f"Password of {account.name} changed; its sessions were closed.")
