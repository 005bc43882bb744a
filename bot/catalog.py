"""Admin operations on sources: add, list, look up."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Source
from knowledge.sources.base import REMOTE_KINDS, SOURCE_KINDS


class SourceCatalogError(ValueError):
    pass


class SourceCatalog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(
        self, name: str, kind: str, location: str, base_url: str | None = None, every_minutes: int | None = None
    ) -> Source:
        name = name.strip()
        if not name:
            raise SourceCatalogError("a source needs a name")
        if kind not in SOURCE_KINDS:
            raise SourceCatalogError(f"unknown kind {kind!r}; choose one of {', '.join(SOURCE_KINDS)}")
        location = _checked_url(kind, location) if kind in REMOTE_KINDS else _checked_path(kind, location)
        with self._sessions.begin() as session:
            if session.scalar(select(Source).where(Source.name == name)):
                raise SourceCatalogError(f"a source named {name!r} already exists")
            source = Source(
                name=name, kind=kind, location=location, base_url=base_url, sync_every_minutes=every_minutes
            )
            session.add(source)
        return source

    def schedule(self, name: str, every_minutes: int | None) -> Source:
        """Sync the source every so many minutes (None: only when asked)."""
        if every_minutes is not None and every_minutes < 1:
            raise SourceCatalogError("a schedule needs at least one minute between syncs")
        with self._sessions.begin() as session:
            source = session.scalar(select(Source).where(Source.name == name, Source.removed_at.is_(None)))
            if source is None:
                raise SourceCatalogError(f"no source named {name!r}; see `supportbot sources list`")
            source.sync_every_minutes = every_minutes
            source.sync_scheduled_at = None
        return source

    def get(self, name: str) -> Source:
        with self._sessions() as session:
            source = session.scalar(select(Source).where(Source.name == name, Source.removed_at.is_(None)))
        if source is None:
            raise SourceCatalogError(f"no source named {name!r}; see `supportbot sources list`")
        return source

    def all(self) -> list[Source]:
        with self._sessions() as session:
            return list(session.scalars(select(Source).where(Source.removed_at.is_(None)).order_by(Source.name)))


def _checked_url(kind: str, location: str) -> str:
    parts = urlsplit(location.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        example = "https://help.example.com/sitemap.xml" if kind == "website" else "https://acme.zendesk.com"
        raise SourceCatalogError(f"a {kind} source needs an http(s) URL such as {example}, not {location!r}")
    if parts.username or parts.password:
        raise SourceCatalogError("put no credentials in the URL; Zendesk credentials come from the settings")
    return location.strip()


def _checked_path(kind: str, location: str) -> str:
    if location.startswith(("http://", "https://")):
        raise SourceCatalogError(f"{location} is a URL: use kind 'website' (or 'zendesk')")
    path = Path(location).expanduser()
    if not path.exists():
        raise SourceCatalogError(f"{location} does not exist")
    if kind == "folder" and not path.is_dir():
        raise SourceCatalogError(f"{location} is not a folder (use kind 'faq' for an FAQ file)")
    if kind == "faq" and not path.is_file():
        raise SourceCatalogError(f"{location} is not a file")
    return str(path.resolve())
