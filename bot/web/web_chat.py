"""The local web chat at `/`: a page and its JSON endpoints on the same answer service. The page
asks every few seconds for what support people wrote into its conversation from the review
console (a Slack or Teams user gets that posted into their thread)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, HTTPException, Path as PathParam, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from bot.chat_actions import MovedOn, UnknownTrace
from bot.chat_backend import ChatBackend
from bot.messages import MAX_PRESSED_ANSWER_CHARS, IncomingMessage, Reply, sources_of

log = logging.getLogger(__name__)

PAGE = Path(__file__).with_name("static") / "chat.html"
CHANNEL = "web"
_ID = r"^[A-Za-z0-9_-]{1,64}$"
ALREADY_CLICKED = "I'm already on it."


class WebMessage(BaseModel):
    conversation: str = Field(pattern=_ID)
    user: str = Field(pattern=_ID)
    text: str = Field(max_length=100_000)  # longer than any answerable message: the service explains the limit


class WebAction(BaseModel):
    trace_id: str = Field(pattern=_ID)
    user: str = Field(pattern=_ID)
    action: Literal["helpful", "not_right", "talk_to_human", "just_asking", "answer"]
    answer: str = Field("", max_length=MAX_PRESSED_ANSWER_CHARS)  # for "answer": the script question's answer pressed
    reason: str = "other"
    details: str = Field("", max_length=4000)


def web_chat_routes(backend: ChatBackend) -> APIRouter:
    router = APIRouter()
    page = PAGE.read_text(encoding="utf-8")

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def chat_page() -> str:
        return page

    @router.post("/chat/messages")
    async def post_message(message: WebMessage) -> dict:
        reply = await backend.answer(
            IncomingMessage(
                channel=CHANNEL, conversation_key=message.conversation, user_id=f"web:{message.user}", text=message.text
            )
        )
        return _reply_payload(reply)

    @router.get("/chat/conversations/{conversation}/support-messages")
    async def support_messages(
        conversation: str = PathParam(pattern=_ID), after: int = Query(0, ge=0, description="the last message id seen")
    ) -> dict:
        found = await backend.support_messages(CHANNEL, conversation, after)
        return {"messages": [{"id": m.id, "author": m.author, "text": m.text} for m in found]}

    @router.post("/chat/actions")
    async def post_action(action: WebAction) -> dict:
        user = f"web:{action.user}"
        try:
            if action.action == "just_asking":
                return await pressed_reply(backend.claim_just_asking(action.trace_id, user))
            if action.action == "answer":
                return await pressed_reply(backend.claim_script_answer(action.trace_id, user, action.answer))
            if action.action == "helpful":
                result = await backend.helpful(action.trace_id, user)
            elif action.action == "not_right":
                result = await backend.dispute(action.trace_id, user, action.reason, action.details)
            else:
                result = await backend.talk_to_human(action.trace_id, user)
        except UnknownTrace as exc:
            log.warning("web chat action on an unknown trace: %s", exc)
            raise HTTPException(404, "That answer is not known here any more.") from None
        return {"text": result.text}

    async def pressed_reply(claim) -> dict:
        """Just asking or an answer button: answered like the message typed; the reply comes back as
        from /chat/messages."""
        try:
            claimed = await claim
        except MovedOn as exc:
            return {"text": exc.text}
        if claimed is None:
            return {"text": ALREADY_CLICKED}
        message, keys = claimed
        succeeded = False
        try:
            payload = _reply_payload(await backend.answer(message))
            succeeded = True
        finally:
            await backend.finish(keys, succeeded)
        return payload

    return router


def _reply_payload(reply: Reply) -> dict:
    return {
        "text": reply.text,
        "outcome": reply.outcome.value,
        "trace_id": reply.trace_id,
        "sources": [
            {"numbers": list(s.numbers), "title": s.title, "section": s.section, "url": s.url} for s in sources_of(reply.citations)
        ],
        "actions": [a.value for a in reply.actions],
        "choices": list(reply.choices),
    }
