"""Escalation notices posted to the support team's Slack channel through the Web API (a local fake)."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.clients import SERVER_ERROR_RETRIES
from bot.escalations import EscalationNotice, EvidenceLink
from bot.settings import Settings
from bot.slack import SlackNoticeSender
from tests.chat_drivers.slack import message_text
from tests.fakes.slack_api import FakeSlackApi

TOKEN = "xoxb-notice-token"
NOTICE = EscalationNotice(
    escalation_id=7,
    reason="user_request",
    channel="slack:T1/C_HELP",
    conversation_key="1800000001.000001",
    requested_by="slack:U_ALICE",
    question="How do I connect my bank account?",
    answer="Open Settings > Bank feeds & choose your bank [1].",
    trace_id="c" * 32,
    evidence=[EvidenceLink("Connecting your bank", "https://help.tallyo.example/banking"), EvidenceLink("Bank FAQ", None)],
)


@pytest.fixture
def slack():
    with FakeSlackApi(bot_token=TOKEN) as fake:
        yield fake


def _sender(slack: FakeSlackApi) -> SlackNoticeSender:
    settings = Settings(_env_file=None, slack_bot_token=TOKEN, slack_signing_secret="s", slack_api_url=slack.api_url)
    return SlackNoticeSender(settings, channel="C_SUPPORT")


def test_a_notice_has_the_question_answer_evidence_reason_and_a_link_to_the_thread(slack):
    _sender(slack).send(NOTICE)
    [posted] = slack.posts("C_SUPPORT")
    text = message_text(posted)
    assert "How do I connect my bank account?" in text
    assert "Open Settings > Bank feeds & choose your bank [1]." in text
    assert "<https://help.tallyo.example/banking|Connecting your bank>" in text and "• Bank FAQ" in text
    assert "the user asked for a person" in text and "slack:U_ALICE" in text and "c" * 32 in text
    [permalink] = slack.calls_to("chat.getPermalink")
    assert permalink.args == {"channel": "C_HELP", "message_ts": "1800000001.000001"}
    assert "<https://fake.slack.example/archives/C_HELP/p1800000001000001|the thread>" in text
    assert "&gt;" in posted["blocks"][0]["text"]["text"]  # mrkdwn control characters escaped
    assert "How do I connect my bank account?" in posted["text"]


def test_a_notice_for_a_conversation_of_another_chat_has_no_permalink(slack):
    _sender(slack).send(EscalationNotice(1, "low_confidence", "teams:19:abc", "k", None, "Why?", "", None))
    assert slack.calls_to("chat.getPermalink") == []
    assert "`teams:19:abc` thread `k`" in message_text(slack.posts("C_SUPPORT")[0])


def test_a_failed_post_raises_so_the_notice_is_retried_later(slack):
    for _ in range(1 + SERVER_ERROR_RETRIES):
        slack.fail_next("chat.postMessage", 500)
    with pytest.raises(SlackApiError):
        _sender(slack).send(NOTICE)
