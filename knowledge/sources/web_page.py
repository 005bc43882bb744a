"""A fetched HTML page: its main content as heading-aware sections (see `parsing.main_content`
for what counts as chrome), its title, its links, and whether robots meta tags let us index it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup

from knowledge.documents import Section
from knowledge.parsing import parse_html


@dataclass(frozen=True)
class WebPage:
    title: str
    sections: tuple[Section, ...]
    links: tuple[str, ...]  # absolute, without fragments
    indexable: bool  # false when <meta name="robots"> says noindex


def read_web_page(html: str, url: str) -> WebPage:
    soup = BeautifulSoup(html, "html.parser")
    robots = _meta_robots(soup)
    links = () if "nofollow" in robots else _links(soup, url)
    if "noindex" in robots:
        return WebPage(title="", sections=(), links=links, indexable=False)
    title, sections = parse_html(html, fallback_title=url)
    return WebPage(title=title, sections=sections, links=links, indexable=True)


def _links(soup: BeautifulSoup, url: str) -> tuple[str, ...]:
    base_tag = soup.find("base", href=True)
    base = urljoin(url, base_tag["href"]) if base_tag else url
    found = dict.fromkeys(
        urldefrag(urljoin(base, a["href"].strip())).url
        for a in soup.find_all("a", href=True)
        if "nofollow" not in (a.get("rel") or [])
    )
    return tuple(found)


def _meta_robots(soup: BeautifulSoup) -> set[str]:
    directives: set[str] = set()
    for meta in soup.find_all("meta", attrs={"name": True, "content": True}):
        if meta["name"].strip().lower() in ("robots", "supportbot"):
            directives |= {d.strip().lower() for d in meta["content"].split(",")}
    return directives
