"""Posting an answer into its Slack thread from a worker (bot.answer_handoff), with the
synchronous Web API client, and taking the :eyes: reaction off the question afterwards."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.messages import IncomingMessage, Reply
from bot.settings import Settings
from bot.slack.answering import LOOKING_INTO_IT
from bot.slack.clients import web_client
from bot.slack.render import render_reply

log = logging.getLogger(__name__)


class SlackReplyPoster:
    def __init__(self, settings: Settings) -> None:
        self._client = web_client(settings)

    def post(self, message: IncomingMessage, reply: Reply, context: dict) -> None:
        address = message.reply_address or {}
        self._client.chat_postMessage(
            channel=address["channel"], thread_ts=address.get("thread_ts"), unfurl_links=False, unfurl_media=False,
            **render_reply(reply),
        )

    def finished(self, message: IncomingMessage, context: dict) -> None:
        address, ts = message.reply_address or {}, context.get("ts")
        if not ts:
            return
        try:
            self._client.reactions_remove(channel=address["channel"], timestamp=ts, name=LOOKING_INTO_IT)
        except SlackApiError as exc:
            log.debug("Slack reactions.remove failed: %s", exc.response.get("error"))
