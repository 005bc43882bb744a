"""Posting a person's text (a correction, an escalation reply) into a Teams conversation from
the review console: a reply on the conversation reference the handler stored."""

from __future__ import annotations

import asyncio

from botbuilder.schema import ConversationReference
from botframework.connector import ConnectorClient
from botframework.connector.auth import ServiceClientCredentialsFactory

from bot.settings import Settings
from bot.teams.auth import OAUTH_SCOPE, app_credentials_factory, login_url
from bot.teams.render import text_activity


class TeamsThreadMessages:
    def __init__(self, settings: Settings, credentials_factory: ServiceClientCredentialsFactory | None = None) -> None:
        self._settings = settings
        self._credentials = credentials_factory or app_credentials_factory(settings)

    def post(self, address: dict, text: str) -> None:
        reference = ConversationReference().deserialize(address)
        activity = text_activity(text)
        activity.conversation, activity.reply_to_id = reference.conversation, reference.activity_id
        # botbuilder's credential factories are coroutines that do no I/O; this thread has no loop.
        credentials = asyncio.run(
            self._credentials.create_credentials(self._settings.teams_app_id, OAUTH_SCOPE, login_url(self._settings), True)
        )
        with ConnectorClient(credentials, base_url=reference.service_url) as client:
            if reference.activity_id:
                client.conversations.reply_to_activity(reference.conversation.id, reference.activity_id, activity)
            else:
                client.conversations.send_to_conversation(reference.conversation.id, activity)
