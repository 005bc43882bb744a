"""Limits and credentials for the connectors that talk HTTP, as plain values chosen by the caller."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ZendeskCredentials:
    """An agent's email and API token; the token never appears in a repr, a log line or a reason."""

    email: str
    api_token: str = field(repr=False)


@dataclass(frozen=True)
class ConnectorOptions:
    timeout_s: float = 15.0  # per request, reading the whole body included
    max_pages: int = 1000
    max_page_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = "supportbot/0.1"
    zendesk: ZendeskCredentials | None = None
    max_retries: int = 3  # on HTTP 429
    max_retry_wait_s: float = 120.0  # a longer Retry-After fails the sync instead of stalling it
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    @property
    def robots_agent(self) -> str:
        """The product token robots.txt rules are matched against, e.g. "supportbot"."""
        return self.user_agent.split("/")[0].strip() or "*"
