"""One careful GET of a web page: conditional (ETag / Last-Modified), redirects followed by hand
so that loops and off-site hops are named, binary content types refused, the body capped in bytes
and in time. Every failure is a `FetchFailed` whose reason a support lead can read."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

import httpx

from knowledge.sources.options import ConnectorOptions

TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_REDIRECTS = {301, 302, 303, 307, 308}
_GONE = {404, 410}


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("etag", self.etag), ("last_modified", self.last_modified)) if v}

    @classmethod
    def from_dict(cls, data: dict | None) -> Validators | None:
        if not data or not (data.get("etag") or data.get("last_modified")):
            return None
        return cls(etag=data.get("etag"), last_modified=data.get("last_modified"))


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str
    charset: str | None
    validators: Validators | None

    @property
    def text(self) -> str:
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class NotModified:
    url: str


@dataclass(frozen=True)
class Gone:
    url: str
    status: int


class FetchFailed(Exception):
    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def new_client(options: ConnectorOptions) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(options.timeout_s),
        follow_redirects=False,
        headers={"User-Agent": options.user_agent},
    )


def fetch(
    client: httpx.Client,
    url: str,
    options: ConnectorOptions,
    *,
    on_site: Callable[[str], bool],
    validators: Validators | None = None,
    accept: tuple[str, ...] = TEXT_TYPES,
) -> Fetched | NotModified | Gone:
    chain = [url]
    while True:
        try:
            outcome = _get_once(client, chain[-1], options, validators, accept)
        except httpx.TimeoutException:
            raise FetchFailed(f"timed out after {options.timeout_s:g} s") from None
        except httpx.HTTPError as exc:
            raise FetchFailed(f"could not be fetched ({type(exc).__name__}: {exc})") from None
        if not isinstance(outcome, str):
            return outcome
        target = urldefrag(urljoin(chain[-1], outcome)).url
        if target in chain:
            raise FetchFailed("redirect loop: " + " → ".join([*chain, target]))
        if not on_site(target):
            raise FetchFailed(f"redirects off the site, to {target}")
        chain.append(target)
        if len(chain) > options.max_redirects + 1:
            raise FetchFailed(f"more than {options.max_redirects} redirects")


def _get_once(client, url, options, validators, accept) -> Fetched | NotModified | Gone | str:
    """The outcome of one request, or the Location to go to next."""
    headers = validators.headers() if validators else {}
    with client.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if status in _REDIRECTS:
            location = response.headers.get("location")
            if not location:
                raise FetchFailed(f"HTTP {status} redirect without a Location header", status)
            return location
        if status == 304:
            return NotModified(url)
        if status in _GONE:
            return Gone(url, status)
        if status >= 400 or status < 200:
            raise FetchFailed(f"HTTP {status} {response.reason_phrase}".strip(), status)
        content_type, charset = _content_type(response.headers.get("content-type", ""))
        if content_type not in accept:
            raise FetchFailed(f"content type {content_type or '(none)'} is not a web page")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > options.max_page_bytes:
            raise FetchFailed(f"page is {int(declared):,} bytes; the limit is {options.max_page_bytes:,}")
        body = _read_capped(response, options)
        etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
        found = Validators(etag, modified) if etag or modified else None
        return Fetched(str(response.url), body, content_type, charset, found)


def _read_capped(response: httpx.Response, options: ConnectorOptions) -> bytes:
    """httpx's timeout is per read, so a server that trickles bytes needs a deadline of its own."""
    deadline = time.monotonic() + options.timeout_s
    parts, size = [], 0
    for part in response.iter_bytes():
        size += len(part)
        if size > options.max_page_bytes:
            raise FetchFailed(f"page is larger than the limit of {options.max_page_bytes:,} bytes")
        if time.monotonic() > deadline:
            raise FetchFailed(f"timed out after {options.timeout_s:g} s while reading the page")
        parts.append(part)
    return b"".join(parts)


def _content_type(header: str) -> tuple[str, str | None]:
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return media.strip().lower(), charset
