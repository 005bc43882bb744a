"""Slack Web API clients built from the settings: the base URL (the real API or a local fake)
and a retry on HTTP 429 that waits as long as Slack's Retry-After says."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler, AsyncServerErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

DEFAULT_API_URL = "https://slack.com/api/"
RATE_LIMIT_RETRIES = 3
# Slack does not deliver an event again once it was acknowledged: a 5xx while posting the answer
# is retried here (with backoff), or the answer would be lost.
SERVER_ERROR_RETRIES = 2


def api_url(settings: Settings) -> str:
    url = settings.slack_api_url or DEFAULT_API_URL
    return url if url.endswith("/") else f"{url}/"


def _token(settings: Settings) -> str | None:
    return settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None


def async_web_client(settings: Settings) -> AsyncWebClient:
    client = AsyncWebClient(token=_token(settings), base_url=api_url(settings))
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    client.retry_handlers.append(AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES))
    return client


def web_client(settings: Settings) -> WebClient:
    """Synchronous, for code that runs on worker threads (escalation notices)."""
    client = WebClient(token=_token(settings), base_url=api_url(settings))
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES))
    return client
