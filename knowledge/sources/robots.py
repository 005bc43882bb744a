"""robots.txt, read as RFC 9309 says: missing (4xx) allows everything, unreachable (5xx, timeout)
forbids everything. Parsed by protego, which knows wildcards and Allow/Disallow precedence."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from protego import Protego

from knowledge.sources.http_fetch import Fetched, FetchFailed, Gone, fetch
from knowledge.sources.options import ConnectorOptions
from knowledge.sources.base import SourceError


class RobotsRules:
    def __init__(self, parser: Protego | None, agent: str) -> None:
        self._parser = parser
        self._agent = agent

    def allows(self, url: str) -> bool:
        return self._parser is None or self._parser.can_fetch(url, self._agent)


def read_robots(client: httpx.Client, site: str, options: ConnectorOptions, on_site: Callable[[str], bool]) -> RobotsRules:
    url = f"{site}/robots.txt"
    try:
        outcome = fetch(client, url, options, on_site=on_site, accept=("text/plain", "text/html", ""))
    except FetchFailed as exc:
        if exc.status is not None and 400 <= exc.status < 500:
            return RobotsRules(None, options.robots_agent)
        raise SourceError(f"{url} could not be read ({exc.reason}); a site whose robots.txt is unreachable is not crawled") from None
    if isinstance(outcome, Gone) or not isinstance(outcome, Fetched):
        return RobotsRules(None, options.robots_agent)
    return RobotsRules(Protego.parse(outcome.text), options.robots_agent)
