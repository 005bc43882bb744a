"""Page URLs from an XML sitemap (a <urlset>, or a <sitemapindex> of nested sitemaps)."""

from __future__ import annotations

from xml.etree import ElementTree

from knowledge.sources.base import SourceError


def parse_sitemap(text: str) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs), in document order."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise SourceError(f"sitemap is not valid XML ({exc})") from None
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise SourceError(f"sitemap root is <{kind}>, expected <urlset> or <sitemapindex>")
    locations = [
        (element.text or "").strip()
        for element in root.iter()
        if _local(element.tag) == "loc" and (element.text or "").strip()
    ]
    return (locations, []) if kind == "urlset" else ([], locations)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
