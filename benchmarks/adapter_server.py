"""The web app for benchmarks/adapters.py, in a process of its own so that the load generator
does not share its interpreter lock. The settings come from SUPPORTBOT_* variables set by the
benchmark (the embedded default in its temp home, Slack and Teams pointed at its local fakes);
the one part set here is the Teams outgoing-token seam, as the test driver sets it.

    python benchmarks/adapter_server.py --port N --teams-token-url URL
"""

from __future__ import annotations

import argparse
import logging

import bench_env  # noqa: F401  (first: offline models, the repository on sys.path)

import uvicorn

from bot.container import Container
from bot.settings import Settings
from bot.web.app import create_app
from tests.fakes.bot_connector import LocalCredentialsFactory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--teams-token-url", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="server %(levelname)s %(name)s: %(message)s")
    settings = Settings(_env_file=None)
    container = Container(settings)
    container.teams_credentials = LocalCredentialsFactory(
        settings.teams_app_id, settings.teams_app_password.get_secret_value(), token_url=args.teams_token_url
    )
    uvicorn.run(create_app(container), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
