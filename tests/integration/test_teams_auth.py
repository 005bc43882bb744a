"""Bot Framework authentication at /api/messages with real JWTs: only a token signed by the
channel's key, for our app id, from the channel's issuer, for this serviceUrl, endorsed for
the channel and not expired gets in; everything else is a 401 (never a 500), bad bodies 400."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from bot.container import Container
from bot.settings import Settings
from bot.teams import TeamsChat
from bot.web.app import create_app
from tests.chat_drivers.base import wait_until
from tests.chat_drivers.teams import APP_ID, APP_PASSWORD, TeamsDriver
from tests.fakes.bot_connector import FakeBotConnector, new_signing_key
from tests.fakes.web_app import serve_app

pytestmark = pytest.mark.slow


def _settings(tmp: Path, **teams) -> Settings:
    return Settings(home=tmp / "var", database_url=f"sqlite:///{tmp / 'supportbot.db'}", _env_file=None, **teams)


@pytest.fixture(scope="module")
def teams(tmp_path_factory):
    """The web app with Teams on and an empty knowledge base: enough to test who gets in."""
    home = tmp_path_factory.mktemp("teams-auth")
    with FakeBotConnector(APP_ID, APP_PASSWORD) as connector:
        settings = _settings(home, teams_app_id=APP_ID, teams_app_password=APP_PASSWORD,
                             teams_openid_metadata_url=connector.openid_metadata_url)
        container = Container(settings)
        container.init_db()
        container.teams_credentials = connector.credentials_factory()
        with serve_app(create_app(container)) as base:
            yield TeamsDriver(base, connector, container)
        container.engine.dispose()


def _post(teams: TeamsDriver, activity: dict, headers: dict) -> httpx.Response:
    return httpx.post(f"{teams.base}/api/messages", json=activity, headers=headers, timeout=60)


def _hello(teams: TeamsDriver, **fields) -> dict:
    return {**teams.activity(teams.new_thread(), "alice", text="hello"), **fields}


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("case", "token"),
    [
        ("signed by another key", lambda c: c.mint_token(key=new_signing_key())),
        ("signed by an unknown key id", lambda c: c.mint_token(key=new_signing_key(), key_id="someone-elses-key")),
        ("expired", lambda c: c.mint_token(expires_in=-3600)),
        ("for another app", lambda c: c.mint_token(audience="another-app-id")),
        ("from another issuer", lambda c: c.mint_token(issuer="https://sts.example.com/")),
        ("for another serviceUrl", lambda c: c.mint_token(service_url="https://smba.trafficmanager.net/emea/")),
        ("not a JWT", lambda c: "not-a-jwt"),
    ],
)
def test_an_invalid_token_is_refused_with_401(teams, caplog, case, token):
    activity = _hello(teams)
    with caplog.at_level(logging.WARNING, logger="bot.teams"):
        response = _post(teams, activity, _bearer(token(teams.connector)))
    assert response.status_code == 401, case
    assert "not authenticated" in caplog.text
    assert teams.connector.posted(activity["conversation"]["id"]) == []


def test_no_token_or_another_scheme_is_refused_with_401(teams):
    assert _post(teams, _hello(teams), {}).status_code == 401
    assert _post(teams, _hello(teams), {"Authorization": f"Basic {teams.connector.mint_token()}"}).status_code == 401


def test_a_token_used_for_a_channel_its_key_is_not_endorsed_for_is_refused(teams):
    activity = _hello(teams, channelId="webchat")
    assert _post(teams, activity, _bearer(teams.connector.mint_token())).status_code == 401


def test_a_valid_token_gets_in_and_the_reply_is_signed_with_the_bots_own_token(teams):
    thread = teams.new_thread()
    assert teams.send(thread, "hello") == 200
    [reply] = wait_until(lambda: teams.connector.posted(thread), timeout_s=30)  # answered in the background
    scheme, _, token = reply.headers["authorization"].partition(" ")
    assert scheme == "Bearer" and token and teams.connector.token_requests >= 1
    assert teams.connector.refused == []


def test_the_bots_own_token_is_fetched_once_not_for_every_reply(teams):
    first = teams.new_thread()
    teams.send(first, "hello")
    wait_until(lambda: teams.connector.posted(first), timeout_s=30)
    fetched = teams.connector.token_requests
    for _ in range(3):
        thread = teams.new_thread()
        assert teams.send(thread, "hello again") == 200
        wait_until(lambda: teams.connector.posted(thread), timeout_s=30)
    assert teams.connector.token_requests == fetched


def test_a_conversation_update_is_accepted_and_ignored(teams, caplog):
    activity = teams.activity(teams.new_thread(), "alice", type="conversationUpdate")
    activity["membersAdded"] = [{"id": "29:alice"}]
    with caplog.at_level(logging.INFO, logger="bot.teams"):
        assert teams.post(activity, "other") == 200
    assert "conversationUpdate activity" in caplog.text and "ignored" in caplog.text
    assert teams.connector.posted(activity["conversation"]["id"]) == []


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2, 3]", b'"a string"', b'{"type": "message"}', b'{"type": "message", "entities": "nope"}', b"\xff\xfe"],
)
def test_a_malformed_body_is_a_400_with_a_log_line(teams, caplog, body):
    with caplog.at_level(logging.WARNING, logger="bot.teams"):
        response = httpx.post(f"{teams.base}/api/messages", content=body,
                              headers={"Content-Type": "application/json", **_bearer(teams.connector.mint_token())}, timeout=30)
    assert response.status_code == 400
    assert "rejected" in caplog.text


def test_no_secret_reaches_the_logs(teams, caplog):
    token = teams.connector.mint_token()
    with caplog.at_level(logging.DEBUG):
        thread = teams.new_thread()
        teams.post(teams.activity(thread, "alice", text="hi"), "message", token=token)
        wait_until(lambda: teams.connector.posted(thread), timeout_s=30)  # the whole turn logged, not only the request
        _post(teams, _hello(teams), _bearer(token[:-4] + "abcd"))
    assert APP_PASSWORD not in caplog.text and token not in caplog.text and token.split(".")[2] not in caplog.text


def test_without_an_app_id_or_the_dev_flag_teams_is_not_served(tmp_path):
    with FakeBotConnector() as connector:
        settings = _settings(tmp_path, teams_openid_metadata_url=connector.openid_metadata_url)
        container = Container(settings)
        container.init_db()
        with pytest.raises(ValueError, match="Teams is off"):
            TeamsChat(settings, container.chat_backend)
        with serve_app(create_app(container)) as base:
            unsigned = TeamsDriver(base, connector, container)
            response = httpx.post(f"{base}/api/messages", json=_hello(unsigned), timeout=30)
            assert response.status_code in (404, 405)
            assert connector.posted() == []
        container.engine.dispose()


def test_the_dev_flag_without_an_app_id_accepts_requests_without_a_token_and_warns_loudly(tmp_path, caplog):
    with FakeBotConnector() as connector:  # no app: the fake takes unsigned posts, as the emulator does
        settings = _settings(tmp_path, teams_dev_without_auth=True)
        container = Container(settings)
        container.init_db()
        with caplog.at_level(logging.WARNING):
            app = create_app(container)
        assert "TEAMS AUTHENTICATION IS OFF" in caplog.text
        with serve_app(app) as base:
            dev = TeamsDriver(base, connector, container)
            thread = dev.new_thread()
            response = httpx.post(f"{base}/api/messages", json=dev.activity(thread, "alice", text="hello"), timeout=60)
            assert response.status_code == 200
            [reply] = wait_until(lambda: connector.posted(thread), timeout_s=30)
            assert "authorization" not in reply.headers
        container.engine.dispose()
