"""A Teams message is acknowledged once its token is checked, and its turn runs after the HTTP
response: the answer arrives later through the fake Bot Connector. (Shutdown with turns still
running: test_chat_shutdown.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.container import Container
from bot.db.models import ChatDelivery
from bot.delivery_ledger import DONE, PROCESSING
from bot.settings import Settings
from bot.web.app import create_app
from tests.chat_drivers.base import HeldAnswers, wait_until
from tests.chat_drivers.teams import APP_ID, APP_PASSWORD, TENANT, TeamsDriver
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.web_app import serve_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def connector() -> Iterator[FakeBotConnector]:
    with FakeBotConnector(APP_ID, APP_PASSWORD) as fake:
        yield fake


@contextmanager
def teams_app(home: Path, connector: FakeBotConnector, **settings) -> Iterator[TeamsDriver]:
    """The web app with Teams on and an empty knowledge base, served until the block ends (its shutdown)."""
    container = Container(Settings(
        home=home / "var", database_url=f"sqlite:///{home / 'supportbot.db'}", _env_file=None, teams_app_id=APP_ID,
        teams_app_password=APP_PASSWORD, teams_openid_metadata_url=connector.openid_metadata_url, **settings,
    ))
    container.init_db()
    container.teams_credentials = connector.credentials_factory()
    try:
        with serve_app(create_app(container)) as base:
            yield TeamsDriver(base, connector, container)
    finally:
        container.engine.dispose()


def deliveries(driver: TeamsDriver, conversation: str) -> list[str]:
    with driver.container.sessions() as session:
        key = f"teams:activity:teams:{TENANT}/{conversation}/"
        return [d.status for d in session.scalars(select(ChatDelivery).where(ChatDelivery.key.startswith(key)))]


def test_a_message_is_acknowledged_before_its_answer_is_worked_out(tmp_path, connector, monkeypatch):
    with teams_app(tmp_path, connector) as teams:
        held = HeldAnswers(teams.container, monkeypatch)
        thread = teams.new_thread()
        assert teams.send(thread, "hello") == 200  # while the answer is held
        assert held.started.wait(30), "the turn runs after the response"
        assert teams.connector.posted(thread) == [] and deliveries(teams, thread) == [PROCESSING]

        held.release()
        [answer] = wait_until(lambda: teams.connector.posted(thread), timeout_s=30)
        assert answer.reply_to_id == teams._last["id"]
        wait_until(lambda: deliveries(teams, thread) == [DONE], timeout_s=10)
