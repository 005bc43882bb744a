"""What support people write into a conversation from the review console (an escalation reply, a
dispute's correction) is kept as a bot turn whose author is `console:<name>`. Slack and Teams
get it posted into their thread at once; the local web chat has no thread to post into, so its
page reads these back from here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Conversation, Turn

AUTHOR_PREFIX = "console:"


def support_author(name: str) -> str:
    return AUTHOR_PREFIX + name


@dataclass(frozen=True)
class SupportMessage:
    id: int  # the turn's id: ask for those after it next time
    author: str  # the support person's console name
    text: str


def support_messages_since(
    sessions: sessionmaker[Session], channel: str, conversation_key: str, after_id: int, limit: int = 50
) -> list[SupportMessage]:
    with sessions() as session:
        rows = session.execute(
            select(Turn.id, Turn.user_id, Turn.text)
            .join(Conversation, Conversation.id == Turn.conversation_id)
            .where(
                Conversation.channel == channel,
                Conversation.external_key == conversation_key,
                Turn.id > after_id,
                Turn.user_id.startswith(AUTHOR_PREFIX, autoescape=True),
            )
            .order_by(Turn.id)
            .limit(limit)
        ).all()
    return [SupportMessage(id=row.id, author=row.user_id.removeprefix(AUTHOR_PREFIX), text=row.text) for row in rows]
