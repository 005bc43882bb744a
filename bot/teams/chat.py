"""TeamsChat: botbuilder's CloudAdapter machinery wired to the bot's ChatBackend. A message
activity is acknowledged as soon as its token is checked and its turn runs in the background;
an invoke (or an expectReplies delivery) carries its result in the HTTP response, so its turn
runs inside the request."""

from __future__ import annotations

import logging

from botbuilder.core import CloudAdapterBase, InvokeResponse
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes
from botframework.connector.auth import AuthenticateRequestResult, ServiceClientCredentialsFactory

from bot.chat_backend import ChatBackend
from bot.chat_work import ChatWork
from bot.settings import Settings
from bot.teams.auth import (
    ReusedClientsAuthentication,
    ReusedCredentialsFactory,
    app_credentials_factory,
    bot_framework_authentication,
)
from bot.teams.delivery import AnswerDelivery
from bot.teams.handler import SupportBotHandler
from bot.teams.typing import TypingWhileTurnRuns

log = logging.getLogger(__name__)

TYPING_AFTER_S, TYPING_EVERY_S = 0.5, 3.0


class TeamsChat:
    def __init__(
        self,
        settings: Settings,
        backend: ChatBackend,
        credentials_factory: ServiceClientCredentialsFactory | None = None,
    ) -> None:
        if not settings.teams_enabled:
            raise ValueError("Teams is off: set SUPPORTBOT_TEAMS_APP_ID (and its password)")
        if not settings.teams_app_id:
            log.warning(
                "TEAMS AUTHENTICATION IS OFF (SUPPORTBOT_TEAMS_DEV_WITHOUT_AUTH): /api/messages accepts requests "
                "without a Bot Framework token. For local development only; never expose this app."
            )
        elif settings.teams_dev_without_auth:
            log.warning("SUPPORTBOT_TEAMS_DEV_WITHOUT_AUTH is ignored: an app id is set, so every request needs a token")
        # The seam for outgoing tokens: botbuilder's own factory (MSAL, login.microsoftonline.com) unless one is given (the tests' local token endpoint).
        credentials = ReusedCredentialsFactory(credentials_factory or app_credentials_factory(settings))
        self.authentication = ReusedClientsAuthentication(bot_framework_authentication(settings, credentials))
        self.adapter = CloudAdapterBase(self.authentication)
        # Teams' own "looking into it": "supportbot is typing..." while a message takes over TYPING_AFTER_S
        self.adapter.use(TypingWhileTurnRuns(TYPING_AFTER_S, TYPING_EVERY_S))
        self.turns = ChatWork("teams")
        delivery = AnswerDelivery(self.adapter, backend, settings.teams_app_id, settings.teams_slow_answer_s, self.turns)
        self.handler = SupportBotHandler(backend, delivery)

    async def authenticate(self, activity: Activity, auth_header: str | None) -> AuthenticateRequestResult:
        """Raises (PermissionError, a JWT error, ...) unless the request carries a valid channel token."""
        return await self.authentication.authenticate_request(activity, auth_header)

    async def process(self, authenticated: AuthenticateRequestResult, activity: Activity) -> InvokeResponse | None:
        """An authenticated activity's turn: started in the background for a message (None at once),
        run to its end for anything else (the invoke response, or None)."""
        if activity.type == ActivityTypes.message and activity.delivery_mode != DeliveryModes.expect_replies:
            self.turns.start(self.adapter.process_activity(authenticated, activity, self.handler.on_turn),
                             f"turn of activity {activity.id} in {activity.conversation.id}")
            return None
        return await self.adapter.process_activity(authenticated, activity, self.handler.on_turn)

    async def stop(self, drain_s: float) -> None:
        """On shutdown: running turns and answers still to post get `drain_s` to finish."""
        await self.turns.drain(drain_s)
        await self.authentication.close()
