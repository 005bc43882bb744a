"""A small client for the Zendesk Help Center API: basic auth with an agent's email and API
token, pagination (cursor `links.next` and offset `next_page`), HTTP 429 waited out as
Retry-After says (a bounded number of times), and every failure a `SourceError` that never
carries the token."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

from knowledge.sources.base import SourceError
from knowledge.sources.options import ConnectorOptions, ZendeskCredentials

MAX_PAGES = 10_000  # a guard against an API that keeps answering with a next page


class ZendeskApi:
    def __init__(self, location: str, credentials: ZendeskCredentials, options: ConnectorOptions) -> None:
        parts = urlsplit(location.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SourceError(f"{location!r} is not a Zendesk URL such as https://acme.zendesk.com")
        self.origin = f"{parts.scheme}://{parts.netloc.lower()}"
        self._options = options
        self._client = httpx.Client(
            base_url=self.origin,
            auth=httpx.BasicAuth(f"{credentials.email}/token", credentials.api_token),
            timeout=httpx.Timeout(options.timeout_s),
            follow_redirects=False,
            headers={"User-Agent": options.user_agent, "Accept": "application/json"},
        )

    def __enter__(self) -> ZendeskApi:
        return self

    def __exit__(self, *exc) -> None:
        self._client.close()

    def get(self, url: str, params: dict | None = None) -> dict:
        target = urlsplit(url)
        if target.netloc and f"{target.scheme}://{target.netloc.lower()}" != self.origin:
            raise SourceError(f"Zendesk pointed to another host ({target.netloc}); the credentials are not sent there")
        path = target.path or url
        for attempt in range(self._options.max_retries + 1):
            response = self._send(url, params, path)
            if response.status_code != 429:
                return _json(response, path)
            wait = _retry_after(response.headers.get("retry-after"), default=2.0**attempt)
            if attempt == self._options.max_retries:
                break
            if wait > self._options.max_retry_wait_s:
                raise SourceError(
                    f"Zendesk rate limit (HTTP 429) asks to wait {wait:g} s, more than the "
                    f"{self._options.max_retry_wait_s:g} s a sync waits; try again later"
                )
            self._options.sleep(wait)
        raise SourceError(f"Zendesk kept answering HTTP 429 Too Many Requests after {self._options.max_retries} retries")

    def pages(self, url: str, params: dict | None, items: str) -> Iterator[dict]:
        """Every item of a paginated list, following `links.next` (cursor) or `next_page` (offset)."""
        for _ in range(MAX_PAGES):
            data = self.get(url, params)
            yield from data.get(items) or []
            next_url = (data.get("links") or {}).get("next") or data.get("next_page")
            has_more = (data.get("meta") or {}).get("has_more", bool(next_url))
            if not next_url or not has_more:
                return
            url, params = next_url, None
        raise SourceError(f"Zendesk returned more than {MAX_PAGES} pages for {urlsplit(url).path}")

    def _send(self, url: str, params: dict | None, path: str) -> httpx.Response:
        try:
            return self._client.get(url, params=params)
        except httpx.TimeoutException:
            raise SourceError(f"Zendesk API timed out after {self._options.timeout_s:g} s ({path})") from None
        except httpx.HTTPError as exc:
            raise SourceError(f"Zendesk API could not be reached ({type(exc).__name__}) at {self.origin}") from None


def _json(response: httpx.Response, path: str) -> dict:
    status = response.status_code
    if status in (401, 403):
        raise SourceError(
            f"Zendesk refused the API credentials (HTTP {status} {response.reason_phrase}); "
            "check the agent email and API token, and that the agent may read Help Center articles"
        )
    if status >= 300:
        raise SourceError(f"Zendesk API answered HTTP {status} {response.reason_phrase} for {path}")
    try:
        data = response.json()
    except ValueError:
        raise SourceError(f"Zendesk API answered {path} with something that is not JSON") from None
    if not isinstance(data, dict):
        raise SourceError(f"Zendesk API answered {path} with JSON that is not an object")
    return data


def _retry_after(header: str | None, default: float) -> float:
    """Retry-After is seconds, or an HTTP date."""
    if not header:
        return default
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())
