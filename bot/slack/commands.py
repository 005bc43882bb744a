"""`/supportbot TEXT`: the chat-neutral admin commands, answered ephemerally through the
command's response_url."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp, AsyncRespond

from bot.chat_backend import ChatBackend
from bot.slack.actions import acknowledge
from bot.slack.addresses import channel_key, user_key

log = logging.getLogger(__name__)

COMMAND = "/supportbot"


def register_commands(app: AsyncApp, backend: ChatBackend) -> None:
    async def run_admin_command(body: dict, respond: AsyncRespond) -> None:
        actor = user_key(str(body.get("user_id") or ""))
        channel = channel_key(str(body.get("team_id") or ""), str(body.get("channel_id") or ""))
        answer = await backend.admin(actor, channel, str(body.get("text") or ""))
        await respond(text=answer, response_type="ephemeral", replace_original=False)

    app.command(COMMAND)(ack=acknowledge, lazy=[run_admin_command])
