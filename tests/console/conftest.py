"""Console fixtures: a container on SQLite and PostgreSQL (tests/conftest.py), accounts, and a
signed-in HTTP client on the app in-process (Starlette's TestClient)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from bot.console.accounts import add_account
from bot.settings import Settings
from bot.web.app import create_app

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    # fewer failures before a pause, so throttling tests stay short
    return Settings(home=tmp_path / "var", database_url=database_url, _env_file=None,
                    console_failed_sign_ins_per_account=3, console_failed_sign_ins_per_client=6)


@pytest.fixture
def accounts(container):
    add_account(container.sessions, "lea", "lead", PASSWORD)
    add_account(container.sessions, "leo", "lead", PASSWORD)
    add_account(container.sessions, "ada", "admin", PASSWORD)
    return container


@pytest.fixture
def app(accounts):
    return create_app(accounts)


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD, client_next: str = "/console/"):
    form = client.get("/console/login")
    return client.post("/console/login", data={"name": name, "password": password, "csrf_token": csrf_of(form.text),
                                               "next": client_next}, follow_redirects=False)


@pytest.fixture
def lead(app):
    return signed_in_client(app, "lea")


@pytest.fixture
def other_lead(app):
    return signed_in_client(app, "leo")


def new_client(app) -> TestClient:
    """Not entered as a context manager: the app's lifespan would warm the embedding model up."""
    return TestClient(app, base_url="http://127.0.0.1")


def signed_in_client(app, name: str) -> TestClient:
    client = new_client(app)
    assert sign_in(client, name).status_code == 303
    client.csrf = csrf_of(client.get("/console/traces").text)
    return client
