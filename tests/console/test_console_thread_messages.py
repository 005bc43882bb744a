"""Posting a lead's words into the user's thread, per chat: a Teams reply through the (fake)
Bot Connector, and web conversations, which keep the words as a turn."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.console.thread_posts import ThreadPoster
from bot.db.models import Turn
from bot.settings import Settings
from bot.teams.thread_messages import TeamsThreadMessages
from tests.chat_drivers.teams import APP_ID, APP_PASSWORD
from tests.console import seed
from tests.fakes.bot_connector import FakeBotConnector


@pytest.fixture
def connector():
    with FakeBotConnector(APP_ID, APP_PASSWORD) as running:
        yield running


def test_a_teams_correction_is_a_reply_to_the_users_message(connector, tmp_path):
    settings = Settings(home=tmp_path, _env_file=None, teams_app_id=APP_ID, teams_app_password=APP_PASSWORD)
    address = {"activityId": "1700000000001", "serviceUrl": connector.service_url, "channelId": "msteams",
               "conversation": {"id": "a:personal-chat"}, "bot": {"id": APP_ID}}
    TeamsThreadMessages(settings, credentials_factory=connector.credentials_factory()).post(address, "Pro is <b>$15</b>.")
    [posted] = connector.posted("a:personal-chat")
    assert (posted.method, posted.reply_to_id) == ("POST", "1700000000001")
    assert posted.body["text"] == "Pro is <b>$15</b>." and posted.headers["authorization"].startswith("Bearer ")


def test_a_web_conversation_keeps_the_words_as_a_turn(container):
    with container.sessions.begin() as session:
        conversation_id = seed.conversation(session, "web").id

    def no_chat(chat):
        raise AssertionError(f"nothing to post into for a web conversation, asked for {chat}")

    assert ThreadPoster(container.sessions, no_chat).post(conversation_id, "Here is the fix.", "lea") == "web"
    with container.sessions() as session:
        turn = session.scalar(select(Turn).where(Turn.conversation_id == conversation_id))
    assert (turn.role, turn.user_id, turn.text) == ("bot", "console:lea", "Here is the fix.")
