"""Turn raw page bytes into a title and heading-aware sections.

Markdown is parsed with markdown-it-py and HTML with BeautifulSoup; plain text takes its
first line as the title. Every parser raises `ParseError` with a readable reason.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from knowledge.documents import Section

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_RUNS = re.compile(r"\n{3,}")


class ParseError(ValueError):
    pass


def decode_utf8(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not valid UTF-8 (byte {exc.start}: {raw[exc.start:exc.start + 1]!r})") from None
    return clean_text(text)


def clean_text(text: str) -> str:
    text = _CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip()


class _SectionBuilder:
    """Collects text under the current heading path; the H1 becomes the title."""

    def __init__(self) -> None:
        self.title = ""
        self.sections: list[Section] = []
        self._path: list[tuple[int, str]] = []
        self._lines: list[str] = []

    def heading(self, level: int, text: str) -> None:
        text = " ".join(text.split())
        if level == 1 and not self.title:
            self._flush()
            self.title = text
            return
        self._flush()
        self._path = [(lvl, t) for lvl, t in self._path if lvl < level] + [(level, text)]

    def add(self, text: str) -> None:
        if text.strip():
            self._lines.append(text.strip())

    def _flush(self) -> None:
        if self._lines:
            headings = tuple(t for _, t in self._path)
            self.sections.append(Section(headings=headings, text="\n".join(self._lines)))
        self._lines = []

    def finish(self, fallback_title: str) -> tuple[str, tuple[Section, ...]]:
        self._flush()
        sections = tuple(s for s in self.sections if s.text.strip())
        if not sections:
            raise ParseError("page has no text")
        return self.title or fallback_title, sections


_markdown = MarkdownIt("commonmark").enable("table")


def parse_markdown(text: str, fallback_title: str) -> tuple[str, tuple[Section, ...]]:
    builder = _SectionBuilder()
    tokens = _markdown.parse(text)
    lines = text.split("\n")
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            builder.heading(int(token.tag[1]), tokens[i + 1].content)
            i += 3
            continue
        if token.type == "table_open":
            end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            builder.add(_table_rows(tokens[i:end]))
            i = end + 1
            continue
        if token.level == 0 and token.map and token.type.endswith("_open"):
            start, end = token.map
            builder.add(_strip_markdown("\n".join(lines[start:end])))
            depth = 1
            close = token.type.replace("_open", "_close")
            while depth and i + 1 < len(tokens):
                i += 1
                if tokens[i].type == token.type:
                    depth += 1
                elif tokens[i].type == close:
                    depth -= 1
        elif token.level == 0 and token.map and token.type in ("fence", "code_block", "html_block", "hr"):
            start, end = token.map
            builder.add("\n".join(lines[start:end]) if token.type != "hr" else "")
        i += 1
    return builder.finish(fallback_title)


def _table_rows(tokens) -> str:
    """Each row as "Header: cell; Header: cell", so a chunk keeps the meaning of its cells."""
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            rows[-1].append(_strip_markdown(token.content).strip())
    if not rows:
        return ""
    header, body = rows[0], rows[1:]
    if not body:
        return "; ".join(header)
    return "\n".join("; ".join(f"{h}: {c}" if h else c for h, c in zip(header, row) if c) for row in body)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|`)")


def _strip_markdown(block: str) -> str:
    block = _MD_LINK.sub(r"\1", block)
    return _MD_EMPHASIS.sub("", block)


_HTML_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "td", "th", "dt", "dd", "blockquote"]


_NEVER_CONTENT = ["script", "style", "nav", "aside", "form", "noscript", "template", "iframe", "svg", "button"]
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert"}
_CHROME_NAMES = re.compile(
    r"(?:^|[-_])(?:cookies?|consent|breadcrumbs?|sidebar|skip-link|site-nav|menu|share|social|newsletter|toc)(?:$|[-_])",
    re.IGNORECASE,
)


def main_content(soup: BeautifulSoup):
    """The page's own text: chrome (navigation, banners, sidebars, cookie notices, page header
    and footer) removed, then <main>, else the one <article>, else the body."""
    for tag in soup(_NEVER_CONTENT):
        tag.decompose()
    for tag in soup(["header", "footer"]):
        if not tag.find_parent(["main", "article"]):  # an article's own header holds its title
            tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body", "main", "article"):
            continue
        names = [*(tag.get("class") or []), tag.get("id") or ""]
        if (tag.get("role") or "").lower() in _CHROME_ROLES or any(_CHROME_NAMES.search(n) for n in names if n):
            tag.decompose()
    articles = soup.find_all("article")
    return soup.find("main") or soup.find(attrs={"role": "main"}) or (articles[0] if len(articles) == 1 else None) or soup.body or soup


def parse_html(text: str, fallback_title: str) -> tuple[str, tuple[Section, ...]]:
    soup = BeautifulSoup(text, "html.parser")
    builder = _SectionBuilder()
    root = main_content(soup)
    for element in root.find_all(_HTML_BLOCKS):
        if element.find_parent(_HTML_BLOCKS):
            continue
        content = " ".join(element.get_text(" ").split())
        if element.name[0] == "h" and element.name[1:].isdigit():
            builder.heading(int(element.name[1]), content)
        elif element.name == "li":
            builder.add(f"- {content}")
        else:
            builder.add(content)
    title_tag = soup.find("title")
    if not builder.title and title_tag and title_tag.get_text(strip=True):
        builder.title = title_tag.get_text(strip=True)
    return builder.finish(fallback_title)


def parse_plain_text(text: str, fallback_title: str) -> tuple[str, tuple[Section, ...]]:
    first, _, rest = text.partition("\n")
    title = first.strip() if rest.strip() else fallback_title
    body = rest if rest.strip() else text
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    if not paragraphs:
        raise ParseError("page has no text")
    return title, (Section(headings=(), text="\n".join(paragraphs)),)


PARSERS = {
    ".md": ("text/markdown", parse_markdown),
    ".markdown": ("text/markdown", parse_markdown),
    ".html": ("text/html", parse_html),
    ".htm": ("text/html", parse_html),
    ".txt": ("text/plain", parse_plain_text),
}
