"""The sync benchmark's website: doc2dial documents written out as a folder of HTML pages (one
folder per source, each with its sitemap.xml) and served from that folder on 127.0.0.1 the way
a static web server serves files: an ETag (a hash of the file's bytes) and a Last-Modified (the
file's mtime) on every page, and conditional GETs answered 304 Not Modified (RFC 9110: a
request with If-None-Match is judged on it alone, otherwise If-Modified-Since is).
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import re
from collections import Counter
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.fakes.help_site import help_center_html
from tests.fakes.local_http import LocalHttpServer, Request, Response

_DOC2DIAL_SUFFIX = re.compile(r"#\d+_\d+$")
_CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}


@dataclass(frozen=True)
class Page:
    domain: str
    title: str
    text: str


def read_doc2dial(path: Path, limit: int | None = None) -> list[Page]:
    """documents.jsonl in file order (sorted by domain, then doc_id); the first `limit` of them."""
    pages = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                doc = json.loads(line)
                pages.append(Page(doc["domain"], _DOC2DIAL_SUFFIX.sub("", doc["doc_id"]).strip(), doc["text"]))
    return pages[:limit] if limit else pages


def page_html(page: Page) -> str:
    """The plain text as a help-center article: blocks between blank lines become paragraphs,
    a short one-line block without final punctuation a heading; wrapped in the site chrome of
    the tests' fake help center (header, nav, sidebar, footer) that the connector must strip."""
    parts = []
    for block in re.split(r"\n\s*\n", page.text.strip()):
        lines = [" ".join(line.split()) for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        text = " ".join(lines)
        if len(lines) == 1 and len(text.split()) <= 12 and not text.endswith((".", ":", "?", "!", ";", ",")):
            parts.append(f"<h2>{html.escape(text)}</h2>")
        else:
            parts.append("<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>")
    return help_center_html(html.escape(page.title), "\n".join(parts))


def write_pages(root: Path, groups: dict[str, list[Page]]) -> dict[str, list[str]]:
    """root/<group>/<n>-<slug>.html for every page, and a robots.txt; returns each group's paths."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    paths: dict[str, list[str]] = {}
    for group, pages in groups.items():
        folder = root / group
        folder.mkdir(parents=True, exist_ok=True)
        paths[group] = []
        for n, page in enumerate(pages):
            name = f"{n:04d}-{_slug(page.title)}.html"
            (folder / name).write_text(page_html(page), encoding="utf-8")
            paths[group].append(f"/{group}/{name}")
    return paths


def write_sitemaps(root: Path, base_url: str, paths: dict[str, list[str]]) -> dict[str, str]:
    """root/<group>/sitemap.xml listing the group's pages at `base_url`; returns each sitemap's URL."""
    urls = {}
    for group, group_paths in paths.items():
        entries = "".join(f"<url><loc>{base_url}{p}</loc></url>" for p in group_paths)
        (root / group / "sitemap.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>',
            encoding="utf-8",
        )
        urls[group] = f"{base_url}/{group}/sitemap.xml"
    return urls


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "page"


class StaticSite:
    """Serves `root` on 127.0.0.1 (a free port), reading each file at request time."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.server = LocalHttpServer(self._answer)

    @property
    def url(self) -> str:
        return self.server.url

    def __enter__(self) -> StaticSite:
        self.server.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.stop()

    def mark(self) -> int:
        """A point in the request log, for `answered_since`."""
        with self.server._lock:
            return len(self.server.requests)

    def answered_since(self, mark: int) -> dict[str, Counter]:
        """Statuses answered since `mark`, by kind of file: page, sitemap, robots."""
        with self.server._lock:
            requests = self.server.requests[mark:]
        by_kind: dict[str, Counter] = {"page": Counter(), "sitemap": Counter(), "robots": Counter()}
        for request, status in requests:
            path = urlsplit(request.path).path
            kind = "robots" if path == "/robots.txt" else "sitemap" if path.endswith(".xml") else "page"
            by_kind[kind][status] += 1
        return by_kind

    def _answer(self, request: Request) -> Response:
        file = (self.root / unquote(urlsplit(request.path).path).lstrip("/")).resolve()
        if not file.is_relative_to(self.root) or not file.is_file():
            return Response(404, b"<h1>Not found</h1>", {"Content-Type": "text/html"})
        body = file.read_bytes()
        mtime = int(file.stat().st_mtime)
        validators = {"ETag": f'"{hashlib.sha256(body).hexdigest()[:20]}"', "Last-Modified": formatdate(mtime, usegmt=True)}
        if _not_modified(request.headers, validators["ETag"], mtime):
            return Response(304, b"", validators)
        content_type = _CONTENT_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return Response(200, body, {"Content-Type": content_type, "Cache-Control": "no-cache", **validators})


def _not_modified(headers: dict[str, str], etag: str, mtime: int) -> bool:
    if "if-none-match" in headers:  # weak comparison, as RFC 9110 prescribes for GET
        wanted = [tag.strip().removeprefix("W/") for tag in headers["if-none-match"].split(",")]
        return "*" in wanted or etag in wanted
    since = headers.get("if-modified-since")
    if not since:
        return False
    try:
        return mtime <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False
