"""The Slack adapter is built from the settings: API URL, Socket Mode, no secrets in reprs."""

import asyncio

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

from bot.settings import Settings
from bot.slack import SlackChat, SlackNoticeSender


def _settings(**fields) -> Settings:
    return Settings(_env_file=None, slack_bot_token="xoxb-secret-bot", **fields)


def test_the_web_client_uses_the_configured_api_url_and_retries_rate_limits():
    chat = SlackChat(_settings(slack_signing_secret="s3cret", slack_api_url="http://127.0.0.1:9/api"), backend=None)
    assert chat.app.client.base_url == "http://127.0.0.1:9/api/"
    assert any(isinstance(h, AsyncRateLimitErrorRetryHandler) for h in chat.app.client.retry_handlers)
    assert "secret" not in repr(chat)


def test_socket_mode_is_built_from_the_app_token():
    chat = SlackChat(_settings(slack_app_token="xapp-secret-app"), backend=None)

    async def build() -> AsyncSocketModeHandler:
        handler = chat.socket_mode_handler()  # aiohttp wants a running loop, as in the app's lifespan
        await handler.client.aiohttp_client_session.close()
        return handler

    handler = asyncio.run(build())
    assert isinstance(handler, AsyncSocketModeHandler)
    assert handler.app_token == "xapp-secret-app" and handler.client.web_client is chat.app.client
    assert chat.app.client.base_url == "https://slack.com/api/"


def test_the_notice_sender_keeps_its_token_out_of_its_repr():
    sender = SlackNoticeSender(_settings(slack_signing_secret="s3cret"), channel="C_SUPPORT")
    assert repr(sender) == "SlackNoticeSender(channel='C_SUPPORT')"
