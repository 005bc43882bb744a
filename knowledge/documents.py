"""Plain value types that flow from sources through sync into the search index."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """A run of text under one heading path, e.g. ("Billing", "Refunds")."""

    headings: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class SourceDocument:
    """One document as read from a source, before it is versioned.

    `key` is stable across syncs (a relative path, or an FAQ question's slug), so an edited
    page keeps its identity and gets a new version instead of becoming a new document.
    """

    key: str
    title: str
    sections: tuple[Section, ...]
    url: str | None = None
    content_type: str = "text/markdown"

    @property
    def text(self) -> str:
        parts = []
        for section in self.sections:
            if section.headings:
                parts.append(" > ".join(section.headings))
            parts.append(section.text)
        return "\n\n".join(p for p in parts if p)

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for value in (self.title, self.url or "", self.text):
            digest.update(value.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()


@dataclass(frozen=True)
class LoadProblem:
    """A file or record that could not be read; reported, never fatal for the rest."""

    path: str
    reason: str
    key: str | None = None  # the document it would have been, when known


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage. `id` is deterministic in (source, document key, content hash, ordinal),
    so re-indexing the same version yields the same ids."""

    id: str
    document_key: str
    content_hash: str
    ordinal: int
    title: str
    section: str
    text: str
    url: str | None = None
    source: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def indexed_text(self) -> str:
        """What the retrievers see: the page title and section travel with every chunk."""
        heading = f"{self.title} — {self.section}" if self.section else self.title
        return f"{heading}\n{self.text}"


def chunk_id(source: str, document_key: str, content_hash: str, ordinal: int) -> str:
    raw = f"{source}\x00{document_key}\x00{content_hash}\x00{ordinal}".encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:32]
