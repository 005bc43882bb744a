"""POST /slack/events: events, interactivity and slash commands, through bolt's FastAPI
adapter. A body bolt cannot even parse (broken JSON, or JSON of a shape bolt trips over while
reading it) is answered 400, or 401 when its signature is wrong too, with a log line, not a 500.
Errors after parsing never get here: bolt turns them into its own responses."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from bot.slack.app import SlackChat

log = logging.getLogger(__name__)


def slack_routes(chat: SlackChat) -> APIRouter:
    router = APIRouter()
    handler = AsyncSlackRequestHandler(chat.app)
    verifier = chat.signature_verifier()

    @router.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        try:
            return await handler.handle(request)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:  # raised while bolt reads the body
            body = await request.body()
            if not verifier.is_valid_request(body, dict(request.headers)):
                log.warning("refused an unparsable Slack request with an invalid signature")
                return Response(status_code=401)
            log.warning("ignored a signed Slack request whose body could not be parsed: %s", type(exc).__name__)
            return Response(status_code=400)

    return router
