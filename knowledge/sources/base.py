from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.documents import LoadProblem, SourceDocument
from knowledge.sources.options import ConnectorOptions

SOURCE_KINDS = ("folder", "faq", "website", "zendesk")
REMOTE_KINDS = ("website", "zendesk")


class SourceError(Exception):
    """The source as a whole cannot be read (missing folder, unknown kind, site or API unreachable,
    credentials refused). Nothing is retired when this is raised."""


@dataclass(frozen=True)
class PreviousSync:
    """What a connector may know from earlier syncs: the state it returned last time, and the keys
    of the documents that have a stored current version (only those may be reported unchanged)."""

    state: dict = field(default_factory=dict)
    stored_keys: frozenset[str] = frozenset()


@dataclass
class LoadResult:
    """Everything a source holds now: `documents` were read in full, `unchanged_keys` were not
    re-read because the source said they did not change (HTTP 304, not updated since the cursor).
    A stored key in neither list is retired, unless a problem names it (or names no key).
    `state` is what the connector wants back next time (JSON-able); None for stateless kinds."""

    documents: list[SourceDocument] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    unchanged_keys: list[str] = field(default_factory=list)
    state: dict | None = None


def load_source(
    kind: str,
    location: str,
    base_url: str | None = None,
    *,
    previous: PreviousSync | None = None,
    options: ConnectorOptions | None = None,
) -> LoadResult:
    from knowledge.sources.faq_file import load_faq_file
    from knowledge.sources.folder import load_folder

    previous = previous or PreviousSync()
    options = options or ConnectorOptions()
    if kind == "folder":
        return load_folder(Path(location), base_url)
    if kind == "faq":
        return load_faq_file(Path(location), base_url)
    if kind == "website":
        from knowledge.sources.website import load_website

        return load_website(location, previous, options)
    if kind == "zendesk":
        from knowledge.sources.zendesk import load_zendesk

        return load_zendesk(location, previous, options)
    raise SourceError(f"unknown source kind {kind!r}; expected one of {', '.join(SOURCE_KINDS)}")
