"""Posting a person's text (a correction, an escalation reply) into a Slack thread from the
review console, with the synchronous Web API client, at the address the conversation stored."""

from __future__ import annotations

from bot.settings import Settings
from bot.slack.clients import web_client
from bot.slack.render import escape


class SlackThreadMessages:
    def __init__(self, settings: Settings) -> None:
        self._client = web_client(settings)

    def post(self, address: dict, text: str) -> None:
        """Raises slack_sdk's SlackApiError (or a connection error) when Slack refuses or is away."""
        self._client.chat_postMessage(
            channel=address["channel"], thread_ts=address.get("thread_ts"), text=escape(text),
            unfurl_links=False, unfurl_media=False,
        )
