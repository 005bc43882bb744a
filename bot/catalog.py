"""Admin operations on sources: add, list, look up."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Source
from knowledge.sources.base import SOURCE_KINDS


class SourceCatalogError(ValueError):
    pass


class SourceCatalog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, name: str, kind: str, location: str, base_url: str | None = None) -> Source:
        name = name.strip()
        if not name:
            raise SourceCatalogError("a source needs a name")
        if kind not in SOURCE_KINDS:
            raise SourceCatalogError(f"unknown kind {kind!r}; choose one of {', '.join(SOURCE_KINDS)}")
        path = Path(location).expanduser()
        if not path.exists():
            raise SourceCatalogError(f"{location} does not exist")
        if kind == "folder" and not path.is_dir():
            raise SourceCatalogError(f"{location} is not a folder (use kind 'faq' for an FAQ file)")
        if kind == "faq" and not path.is_file():
            raise SourceCatalogError(f"{location} is not a file")
        with self._sessions.begin() as session:
            if session.scalar(select(Source).where(Source.name == name)):
                raise SourceCatalogError(f"a source named {name!r} already exists")
            source = Source(name=name, kind=kind, location=str(path.resolve()), base_url=base_url)
            session.add(source)
        return source

    def get(self, name: str) -> Source:
        with self._sessions() as session:
            source = session.scalar(select(Source).where(Source.name == name))
        if source is None:
            raise SourceCatalogError(f"no source named {name!r}; see `supportbot sources list`")
        return source

    def all(self) -> list[Source]:
        with self._sessions() as session:
            return list(session.scalars(select(Source).order_by(Source.name)))
