"""`supportbot users add/list/password/disable`: accounts for the review console."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from bot.cli.context import console, container, errors

users_app = typer.Typer(help="Review console accounts (support leads and admins).", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    """From a hidden prompt (typed twice), or the first line of stdin; never from the command line."""
    if from_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        errors.print("[red]No password given.[/red]")
        raise typer.Exit(2)
    return password


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Sign-in name, e.g. an email address")],
    role: Annotated[str, typer.Option(help="lead or admin")] = "lead",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin")] = False,
) -> None:
    """Add an account; the password is asked for (or read from stdin), and only its hash is kept."""
    from bot.console.accounts import AccountError, add_account
    from bot.console.passwords import WeakPassword

    password = _read_password(password_stdin)
    with container() as c:
        try:
            add_account(c.sessions, name, role, password)
        except (AccountError, WeakPassword) as exc:
            errors.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Added {role} {name}.")


@users_app.command("password")
def password(
    name: Annotated[str, typer.Argument()],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin")] = False,
) -> None:
    """Set a new password for an account."""
    from bot.console.accounts import AccountError, set_password
    from bot.console.passwords import WeakPassword

    new = _read_password(password_stdin)
    with container() as c:
        try:
            set_password(c.sessions, name, new)
        except (AccountError, WeakPassword) as exc:
            errors.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Password of {name} changed.")


@users_app.command("disable")
def disable(name: Annotated[str, typer.Argument()]) -> None:
    """Stop an account from signing in (its sessions end at once); its audit history stays."""
    from bot.console.accounts import AccountError, disable_account

    with container() as c:
        try:
            disable_account(c.sessions, name)
        except AccountError as exc:
            errors.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    console.print(f"Disabled {name}.")


@users_app.command("list")
def list_cmd() -> None:
    from bot.console.accounts import list_accounts

    with container() as c, c.sessions() as session:
        table = Table("name", "role", "created", "state")
        for account in list_accounts(session):
            table.add_row(account.name, account.role, f"{account.created_at:%Y-%m-%d}", "disabled" if account.disabled_at else "active")
        console.print(table)
