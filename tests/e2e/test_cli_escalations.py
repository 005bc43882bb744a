"""`supportbot escalations list / hand-back`: a person sees what waits and gives it back to the bot."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.container import Container
from bot.db.models import Conversation, Escalation
from bot.messages import IncomingMessage, Outcome
from bot.settings import Settings
from tests.e2e.test_cli import cli, isolate, table

pytestmark = pytest.mark.slow


def test_an_escalation_is_listed_then_handed_back_and_the_bot_answers_again(tmp_path, monkeypatch):
    isolate(monkeypatch, tmp_path)
    container = Container(Settings(home=tmp_path / "var", _env_file=None))
    container.init_db()
    message = IncomingMessage(channel="slack:T1/C1", conversation_key="1700.1", user_id="slack:U1", text="How do I add a user?")
    first = container.answer_service.handle(message)
    container.chat_actions.talk_to_human(first.trace_id, "slack:U1")
    assert container.answer_service.handle(message).outcome is Outcome.WITH_HUMAN

    listed = cli("escalations", "list")
    assert listed.exit_code == 0, listed.output
    [(escalation_id, row)] = table(listed.output).items()
    assert row[2:5] == ["low_confidence", "slack:T1/C1", "quiet"] and "add a user" in row[5]

    handed = cli("escalations", "hand-back", escalation_id, "--note", "Explained user invites", "--by", "lead@tallyo")
    assert handed.exit_code == 0, handed.output
    assert cli("escalations", "list").output.strip() == "No open escalations."
    again = cli("escalations", "hand-back", escalation_id)
    assert again.exit_code == 1 and "already resolved" in again.output
    assert cli("escalations", "hand-back", "999").exit_code == 1

    with container.sessions() as session:
        escalation = session.get(Escalation, int(escalation_id))
        assert (escalation.resolution, escalation.claimed_by) == ("Explained user invites", "lead@tallyo")
        conversation = session.scalar(select(Conversation).where(Conversation.external_key == "1700.1"))
        assert (conversation.handled_by, conversation.escalated_at) == ("bot", None)
    assert container.answer_service.handle(message).outcome is not Outcome.WITH_HUMAN
    container.engine.dispose()
