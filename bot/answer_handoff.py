"""Answers computed and posted by a worker instead of the web process. When an LLM writes the
answers they take seconds, so with workers configured the chat adapter only claims the
delivery, acknowledges, and hands the message over; a worker answers it, posts the reply
through the chat's ReplyPoster, and finishes the delivery (released on failure, so a chat's
retry is answered)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Protocol

from bot.answer_service import AnswerService
from bot.delivery_ledger import DeliveryLedger
from bot.messages import Action, IncomingMessage, Reply

log = logging.getLogger(__name__)


class ReplyPoster(Protocol):
    """Posts into a conversation from outside a chat request (on a worker). `context` is what the
    adapter handed over with the message, e.g. the id of the message that shows a reaction."""

    def post(self, message: IncomingMessage, reply: Reply, context: dict) -> None: ...

    def finished(self, message: IncomingMessage, context: dict) -> None:
        """After the answer was posted or failed: undo a 'looking into it' indicator; best effort."""


def handoff_payload(message: IncomingMessage, keys: list[str], context: dict) -> dict:
    return {"message": asdict(message), "keys": list(keys), "context": dict(context)}


def message_from_payload(payload: dict) -> IncomingMessage:
    fields = dict(payload["message"])
    fields["earlier_messages"] = tuple(fields.get("earlier_messages") or ())
    fields["pressed"] = Action(fields["pressed"]) if fields.get("pressed") else None
    return IncomingMessage(**fields)


class WorkerAnswers:
    def __init__(
        self,
        answers: Callable[[], AnswerService],
        ledger: DeliveryLedger,
        poster_for: Callable[[str], ReplyPoster],  # by chat: "slack", "teams"
    ) -> None:
        self._answers, self._ledger, self._poster_for = answers, ledger, poster_for

    def deliver(self, payload: dict) -> bool:
        message = message_from_payload(payload)
        keys, context = payload["keys"], payload.get("context") or {}
        chat = message.channel.partition(":")[0]
        poster = self._poster_for(chat)
        delivered = False
        try:
            reply = self._answers().handle(message)
            if reply.text:  # empty: a person has the conversation, the bot stays quiet
                poster.post(message, reply, context)
            delivered = True
        except Exception:
            log.exception("could not answer or post message %s in %s; a retry from %s will be answered",
                          keys, message.channel, chat)
        finally:
            self._ledger.finish(keys, delivered)
            try:
                poster.finished(message, context)
            except Exception:
                log.warning("could not clear the looking-into-it indicator in %s", message.channel, exc_info=True)
        return delivered
