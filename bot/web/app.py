"""The web app behind `supportbot serve`: Slack at /slack/events, Teams at /api/messages, the
local web chat at /, and /healthz and /readyz. Each chat is mounted only when configured."""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.container import Container
from bot.web.health import Readiness, health_routes
from bot.web.web_chat import web_chat_routes

log = logging.getLogger(__name__)

# How long a thread running Python keeps the interpreter lock from one that waits for it
# (CPython's default: 5 ms). Answers run on threads of this process in the embedded default,
# and the event loop waits for the lock after every poll, so each step of an acknowledgement
# could wait 5 ms behind an answer; at 1 ms the loop gets it back sooner.
EVENT_LOOP_SWITCH_INTERVAL_S = 0.001


def create_app(container: Container) -> FastAPI:
    settings = container.settings
    backend = container.chat_backend
    readiness = Readiness(container)

    socket_mode = settings.slack_enabled and settings.slack_app_token is not None

    scheduler = None if settings.redis_url else container.sync_scheduler  # with workers, celery beat schedules

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sys.setswitchinterval(EVENT_LOOP_SWITCH_INTERVAL_S)
        readiness.start()
        threading.Thread(target=_freeze_heap_when, args=(readiness.warm,), name="gc-freeze", daemon=True).start()
        if scheduler:
            scheduler.start()
        if settings.slack_enabled:
            await container.slack_chat.start()
        yield
        if settings.slack_enabled:
            await container.slack_chat.stop(settings.chat_shutdown_drain_s)
        if settings.teams_enabled:
            await container.teams_chat.stop(settings.chat_shutdown_drain_s)
        if scheduler:
            scheduler.stop()
        backend.close()

    app = FastAPI(title="supportbot", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.container = container
    app.include_router(health_routes(readiness))
    mounted = ["/healthz", "/readyz"]
    if settings.web_chat:
        app.include_router(web_chat_routes(backend))
        mounted.append("/ (web chat)")
    if settings.console:
        from bot.console.routes import mount_console

        mount_console(app)
        mounted.append("/console (review console)")
    if settings.slack_enabled and not socket_mode:
        from bot.slack import slack_routes

        app.include_router(slack_routes(container.slack_chat))
        mounted.append("/slack/events")
    if settings.teams_enabled:
        from bot.teams import teams_routes

        app.include_router(teams_routes(container.teams_chat))
        mounted.append("/api/messages")
    if socket_mode:
        mounted.append("Slack over Socket Mode")
    log.info("supportbot web app: %s", ", ".join(mounted))
    return app


def _freeze_heap_when(warm: threading.Event) -> None:
    """Once the models are loaded, keep what is allocated so far out of the garbage collector's
    scans (gc.freeze): a full collection of that heap stops every thread, the event loop too,
    for hundreds of milliseconds, and Slack and Teams acknowledgements waited behind it. One
    collection first, so that no garbage of the start-up is kept for good."""
    warm.wait()
    gc.collect()
    gc.freeze()
