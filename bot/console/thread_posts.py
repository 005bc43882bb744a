"""Posting a support person's words (a dispute's correction, an escalation reply) into the user's
thread, in whichever chat the conversation lives, and keeping them as a turn of it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Conversation, Turn
from bot.support_messages import support_author

log = logging.getLogger(__name__)

# Chats with no thread to post into later: what the person wrote is kept on the conversation.
LOCAL_CHATS = ("web", "cli")


class ThreadMessages(Protocol):
    def post(self, address: dict, text: str) -> None: ...


class ThreadPostFailed(Exception):
    """`message` says why, for the person who pressed the button; nothing they wrote is lost."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ThreadPoster:
    def __init__(self, sessions: sessionmaker[Session], messages_for: Callable[[str], ThreadMessages]) -> None:
        self._sessions = sessions
        self._messages_for = messages_for  # by chat: "slack", "teams"

    def post(self, conversation_id: int, text: str, author: str) -> str:
        """Posts `text` and records it as a bot turn by `author`; returns the chat it went to."""
        with self._sessions() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise ThreadPostFailed("The conversation no longer exists, so nothing could be posted into it.")
            chat = conversation.channel.partition(":")[0]
            address = conversation.reply_address
        if chat not in LOCAL_CHATS:
            if not address:
                raise ThreadPostFailed(f"This {chat} conversation has no stored address to post into.")
            try:
                self._messages_for(chat).post(address, text)
            except Exception as exc:  # the chat's client errors differ (SlackApiError, HTTP errors, ...)
                log.warning("could not post into conversation %s (%s): %s", conversation_id, chat, exc)
                raise ThreadPostFailed(f"{chat.capitalize()} did not take the message ({_reason(exc)}); try again later.") from exc
        with self._sessions.begin() as session:
            session.add(Turn(conversation_id=conversation_id, role="bot", user_id=support_author(author), text=text))
        return chat


def _reason(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    error = response.get("error") if hasattr(response, "get") else None
    return str(error or type(exc).__name__)
