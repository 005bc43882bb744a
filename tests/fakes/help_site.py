"""A fake help-center website on 127.0.0.1: pages wrapped in realistic chrome (header, nav,
breadcrumbs, sidebar, footer, cookie banner, scripts), a sitemap, robots.txt, and ETag /
Last-Modified with conditional GETs answered 304. Bad behaviours are set per path.

    with FakeHelpSite() as site:
        site.page("/refunds", "Refunds", "<p>Pro-rated refunds ...</p>", links=["/invoices"])
        site.url + "/refunds"; site.server.requested("/refunds", 304)
"""

from __future__ import annotations

import hashlib
import threading
from email.utils import formatdate

from tests.fakes.local_http import LocalHttpServer, Request, Response

MB = 1024 * 1024


def help_center_html(title: str, body: str, links: list[str] = ()) -> str:
    related = "".join(f'<li><a href="{href}">{href.strip("/").replace("-", " ").title()}</a></li>' for href in links)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Tallyo Help Center</title>
<link rel="stylesheet" href="/assets/site.css"><script src="/assets/app.js"></script></head>
<body>
<div class="cookie-banner" id="cookie-consent">We use cookies to improve your experience. <button>Accept all</button></div>
<header class="site-header"><a class="logo" href="/">Tallyo Help Center</a>
<nav aria-label="Main"><ul><li><a href="/">Home</a></li><li><a href="/billing">Billing</a></li>
<li><a href="https://status.tallyo.example/">System status</a></li><li><a href="https://tallyo.example/signup">Sign up</a></li></ul></nav>
<form class="search" action="/search"><input name="q" placeholder="Search the help center"></form></header>
<ol class="breadcrumbs"><li><a href="/">Help Center</a></li><li><a href="/billing">Billing</a></li></ol>
<main id="main-content"><article class="article">
<h1 class="article-title">{title}</h1>
<div class="article-meta">Updated 3 days ago · 2 min read</div>
<div class="article-body">{body}</div>
</article></main>
<aside class="article-sidebar"><h3>Related articles</h3><ul>{related}</ul>
<h3>Need more help?</h3><p>Chat with our support team, 24/7.</p></aside>
<footer class="site-footer"><p>© 2026 Tallyo Inc. All rights reserved.</p>
<a href="/privacy">Privacy</a> <a href="https://twitter.com/tallyo">Twitter</a></footer>
<script>window.analytics && window.analytics.page();</script>
</body></html>"""


class FakeHelpSite:
    def __init__(self) -> None:
        self._routes: dict[str, Response] = {}
        self._lock = threading.Lock()
        self.server = LocalHttpServer(self._answer)
        self.robots_txt: str | None = "User-agent: *\nDisallow: /search\n"

    @property
    def url(self) -> str:
        return self.server.url

    def __enter__(self) -> FakeHelpSite:
        self.server.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.stop()

    # -- content ---------------------------------------------------------------------------------
    def page(self, path: str, title: str, body: str, links: list[str] = (), *, validators: str = "both") -> None:
        """An article page; `validators` is etag, last-modified, both or none."""
        html = help_center_html(title, body, list(links)).encode()
        digest = hashlib.sha256(html).hexdigest()[:16]
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if validators in ("etag", "both"):
            headers["ETag"] = f'"{digest}"'
        if validators in ("last-modified", "both"):
            headers["Last-Modified"] = formatdate(1_700_000_000 + int(digest[:6], 16), usegmt=True)
        self._set(path, Response(200, html, headers))

    def remove(self, path: str) -> None:
        with self._lock:
            self._routes.pop(path, None)

    def sitemap(self, paths: list[str], at: str = "/sitemap.xml") -> None:
        entries = "".join(f"<url><loc>{self.url}{p}</loc><lastmod>2026-11-01</lastmod></url>" for p in paths)
        xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
        self._set(at, Response(200, xml.encode(), {"Content-Type": "application/xml"}))

    # -- bad behaviour -----------------------------------------------------------------------------
    def respond(self, path: str, response: Response) -> None:
        self._set(path, response)

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self._set(path, Response(status, b"", {"Location": to}))

    def huge(self, path: str, size: int = 50 * MB, declare_length: bool = True) -> None:
        """A page of `size` bytes, streamed in 64 KiB parts, with or without a Content-Length."""
        part = b"<p>" + b"x" * (64 * 1024 - 8) + b"</p>\n"
        headers = {"Content-Type": "text/html"}
        if declare_length:
            headers["Content-Length"] = str(size)
        self._set(path, Response(200, headers=headers, chunks=lambda: (part for _ in range(size // len(part)))))

    # -- serving -----------------------------------------------------------------------------------
    def _set(self, path: str, response: Response) -> None:
        with self._lock:
            self._routes[path] = response

    def _answer(self, request: Request) -> Response:
        if request.path == "/robots.txt" and request.path not in self._routes:
            if self.robots_txt is None:
                return Response(404, b"not found", {"Content-Type": "text/plain"})
            return Response(200, self.robots_txt.encode(), {"Content-Type": "text/plain"})
        with self._lock:
            response = self._routes.get(request.path)
        if response is None:
            return Response(404, b"<h1>Not found</h1>", {"Content-Type": "text/html"})
        if response.status == 200 and self._not_modified(request, response):
            return Response(304, b"", {k: v for k, v in response.headers.items() if k in ("ETag", "Last-Modified")})
        return response

    @staticmethod
    def _not_modified(request: Request, response: Response) -> bool:
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if etag and "if-none-match" in request.headers:
            return request.headers["if-none-match"] == etag
        return bool(modified) and request.headers.get("if-modified-since") == modified

