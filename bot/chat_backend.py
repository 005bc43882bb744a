"""Everything a chat adapter may ask of the bot, as coroutines. Answers run on a small thread
pool sized for the CPU (the models are CPU-bound); quick database work runs on asyncio's
default pool so a button click never waits behind a slow answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.admin_commands import AdminCommands
from bot.answer_service import AnswerService
from bot.chat_actions import ActionResult, ChatActions
from bot.db.models import Conversation
from bot.delivery_ledger import DeliveryLedger
from bot.messages import IncomingMessage, Reply
from bot.support_messages import SupportMessage, support_messages_since


class ChatBackend:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        answers: Callable[[], AnswerService],  # built on first use: loading the models takes seconds
        actions: ChatActions,
        admin: AdminCommands,
        ledger: DeliveryLedger,
        workers: int = 2,
        hand_off: Callable[[IncomingMessage, list[str], dict], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._answers = answers
        self._actions = actions
        self._admin = admin
        self.ledger = ledger
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")
        self._hand_off = hand_off  # set when workers answer (bot.answer_handoff)

    @property
    def answers_elsewhere(self) -> bool:
        """Whether answers are computed and posted by workers, not by this process."""
        return self._hand_off is not None

    async def hand_off(self, message: IncomingMessage, keys: list[str], context: dict | None = None) -> None:
        """Queue a claimed message for a worker, which answers, posts and finishes its delivery."""
        await asyncio.to_thread(self._hand_off, message, keys, context or {})

    async def answer(self, message: IncomingMessage) -> Reply:
        return await asyncio.get_running_loop().run_in_executor(self._pool, lambda: self._answers().handle(message))

    async def knows_conversation(self, channel: str, conversation_key: str) -> bool:
        """Whether the bot has taken part in this thread (follow-ups there need no mention)."""
        return await asyncio.to_thread(self._knows_conversation, channel, conversation_key)

    def _knows_conversation(self, channel: str, conversation_key: str) -> bool:
        with self._sessions() as session:
            found = session.scalar(
                select(Conversation.id).where(Conversation.channel == channel, Conversation.external_key == conversation_key)
            )
        return found is not None

    async def support_messages(self, channel: str, conversation_key: str, after_id: int) -> list[SupportMessage]:
        """What support people wrote into the conversation from the console, after turn `after_id`."""
        return await asyncio.to_thread(support_messages_since, self._sessions, channel, conversation_key, after_id)

    async def helpful(self, trace_id: str, user_id: str) -> ActionResult:
        return await asyncio.to_thread(self._actions.helpful, trace_id, user_id)

    async def dispute(self, trace_id: str, user_id: str, reason: str, details: str) -> ActionResult:
        return await asyncio.to_thread(self._actions.dispute, trace_id, user_id, reason, details)

    async def talk_to_human(self, trace_id: str, user_id: str) -> ActionResult:
        return await asyncio.to_thread(self._actions.talk_to_human, trace_id, user_id)

    async def claim_just_asking(self, trace_id: str, user_id: str) -> tuple[IncomingMessage, list[str]] | None:
        """The message to answer for a Just asking click and the delivery keys now claimed for it
        (finish them once answered); None when a click on that answer is already answered.
        Raises MovedOn or UnknownTrace."""
        return await self._claim_pressed(trace_id, await asyncio.to_thread(self._actions.just_asking, trace_id, user_id))

    async def claim_script_answer(self, trace_id: str, user_id: str, answer: str) -> tuple[IncomingMessage, list[str]] | None:
        """As claim_just_asking, for an answer button under a script's question (Yes, No, a choice)."""
        return await self._claim_pressed(trace_id, await asyncio.to_thread(self._actions.script_answer, trace_id, user_id, answer))

    async def _claim_pressed(self, trace_id: str, message: IncomingMessage) -> tuple[IncomingMessage, list[str]] | None:
        # one reply per answer, in any chat: a second click, or Just asking after Yes, is not answered
        keys = [f"pressed:{trace_id}"]
        return (message, keys) if await self.claim(keys) else None

    async def without_reply_buttons(self, trace_id: str, channel: str) -> Reply:
        return await asyncio.to_thread(self._actions.without_reply_buttons, trace_id, channel)

    async def admin(self, actor: str, channel: str, text: str) -> str:
        return await asyncio.to_thread(self._admin.run, actor, channel, text)

    async def claim(self, keys: list[str]) -> bool:
        return await asyncio.to_thread(self.ledger.claim, keys)

    async def finish(self, keys: list[str], succeeded: bool) -> None:
        await asyncio.to_thread(self.ledger.finish, keys, succeeded)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
