"""What the Slack adapter posts and calls: the exact Block Kit of an answer, the Not right form,
DMs, a mention deep in a thread it had not joined, and a rate-limited post."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.chat_actions import DISPUTE_OPENED
from bot.db.models import AnswerTrace, Conversation, Dispute
from bot.db.models.feedback import DISPUTE_REASONS
from bot.slack.clients import SERVER_ERROR_RETRIES
from strategies.router import MISREAD
from tests.chat_drivers.base import running_driver, wait_until
from tests.conftest import DATABASES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=DATABASES)
def slack(request, tmp_path_factory, example_script_model):
    yield from running_driver("slack", request.param, tmp_path_factory, example_script_model)


def _trace(slack, trace_id: str) -> AnswerTrace:
    with slack.container.sessions() as session:
        return session.get(AnswerTrace, trace_id)


def test_an_answer_is_posted_in_the_thread_as_sections_sources_and_three_buttons(slack):
    thread = slack.new_thread()
    slack.send(thread, "How much does the Pro plan cost?")
    [answer] = wait_until(lambda: slack.bot_messages(thread))
    channel, root = thread.split("/")
    raw = answer.raw
    assert (raw["channel"], raw["thread_ts"], raw["unfurl_links"]) == (channel, root, False)
    blocks = raw["blocks"]
    *sections, sources, actions = blocks
    assert sections and all(b["type"] == "section" and b["text"]["type"] == "mrkdwn" for b in sections)
    lines = sources["text"]["text"].splitlines()
    assert lines[0] == "*Sources*"
    assert all(re.fullmatch(r"(\[\d+\])+ <https://help\.tallyo\.example[^|>]*\|[^>]+>( · .+)?", line) for line in lines[1:])
    assert actions["type"] == "actions"
    assert [(e["action_id"], e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        ("supportbot_helpful", "Helpful", answer.trace_id),
        ("supportbot_not_right", "Not right", answer.trace_id),
        ("supportbot_talk_to_human", "Talk to a human", answer.trace_id),
    ]
    trace = _trace(slack, answer.trace_id)
    assert (trace.channel, trace.answer) == (f"slack:T1/{channel}", raw["text"])
    with slack.container.sessions() as session:
        conversation = session.get(Conversation, trace.conversation_id)
        assert conversation.external_key == root
        assert conversation.reply_address == {"team": "T1", "channel": channel, "thread_ts": root}


def test_not_right_opens_a_form_with_the_reasons_and_its_submission_records_the_dispute(slack):
    thread = slack.new_thread()
    slack.send(thread, "How do I connect my bank account?")
    [answer] = wait_until(lambda: slack.bot_messages(thread))

    assert slack.click(answer, "not_right", user="bob", reason="wrong_doc", details="That is the old bank page") == 200
    [opened] = slack.fake.calls_to("views.open", ok_only=True)[-1:]
    view = opened.args["view"]
    assert view["type"] == "modal" and view["callback_id"] == "supportbot_dispute"
    reason, details = view["blocks"]
    assert reason["element"]["type"] == "static_select"
    assert [o["value"] for o in reason["element"]["options"]] == list(DISPUTE_REASONS)
    assert details["element"]["type"] == "plain_text_input" and details["optional"] is True

    [dispute] = wait_until(lambda: _disputes(slack, answer.trace_id))
    assert (dispute.reason, dispute.details, dispute.opened_by) == ("wrong_doc", "That is the old bank page", "slack:U_BOB")
    wait_until(lambda: DISPUTE_OPENED in slack.confirmations(thread))
    root = thread.split("/")[1]
    [told] = [c for c in slack.fake.calls_to("chat.postEphemeral") if c.args["text"] == DISPUTE_OPENED and c.args["thread_ts"] == root]
    assert told.args["user"] == "U_BOB"


def test_a_dm_is_answered_without_a_mention(slack):
    thread = f"D_ALICE/{slack.fake.next_ts()}"
    assert slack.deliver_event(slack.user_message(thread, "How much does the Pro plan cost?", channel_type="im")) == 200
    [answer] = wait_until(lambda: slack.bot_messages(thread))
    assert "$" in answer.text and _trace(slack, answer.trace_id).channel == "slack:T1/D_ALICE"


def test_a_file_shared_without_text_gets_the_empty_message_reply(slack):
    thread = f"D_BOB/{slack.fake.next_ts()}"
    shared = {**slack.user_message(thread, "", user="bob", channel_type="im"), "subtype": "file_share",
              "files": [{"id": "F1", "name": "invoice.pdf"}]}
    assert slack.deliver_event(shared) == 200
    [reply] = wait_until(lambda: slack.bot_messages(thread))
    assert "empty" in reply.text.lower() and reply.actions == [] and reply.trace_id is None


def test_a_mention_deep_in_a_thread_answers_with_the_earlier_messages_as_context(slack):
    thread = slack.new_thread()
    channel, root = thread.split("/")
    earlier = [
        {"user": "U_BOB", "ts": root, "text": "How much does the Pro plan cost?"},
        {"user": "U_CAROL", "ts": slack.fake.next_ts(), "thread_ts": root, "text": "Pro is for small teams"},
        {"bot_id": "B_OTHER", "ts": slack.fake.next_ts(), "thread_ts": root, "text": "I am another bot"},
    ]
    for message in earlier:
        slack.fake.add_thread_message(channel, root, {"type": "message", **message})
    slack._started.add(thread)
    mention = {**slack.user_message(thread, "<@U_SUPPORTBOT> and the Business plan?"), "type": "app_mention"}
    assert slack.deliver_event(mention) == 200

    [answer] = wait_until(lambda: slack.bot_messages(thread))
    [replies] = [c for c in slack.fake.calls_to("conversations.replies") if c.args.get("ts") == root]
    assert replies.args["channel"] == channel
    trace = _trace(slack, answer.trace_id)
    assert [turn["text"] for turn in trace.history] == ["How much does the Pro plan cost?", "Pro is for small teams"]
    assert "business" in trace.standalone_query.lower()


def test_a_rate_limited_post_waits_for_retry_after_and_is_posted_once(slack):
    thread = slack.new_thread()
    slack.fake.rate_limit_next("chat.postMessage", retry_after_s=1)
    slack.send(thread, "Which currencies can I invoice in?")
    wait_until(lambda: slack.bot_messages(thread))
    channel, root = thread.split("/")
    calls = [c for c in slack.fake.calls_to("chat.postMessage") if c.args.get("channel") == channel]
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].args == calls[1].args
    assert len(slack.bot_messages(thread)) == 1


def test_a_server_error_while_posting_is_retried_since_slack_will_not_redeliver_an_acked_event(slack):
    thread = slack.new_thread()
    slack.fake.fail_next("chat.postMessage", 503)
    slack.send(thread, "How do I export my invoices?")
    wait_until(lambda: slack.bot_messages(thread))
    channel, _root = thread.split("/")
    calls = [c for c in slack.fake.calls_to("chat.postMessage") if c.args.get("channel") == channel]
    assert [c.status for c in calls] == [503, 200]
    assert len(slack.bot_messages(thread)) == 1


def test_just_asking_is_answered_even_when_slack_refuses_to_update_the_pressed_message(slack):
    thread = slack.new_thread()
    slack.send(thread, "how do I reset my password? I forgot it")
    [started] = wait_until(lambda: slack.bot_messages(thread))
    for _ in range(1 + SERVER_ERROR_RETRIES):
        slack.fake.fail_next("chat.update", 500)
    assert slack.click(started, "just_asking") == 200
    _, answered = wait_until(lambda: len(slack.bot_messages(thread)) == 2 and slack.bot_messages(thread))
    assert answered.text.startswith(MISREAD) and answered.sources
    updates = [c for c in slack.fake.calls_to("chat.update") if c.args.get("ts") == started.raw["ts"]]
    assert updates and all(c.status == 500 for c in updates) and slack.updated(started) is None


def _disputes(slack, trace_id: str) -> list[Dispute]:
    with slack.container.sessions() as session:
        return list(session.scalars(select(Dispute).where(Dispute.trace_id == trace_id)))

