"""`supportbot users`: accounts made from the command line, the password never on it."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import context as cli_context
from bot.cli.main import app
from bot.console.sign_in import ConsoleSignIn, SignInRefused
from bot.db.models import ConsoleAccount

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch, tmp_path, database_url):
    for name in list(os.environ):
        if name.startswith("SUPPORTBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SUPPORTBOT_HOME", str(tmp_path / "var"))
    monkeypatch.setenv("SUPPORTBOT_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    for console in (cli_context.console, cli_context.errors):
        monkeypatch.setattr(console, "_width", 1000)


def users(*args: str, input: str | None = None):  # noqa: A002 - click's name
    return runner.invoke(app, ["users", *args], input=input, catch_exceptions=False)


def test_add_reads_the_password_from_stdin_and_keeps_only_a_hash(cli_env, container):
    added = users("add", "lea@example.com", "--role", "admin", "--password-stdin", input="a long passphrase\n")
    assert added.exit_code == 0, added.output
    assert "a long passphrase" not in added.output
    with container.sessions() as session:
        account = session.scalar(select(ConsoleAccount))
    assert (account.name, account.role) == ("lea@example.com", "admin")
    assert "a long passphrase" not in account.password_hash
    sign_in = container.console.sign_in
    assert isinstance(sign_in, ConsoleSignIn)
    token, signed = sign_in.sign_in("lea@example.com", "a long passphrase", "127.0.0.1")
    assert token and signed.is_admin
    listed = users("list")
    assert "lea@example.com" in listed.output and "admin" in listed.output


def test_bad_input_exits_with_a_message(cli_env, container):
    assert users("add", "sam", "--role", "boss", input="a long passphrase\n").exit_code == 1
    short = users("add", "sam", input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    assert users("add", "sam", input="\n").exit_code == 2
    users("add", "sam", input="a long passphrase\n")
    again = users("add", "sam", input="a long passphrase\n")
    assert again.exit_code == 1 and "already exists" in again.output


def test_password_and_disable(cli_env, container):
    users("add", "sam", input="first passphrase\n")
    assert users("password", "sam", input="second passphrase\n").exit_code == 0
    sign_in = container.console.sign_in
    with pytest.raises(SignInRefused):
        sign_in.sign_in("sam", "first passphrase", "10.0.0.1")
    sign_in.sign_in("sam", "second passphrase", "10.0.0.1")
    assert users("disable", "sam").exit_code == 0
    with pytest.raises(SignInRefused):
        sign_in.sign_in("sam", "second passphrase", "10.0.0.1")
    assert users("disable", "nobody").exit_code == 1
