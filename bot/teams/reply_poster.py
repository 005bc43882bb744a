"""Posting an answer into its Teams conversation from a worker (bot.answer_handoff): a reply to
the question through the Bot Connector, on the conversation reference the handler stored."""

from __future__ import annotations

import asyncio

from botbuilder.schema import ConversationReference
from botframework.connector import ConnectorClient
from botframework.connector.auth import ServiceClientCredentialsFactory

from bot.messages import IncomingMessage, Reply
from bot.settings import Settings
from bot.teams.auth import OAUTH_SCOPE, app_credentials_factory, login_url
from bot.teams.render import reply_activity


class TeamsReplyPoster:
    def __init__(self, settings: Settings, credentials_factory: ServiceClientCredentialsFactory | None = None) -> None:
        self._settings = settings
        self._credentials = credentials_factory or app_credentials_factory(settings)

    def post(self, message: IncomingMessage, reply: Reply, context: dict) -> None:
        reference = ConversationReference().deserialize(message.reply_address or {})
        activity = reply_activity(reply)
        if activity is None:
            return
        activity.conversation, activity.reply_to_id = reference.conversation, reference.activity_id
        # botbuilder's credential factories are coroutines that do no I/O; this thread has no loop.
        credentials = asyncio.run(
            self._credentials.create_credentials(self._settings.teams_app_id, OAUTH_SCOPE, login_url(self._settings), True)
        )
        with ConnectorClient(credentials, base_url=reference.service_url) as client:
            client.conversations.reply_to_activity(reference.conversation.id, reference.activity_id, activity)

    def finished(self, message: IncomingMessage, context: dict) -> None:
        """Nothing to undo: Teams' typing indicator ends by itself."""
