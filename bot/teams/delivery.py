"""Posting an answer into its Teams conversation, from a turn that runs after /api/messages has
answered (bot.chat_work). An answer that takes longer than teams_slow_answer_s is announced
with a "looking into it" note, the turn ends, and the answer is posted later as a proactive
message on the stored conversation reference. The delivery keys are finished only once the
answer is out, or released when it failed or was cancelled, so a redelivery is answered."""

from __future__ import annotations

import asyncio
import logging

from botbuilder.core import CloudAdapterBase, TurnContext
from botbuilder.schema import ConversationReference

from bot.chat_backend import ChatBackend
from bot.chat_work import ChatWork
from bot.messages import IncomingMessage, Reply
from bot.teams.render import reply_activity, text_activity

log = logging.getLogger(__name__)

LOOKING_INTO_IT = "Looking into it: I'll post the answer here in a moment."


class AnswerDelivery:
    def __init__(
        self,
        adapter: CloudAdapterBase,
        backend: ChatBackend,
        app_id: str | None,
        slow_after_s: float,
        background: ChatWork,
    ) -> None:
        self._adapter = adapter
        self._backend = backend
        self._app_id = app_id
        self._slow_after_s = slow_after_s
        self._background = background  # answers still to post later

    async def answer(self, turn: TurnContext, message: IncomingMessage, keys: list[str]) -> None:
        delivered = posting_later = False
        try:  # until the answer is posted or handed to _post_later, this turn owns the delivery keys
            answering = asyncio.ensure_future(self._backend.answer(message))
            done, _ = await asyncio.wait({answering}, timeout=self._slow_after_s)
            if done:
                await post_reply(turn, answering.result())
                delivered = True
                return
            reference = TurnContext.get_conversation_reference(turn.activity)
            self._background.start(self._post_later(answering, reference, keys), f"slow answer to activity {reference.activity_id}")
            posting_later = True
        finally:
            if not posting_later:
                await self._backend.finish(keys, delivered)
        try:
            await turn.send_activity(text_activity(LOOKING_INTO_IT))
        except Exception:
            log.warning("teams: could not post the looking-into-it note in %s; the answer follows", message.channel, exc_info=True)

    async def _post_later(self, answering: asyncio.Future, reference: ConversationReference, keys: list[str]) -> None:
        delivered = False
        try:
            reply = await answering

            async def post(turn: TurnContext) -> None:
                turn.activity.id = reference.activity_id  # post it as a reply to the question
                await post_reply(turn, reply)

            await self._adapter.continue_conversation(reference, post, bot_app_id=self._app_id)
            delivered = True
        except Exception:
            log.exception("teams: could not post a slow answer in conversation %s", reference.conversation.id)
        finally:
            await self._backend.finish(keys, delivered)


async def post_reply(turn: TurnContext, reply: Reply) -> None:
    activity = reply_activity(reply)
    if activity is not None:
        await turn.send_activity(activity)
