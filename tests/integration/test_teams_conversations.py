"""Teams conventions beyond the shared suite: channel threads (mentions, reply chains), answers
that take long (a note, then a proactive message), admin commands in a channel, and a Bot
Connector that fails while a background turn answers."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import select

from bot.db.models import AnswerTrace, ChannelPolicy, ChatDelivery, Conversation
from bot.delivery_ledger import DONE, FAILED
from tests.chat_drivers.base import running_driver, wait_until
from tests.chat_drivers.teams import BOT, TENANT, TeamsDriver
from tests.conftest import DATABASES

pytestmark = pytest.mark.slow

SLOW_ANSWER_S = 3.0  # well above a warm answer here, so only the slowed one takes the slow path


@pytest.fixture(scope="module", params=DATABASES)
def teams(request, tmp_path_factory, example_script_model) -> TeamsDriver:
    yield from running_driver("teams", request.param, tmp_path_factory, example_script_model, teams_slow_answer_s=SLOW_ANSWER_S)


class ChannelThread:
    """A reply chain in a Teams channel, started by a post that mentions the bot (or not)."""

    def __init__(self, teams: TeamsDriver, root: str | None = None) -> None:
        self.teams = teams
        self.root = root or teams.activity("x", "alice")["id"]
        self.conversation = f"19:general-{self.root}@thread.tacv2;messageid={self.root}"

    def post(self, text: str, *, mention: bool = True, first: bool = False) -> tuple[int, str]:
        body = f"<at>supportbot</at> {text}" if mention else text
        entities = [{"type": "mention", "mentioned": BOT, "text": "<at>supportbot</at>"}] if mention else None
        activity = self.teams.activity(self.conversation, "alice", text=body, conversation_type="channel", entities=entities)
        if first:
            activity["id"] = self.root
        return self.teams.post(activity, "message"), activity["id"]

    def answers(self):
        return self.teams.bot_messages(self.conversation)


def test_a_channel_message_without_a_mention_is_ignored(teams, caplog):
    thread = ChannelThread(teams)
    with caplog.at_level(logging.INFO, logger="bot.teams"):
        status, _ = thread.post("How much does the Pro plan cost?", mention=False, first=True)
        assert status == 200
        wait_until(lambda: "does not mention the bot: ignored" in caplog.text, timeout_s=10)
    assert teams.connector.posted(thread.conversation) == []


def test_a_mention_in_a_channel_is_answered_in_its_reply_chain_without_the_mention_text(teams):
    thread = ChannelThread(teams)
    thread.post("How much does the Pro plan cost?", first=True)
    [answer] = wait_until(thread.answers)
    assert "$" in answer.text
    with teams.container.sessions() as session:
        trace = session.get(AnswerTrace, answer.trace_id)
        assert trace.question == "How much does the Pro plan cost?"
        assert trace.channel == f"teams:{TENANT}/19:general-{thread.root}@thread.tacv2"
        assert session.get(Conversation, trace.conversation_id).external_key == thread.root


def test_a_follow_up_in_the_reply_chain_has_the_chain_as_context(teams):
    thread = ChannelThread(teams)
    thread.post("How much does the Pro plan cost?", first=True)
    wait_until(thread.answers)
    thread.post("and the Business plan?")
    first, follow_up = wait_until(lambda: len(thread.answers()) == 2 and thread.answers())
    with teams.container.sessions() as session:
        trace = session.get(AnswerTrace, follow_up.trace_id)
        assert [turn["text"] for turn in trace.history][:1] == ["How much does the Pro plan cost?"]
        assert "business" in trace.standalone_query.lower()
    other = ChannelThread(teams)
    other.post("and the Business plan?", first=True)
    [unrelated] = wait_until(other.answers)
    with teams.container.sessions() as session:
        assert session.get(AnswerTrace, unrelated.trace_id).history == []


def test_an_admin_command_in_a_channel_sets_that_channels_strategy(teams):
    thread = ChannelThread(teams)
    status, command_id = thread.post("/supportbot strategy set script", first=True)
    assert status == 200
    teams.sent[command_id] = "admin"
    [reply] = wait_until(lambda: teams._replies_to(thread.conversation, "admin", activity_id=command_id))
    assert "script" in reply.body["text"]
    with teams.container.sessions() as session:
        policy = session.query(ChannelPolicy).filter_by(channel=f"teams:{TENANT}/19:general-{thread.root}@thread.tacv2").one()
        assert (policy.policy, policy.updated_by) == ("script", teams.user_id("alice"))


def test_a_slow_answer_is_announced_and_then_posted_proactively(teams, monkeypatch):
    backend = teams.container.chat_backend
    answer = backend.answer

    async def slow_answer(message):
        await asyncio.sleep(SLOW_ANSWER_S + 2)
        return await answer(message)

    monkeypatch.setattr(backend, "answer", slow_answer)
    thread = teams.new_thread()
    assert teams.send(thread, "How do I export my invoices?") == 200
    [note] = wait_until(lambda: teams.looking_into_it_notes(thread), timeout_s=30)
    assert teams.bot_messages(thread) == []
    question_id = teams._last["id"]
    assert note.reply_to_id == question_id
    typing = teams.connector.posted(thread, typing=True)
    assert typing and all(t.reply_to_id == question_id for t in typing), "Teams shows the bot typing meanwhile"

    [answer_message] = wait_until(lambda: teams.bot_messages(thread), timeout_s=60)
    [posted] = [p for p in teams.connector.posted(thread) if p.body is answer_message.raw]
    assert posted.reply_to_id == question_id and posted.headers["authorization"].startswith("Bearer ")
    # the question starts the export script with the example model, so Just asking comes first
    assert answer_message.actions[-3:] == ["helpful", "not_right", "talk_to_human"] and answer_message.trace_id
    assert teams.resend_last() == 200  # a late retry of the question is not answered again
    assert len(teams.bot_messages(thread)) == 1


def test_a_reply_the_connector_refuses_fails_the_turn_with_a_log_line_and_the_redelivery_is_answered(teams, caplog):
    thread = teams.new_thread()
    teams.fail_next_reply()
    with caplog.at_level(logging.ERROR, logger="bot.teams"):
        assert teams.send(thread, "Which currencies can I invoice in?") == 200  # acknowledged before answering
        question_id = teams._last["id"]
        wait_until(lambda: [d.status for d in _deliveries(teams, thread)] == [FAILED], timeout_s=30)
        wait_until(lambda: f"turn of activity {question_id} in {thread} failed" in caplog.text, timeout_s=10)
    assert teams.bot_messages(thread) == []

    assert teams.resend_last() == 200  # the Bot Framework delivers it again: answered this time, once
    wait_until(lambda: [d.status for d in _deliveries(teams, thread)] == [DONE], timeout_s=30)
    assert len(teams.bot_messages(thread)) == 1


def _deliveries(teams: TeamsDriver, conversation: str) -> list[ChatDelivery]:
    with teams.container.sessions() as session:
        rows = session.scalars(select(ChatDelivery).where(ChatDelivery.key.startswith(f"teams:activity:teams:{TENANT}/{conversation}/")))
        return list(rows)
