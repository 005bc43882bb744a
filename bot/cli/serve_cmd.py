"""`supportbot serve`: the web app for Slack, Teams, the local web chat and health checks."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from bot.cli.context import console, container


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default SUPPORTBOT_WEB_HOST, 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default SUPPORTBOT_WEB_PORT, 8000)")] = None,
) -> None:
    """Serve Slack (/slack/events or Socket Mode), Teams (/api/messages) and a web chat (/)."""
    import uvicorn

    from bot.web.app import create_app

    with container() as c:
        logging.getLogger("bot").setLevel(logging.INFO)
        app = create_app(c)
        bind_host, bind_port = host or c.settings.web_host, port or c.settings.web_port
        console.print(f"supportbot is starting on http://{bind_host}:{bind_port} (web chat at /, Ctrl-C stops)")
        uvicorn.run(app, host=bind_host, port=bind_port, log_level="info", access_log=False)
