from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.documents import LoadProblem, SourceDocument

SOURCE_KINDS = ("folder", "faq")


class SourceError(Exception):
    """The source as a whole cannot be read (missing folder, unknown kind)."""


@dataclass
class LoadResult:
    documents: list[SourceDocument] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)


def load_source(kind: str, location: str, base_url: str | None = None) -> LoadResult:
    from knowledge.sources.faq_file import load_faq_file
    from knowledge.sources.folder import load_folder

    path = Path(location)
    if kind == "folder":
        return load_folder(path, base_url)
    if kind == "faq":
        return load_faq_file(path, base_url)
    raise SourceError(f"unknown source kind {kind!r}; expected one of {', '.join(SOURCE_KINDS)}")
