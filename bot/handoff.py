"""Handing a conversation to a person and back. While a person has it, the bot stays quiet."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import utcnow
from bot.db.models import Conversation

BOT = "bot"
HUMAN = "human"


class HandoffError(ValueError):
    pass


def mark_escalated(conversation: Conversation) -> None:
    """Put the conversation in front of a person without silencing the bot."""
    if conversation.escalated_at is None:
        conversation.escalated_at = utcnow()


def hand_to_human(conversation: Conversation) -> None:
    mark_escalated(conversation)
    conversation.handled_by = HUMAN
    conversation.script_state = None


def hand_back(sessions: sessionmaker[Session], conversation_id: int) -> None:
    with sessions.begin() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise HandoffError(f"no conversation {conversation_id}")
        conversation.handled_by = BOT
        conversation.escalated_at = None
