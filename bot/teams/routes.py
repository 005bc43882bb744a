"""POST /api/messages: where the Bot Framework delivers Teams activities. Bad JSON or a body
that is no activity gets 400, a missing or invalid token 401 (never 500). A message is
acknowledged with 200 once its token is valid and answered in the background (TeamsChat); for
an activity answered inside the request, a reply the Bot Connector refused is a 502 (the
channel retries; the delivery ledger answers the retry once)."""

from __future__ import annotations

import logging

from botbuilder.core import serializer_helper
from botbuilder.schema import Activity
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from msrest.exceptions import ClientException, DeserializationError

from bot.teams.chat import TeamsChat

log = logging.getLogger(__name__)


def teams_routes(chat: TeamsChat) -> APIRouter:
    router = APIRouter()

    @router.post("/api/messages", include_in_schema=False)
    async def messages(request: Request) -> Response:
        activity = await _activity(request)
        if activity is None:
            return JSONResponse({"error": "expected a Bot Framework activity as JSON"}, status_code=400)
        try:
            authenticated = await chat.authenticate(activity, request.headers.get("Authorization"))
        except Exception as exc:  # botbuilder raises PermissionError, PyJWT errors and bare Exceptions alike
            log.warning("teams: request refused, not authenticated (%s: %s)", type(exc).__name__, str(exc)[:200])
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        try:
            invoke = await chat.process(authenticated, activity)
        except ClientException as exc:
            log.error("teams: the Bot Connector at %s failed for activity %s: %s", activity.service_url, activity.id, exc)
            return JSONResponse({"error": "could not post to the Bot Connector"}, status_code=502)
        if invoke is None:
            return Response(status_code=200)
        if invoke.body is None:
            return Response(status_code=int(invoke.status))
        return JSONResponse(serializer_helper(invoke.body), status_code=int(invoke.status))

    return router


async def _activity(request: Request) -> Activity | None:
    try:
        body = await request.json()
    except ValueError:
        log.warning("teams: /api/messages got a body that is not JSON: rejected")
        return None
    if not isinstance(body, dict):
        log.warning("teams: /api/messages got JSON that is not an object: rejected")
        return None
    try:
        activity = Activity().deserialize(body)
    except DeserializationError as exc:
        log.warning("teams: /api/messages got a malformed activity, rejected: %s", str(exc)[:200])
        return None
    missing = [name for name, value in _required(activity) if not value]
    if missing:
        log.warning("teams: activity without %s rejected", ", ".join(missing))
        return None
    return activity


def _required(activity: Activity) -> list[tuple[str, object]]:
    return [
        ("type", activity.type),
        ("id", activity.id),
        ("serviceUrl", isinstance(activity.service_url, str) and activity.service_url.startswith(("https://", "http://"))),
        ("conversation.id", activity.conversation and activity.conversation.id),
        ("from.id", activity.from_property and activity.from_property.id),
        ("recipient.id", activity.recipient and activity.recipient.id),
    ]
