"""SlackChat: the bolt AsyncApp with the bot's listeners, served at /slack/events (routes.py)
or over Socket Mode when an app token is configured. Bolt verifies the request signatures
(and their age), answers url_verification, calls auth.test once to learn the bot's own user
id, and drops the bot's own events; every listener acknowledges at once and does its work
after the HTTP response has gone back to Slack.

Events need no lazy listener for that: bolt acknowledges an event before it runs the event's
listener, which it starts as a task of its own (process_before_response is off). A lazy
listener would also get a deep copy of the whole request, which was most of the CPU an
acknowledgement cost, and under a burst of events that queues the acknowledgements behind
each other."""

from __future__ import annotations

import logging
import re

from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat_backend import ChatBackend
from bot.chat_work import ChatWork
from bot.settings import Settings
from bot.slack.actions import register_actions
from bot.slack.answering import answer_once
from bot.slack.clients import async_web_client
from bot.slack.commands import register_commands
from bot.slack.events import to_answer

log = logging.getLogger(__name__)


class SlackChat:
    def __init__(self, settings: Settings, backend: ChatBackend) -> None:
        self._settings = settings
        self._backend = backend
        signing_secret = settings.slack_signing_secret
        self.app = AsyncApp(
            name="supportbot",
            client=async_web_client(settings),
            signing_secret=signing_secret.get_secret_value() if signing_secret else None,
            # Socket Mode requests carry no signature; bolt skips the check for them anyway
            request_verification_enabled=signing_secret is not None,
        )
        self._socket_mode = None
        self.work = ChatWork("slack")  # listeners still running after the acknowledgement: a shutdown waits for them
        self._register()

    def __repr__(self) -> str:
        return f"SlackChat(api_url={self.app.client.base_url!r})"

    def _register(self) -> None:
        backend, work = self._backend, self.work

        async def answer_message(
            body: dict, event: dict, context: AsyncBoltContext, client: AsyncWebClient, request: AsyncBoltRequest
        ) -> None:
            work.hold_current(f"answer to Slack message {event.get('ts')} in {event.get('channel')}")
            message = await to_answer(event, body, context.bot_user_id, backend)
            if message is not None:
                retry = request.headers.get("x-slack-retry-num", [None])[0]
                await answer_once(backend, client, message, retry_num=retry)

        async def ignore_event(body: dict, event: dict) -> None:
            log.info("ignored Slack event %s of type %r: the bot does not handle it", body.get("event_id"), event.get("type"))

        self.app.event("app_mention")(answer_message)
        self.app.event("message")(answer_message)
        self.app.event(re.compile(".*"))(ignore_event)
        register_actions(self.app, backend, work)
        register_commands(self.app, backend)

    def signature_verifier(self) -> SignatureVerifier:
        secret = self._settings.slack_signing_secret
        return SignatureVerifier(secret.get_secret_value() if secret else "")

    def socket_mode_handler(self):
        """Bolt's Socket Mode handler (aiohttp), for a workspace that cannot reach /slack/events."""
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        if self._settings.slack_app_token is None:
            raise RuntimeError("Socket Mode needs SUPPORTBOT_SLACK_APP_TOKEN")
        return AsyncSocketModeHandler(self.app, self._settings.slack_app_token.get_secret_value())

    async def start(self) -> None:
        """On the web app's event loop: Socket Mode, when an app token is configured. (Each Web API
        call opens its own aiohttp session: bolt deep-copies a lazy listener's request, client
        included, and a shared session cannot be copied.)"""
        if self._settings.slack_app_token is not None:
            self._socket_mode = self.socket_mode_handler()
            await self._socket_mode.connect_async()
            log.info("Slack: connected over Socket Mode")

    async def stop(self, drain_s: float) -> None:
        """On shutdown: no new Socket Mode requests, and answers still being worked out get `drain_s` to finish."""
        if self._socket_mode is not None:
            await self._socket_mode.close_async()
            self._socket_mode = None
        await self.work.drain(drain_s)
