"""Escalation notices to a Teams channel, posted through the (fake) Bot Connector with the bot's token."""

from __future__ import annotations

import pytest
from msrest.exceptions import HttpOperationError

from bot.escalations import EscalationNotice, EvidenceLink
from bot.settings import Settings
from bot.teams import TeamsNoticeSender
from tests.chat_drivers.teams import APP_ID, APP_PASSWORD, SUPPORT_CHANNEL
from tests.fakes.bot_connector import FakeBotConnector

NOTICE = EscalationNotice(
    escalation_id=3, reason="low_confidence", channel="teams:t/a:1", conversation_key="a:1", requested_by=None,
    question="Can I pay in yen?", answer="I'm not sure.", trace_id="b" * 32,
    evidence=[EvidenceLink("Currencies", "https://help.tallyo.example/currencies")],
)


@pytest.fixture
def connector():
    with FakeBotConnector(APP_ID, APP_PASSWORD) as running:
        yield running


def _sender(connector: FakeBotConnector, tmp_path) -> TeamsNoticeSender:
    settings = Settings(home=tmp_path, _env_file=None, teams_app_id=APP_ID, teams_app_password=APP_PASSWORD,
                        teams_notice_service_url=connector.service_url)
    return TeamsNoticeSender(settings, conversation_id=SUPPORT_CHANNEL, credentials_factory=connector.credentials_factory())


def test_a_notice_is_a_new_post_in_the_support_channel_signed_with_the_bots_token(connector, tmp_path):
    _sender(connector, tmp_path).send(NOTICE)
    [posted] = connector.posted(SUPPORT_CHANNEL)
    assert (posted.method, posted.reply_to_id) == ("POST", None)
    assert posted.headers["authorization"].startswith("Bearer ") and connector.refused == []
    assert "Can I pay in yen?" in posted.body["text"] and "[Currencies](https://help.tallyo.example/currencies)" in posted.body["text"]


def test_a_connector_failure_is_raised_so_the_notice_is_tried_again(connector, tmp_path):
    connector.fail_next_post()
    with pytest.raises(HttpOperationError):
        _sender(connector, tmp_path).send(NOTICE)
    assert connector.posted(SUPPORT_CHANNEL) == []
