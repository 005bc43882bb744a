"""A website: the pages of a sitemap (a location ending in .xml), or the pages reachable from a
start URL through same-site links. robots.txt is obeyed; a page's key is its path (and query).

Re-syncs are conditional GETs with the ETag / Last-Modified each page sent last time: a 304 is
reported as unchanged, not re-read. Because an unchanged page's links are not re-read either, a
crawl starts from the start URL plus every page known from the last sync; a known page that now
answers 404/410, or that is no longer listed in the sitemap, is retired.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit, urlunsplit

import httpx

from knowledge.documents import LoadProblem, SourceDocument
from knowledge.parsing import ParseError, clean_text, parse_plain_text
from knowledge.sources.base import LoadResult, PreviousSync, SourceError
from knowledge.sources.http_fetch import Fetched, FetchFailed, Gone, NotModified, Validators, fetch, new_client
from knowledge.sources.options import ConnectorOptions
from knowledge.sources.robots import RobotsRules, read_robots
from knowledge.sources.sitemap import parse_sitemap
from knowledge.sources.web_page import read_web_page

MAX_KEY_CHARS = 500
MAX_SITEMAPS = 50
SITEMAP_TYPES = ("application/xml", "text/xml", "text/plain")
# Links to these are not pages; fetching them would only produce "not a web page" problems.
_NOT_PAGES = (".pdf", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".css", ".js", ".json",
              ".zip", ".gz", ".tar", ".mp3", ".mp4", ".mov", ".woff", ".woff2", ".ttf", ".xml", ".doc",
              ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".exe", ".dmg")


def load_website(location: str, previous: PreviousSync, options: ConnectorOptions) -> LoadResult:
    start = normalize_url(location)
    site = origin(start)

    def on_site(url: str) -> bool:
        return origin(url) == site

    known = {key: value for key, value in previous.state.get("pages", {}).items() if key in previous.stored_keys}
    with new_client(options) as client:
        robots = read_robots(client, site, options, on_site)
        if not robots.allows(start):
            raise SourceError(
                f"{site}/robots.txt forbids {start} to {options.robots_agent}; nothing was read and nothing retired"
            )
        crawl = _Crawl(client, options, robots, on_site, known)
        if urlsplit(start).path.lower().endswith(".xml"):
            pages = _sitemap_pages(client, start, options, on_site, crawl.result)
            crawl.run(pages, follow_links=False)
        else:
            crawl.run([start, *(site + key for key in known)], follow_links=True)
    return crawl.result


class _Crawl:
    def __init__(self, client: httpx.Client, options: ConnectorOptions, robots: RobotsRules, on_site, known: dict) -> None:
        self.client, self.options, self.robots, self.on_site, self.known = client, options, robots, on_site, known
        self.result = LoadResult(state={"pages": {}})
        self.seen: set[str] = set()

    def run(self, urls: list[str], follow_links: bool) -> None:
        frontier = deque(normalize_url(url) for url in urls)
        fetched = 0
        while frontier:
            url = frontier.popleft()
            key = page_key(url)
            if key in self.seen or not self._worth_fetching(url):
                continue
            if fetched >= self.options.max_pages:
                self.result.problems.append(LoadProblem(
                    url, f"stopped at the limit of {self.options.max_pages} pages; the rest was not read, so nothing was retired"
                ))
                return
            self.seen.add(key)
            fetched += 1
            links = self._visit(url, key)
            if follow_links:
                frontier.extend(normalize_url(link) for link in links if self.on_site(link))

    def _worth_fetching(self, url: str) -> bool:
        return (
            urlsplit(url).scheme in ("http", "https")
            and not urlsplit(url).path.lower().endswith(_NOT_PAGES)
            and self.robots.allows(url)
        )

    def _visit(self, url: str, key: str) -> tuple[str, ...]:
        """Fetch one page into the result; returns its links."""
        result, pages_state = self.result, self.result.state["pages"]
        if len(key) > MAX_KEY_CHARS:
            result.problems.append(LoadProblem(url, f"URL path is longer than {MAX_KEY_CHARS} characters", key=key))
            return ()
        try:
            outcome = fetch(self.client, url, self.options, on_site=self.on_site,
                            validators=Validators.from_dict(self.known.get(key)))
        except FetchFailed as exc:
            result.problems.append(LoadProblem(url, exc.reason, key=key))
            if key in self.known:  # its last version keeps serving; ask conditionally again next time
                pages_state[key] = self.known[key]
            return ()
        if isinstance(outcome, Gone):
            return ()
        if isinstance(outcome, NotModified):
            if key not in self.known:
                result.problems.append(LoadProblem(url, "HTTP 304 Not Modified to a request that was not conditional", key=key))
                return ()
            result.unchanged_keys.append(key)
            pages_state[key] = self.known[key]
            return ()
        return self._read(outcome, url, key)

    def _read(self, page: Fetched, url: str, key: str) -> tuple[str, ...]:
        final_key = page_key(page.url)
        if final_key != key:  # redirected: the page is known by where it lives
            if final_key in self.seen:
                return ()
            self.seen.add(final_key)
            key = final_key
        try:
            if page.content_type == "text/plain":
                title, sections = parse_plain_text(clean_text(page.text), fallback_title=key)
                links: tuple[str, ...] = ()
            else:
                web_page = read_web_page(page.text, page.url)
                if not web_page.indexable:
                    return web_page.links
                title, sections, links = web_page.title, web_page.sections, web_page.links
        except ParseError as exc:
            self.result.problems.append(LoadProblem(url, str(exc), key=key))
            return ()
        self.result.documents.append(
            SourceDocument(key=key, title=title, sections=sections, url=page.url, content_type=page.content_type)
        )
        if page.validators:
            self.result.state["pages"][key] = page.validators.to_dict()
        return links


def _sitemap_pages(client, url: str, options: ConnectorOptions, on_site, result: LoadResult) -> list[str]:
    """Page URLs of a sitemap and its nested sitemaps. The top sitemap failing fails the source; a
    nested one failing is a problem that names no page, so nothing is retired this time."""
    pages: list[str] = []
    queue, visited = deque([url]), set()
    while queue and len(visited) < MAX_SITEMAPS:
        sitemap = queue.popleft()
        if sitemap in visited:
            continue
        visited.add(sitemap)
        try:
            outcome = fetch(client, sitemap, options, on_site=on_site, accept=SITEMAP_TYPES)
            if not isinstance(outcome, Fetched):
                raise FetchFailed(f"HTTP {getattr(outcome, 'status', 304)}")
            found, nested = parse_sitemap(outcome.text)
        except (FetchFailed, SourceError) as exc:
            reason = f"sitemap could not be read: {exc}"
            if sitemap == url:
                raise SourceError(f"{url}: {reason}") from None
            result.problems.append(LoadProblem(sitemap, reason))
            continue
        pages += [page for page in found if on_site(page)]
        queue += [child for child in nested if on_site(child)]
    return pages


def normalize_url(url: str) -> str:
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def page_key(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
