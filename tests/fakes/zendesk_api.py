"""A fake Zendesk Help Center API on 127.0.0.1: the article list with cursor pagination
(`page[size]`, `page[after]`, `meta.has_more`, `links.next`), the incremental export by
`start_time` (`next_page`, `end_time`), drafts, archived (deleted) articles, basic auth with
`{email}/token:{api_token}`, and queued failures such as 429 with Retry-After.

    with FakeZendesk(email="agent@tallyo.example", api_token="t0k3n") as zd:
        zd.article(101, "Refunds", "<p>...</p>")
        zd.fail_next(429, retry_after="7")
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fakes.local_http import LocalHttpServer, Request, Response

LIST_PATH = "/api/v2/help_center/articles.json"
EXPORT_PATH = "/api/v2/help_center/incremental/articles.json"


@dataclass
class _Article:
    id: int
    title: str
    body: str
    updated_at: int  # epoch seconds
    draft: bool = False


class FakeZendesk:
    def __init__(self, email: str, api_token: str, page_size: int = 2) -> None:
        self._expected_auth = "Basic " + base64.b64encode(f"{email}/token:{api_token}".encode()).decode()
        self._articles: dict[int, _Article] = {}
        self._failures: list[Response] = []
        self._clock = 1_700_000_000
        self._lock = threading.Lock()
        self.page_size = page_size
        self.server = LocalHttpServer(self._answer)

    @property
    def url(self) -> str:
        return self.server.url

    def __enter__(self) -> FakeZendesk:
        self.server.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.stop()

    # -- content -----------------------------------------------------------------------------------
    def article(self, article_id: int, title: str, body: str, draft: bool = False) -> None:
        """Create or edit an article; each edit moves its updated_at forward."""
        with self._lock:
            self._clock += 60
            self._articles[article_id] = _Article(article_id, title, body, self._clock, draft)

    def archive(self, article_id: int) -> None:
        """Delete (archive) an article: it disappears from the list and from the export."""
        with self._lock:
            del self._articles[article_id]

    def expect_token(self, api_token: str, email: str | None = None) -> None:
        """Rotate the token the fake accepts, e.g. to make the client's one wrong."""
        email = email or base64.b64decode(self._expected_auth.split()[1]).decode().split("/token:")[0]
        self._expected_auth = "Basic " + base64.b64encode(f"{email}/token:{api_token}".encode()).decode()

    def fail_next(self, status: int, retry_after: str | None = None, times: int = 1) -> None:
        headers = {"Content-Type": "application/json"}
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        body = json.dumps({"error": "APIRateLimitExceeded" if status == 429 else "Error"}).encode()
        with self._lock:
            self._failures += [Response(status, body, headers)] * times

    def requests_to(self, path: str) -> list[str]:
        return [r.path for r, _ in self.server.requests if urlsplit(r.path).path == path]

    # -- serving -----------------------------------------------------------------------------------
    def _answer(self, request: Request) -> Response:
        if request.headers.get("authorization") != self._expected_auth:
            return _json(401, {"error": "Couldn't authenticate you"})
        with self._lock:
            if self._failures:
                return self._failures.pop(0)
            articles = sorted(self._articles.values(), key=lambda a: a.id)
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == LIST_PATH:
            return self._list(articles, query)
        if parts.path == EXPORT_PATH:
            return self._export(articles, query)
        return _json(404, {"error": "InvalidEndpoint"})

    def _list(self, articles: list[_Article], query: dict) -> Response:
        size = int(query.get("page[size]", 30))
        after = int(query.get("page[after]", 0))
        page = [a for a in articles if a.id > after][:size]
        has_more = bool(page) and page[-1].id < articles[-1].id
        next_url = f"{self.url}{LIST_PATH}?" + urlencode({"page[size]": size, "page[after]": page[-1].id}) if has_more else None
        return _json(200, {
            "articles": [self._render(a) for a in page],
            "meta": {"has_more": has_more, "after_cursor": str(page[-1].id) if page else None, "before_cursor": None},
            "links": {"next": next_url, "prev": None},
        })

    def _export(self, articles: list[_Article], query: dict) -> Response:
        if "start_time" not in query:
            return _json(400, {"error": "InvalidPaginationParameter"})
        start = int(query["start_time"])
        changed = sorted((a for a in articles if a.updated_at >= start), key=lambda a: a.updated_at)
        page = changed[: self.page_size]
        end_time = page[-1].updated_at if page else start
        return _json(200, {
            "articles": [self._render(a) for a in page],
            "count": len(page),
            "end_time": end_time,
            "next_page": f"{self.url}{EXPORT_PATH}?start_time={end_time + 1}" if page else None,
        })

    def _render(self, article: _Article) -> dict:
        stamp = _iso(article.updated_at)
        return {
            "id": article.id,
            "url": f"{self.url}/api/v2/help_center/en-us/articles/{article.id}.json",
            "html_url": f"{self.url}/hc/en-us/articles/{article.id}",
            "title": article.title,
            "name": article.title,
            "body": article.body,
            "draft": article.draft,
            "locale": "en-us",
            "source_locale": "en-us",
            "section_id": 360001,
            "created_at": stamp,
            "updated_at": stamp,
            "edited_at": stamp,
            "label_names": [],
        }


def _iso(epoch: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(status: int, payload: dict) -> Response:
    return Response(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})
