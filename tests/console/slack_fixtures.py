"""A console container whose Slack conversations post through the local fake Slack Web API."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.fakes.slack_api import FakeSlackApi

BOT_TOKEN = "xoxb-console-tests"


@pytest.fixture
def slack():
    with FakeSlackApi(bot_token=BOT_TOKEN) as fake:
        yield fake


@pytest.fixture
def settings(tmp_path, database_url, slack) -> Settings:
    return Settings(home=tmp_path / "var", database_url=database_url, _env_file=None, slack_bot_token=BOT_TOKEN,
                    slack_signing_secret="unused-here", slack_api_url=slack.api_url, console_sla_hours=4)


def slack_thread(session, seed, channel: str = "C_HELP", thread_ts: str = "1700000000.000100"):
    return seed.conversation(session, f"slack:T1/{channel}", reply_address={"channel": channel, "thread_ts": thread_ts})
