"""Rebuilds the search index from SQL, the source of truth."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import ChunkRecord, Document, DocumentVersion, Source
from bot.index_versions import bump_index_version
from knowledge.documents import Chunk
from knowledge.indexing import Indexer


def _current_chunks_query():
    return (
        select(ChunkRecord, DocumentVersion, Document.key, Source.name)
        .join(DocumentVersion, ChunkRecord.version_id == DocumentVersion.id)
        .join(Document, DocumentVersion.document_id == Document.id)
        .join(Source, Document.source_id == Source.id)
        .where(Document.status == "active", DocumentVersion.content_hash == Document.current_hash)
    )


def count_current_chunks(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(_current_chunks_query().subquery())) or 0


def iter_current_chunks(session: Session) -> Iterator[Chunk]:
    query = _current_chunks_query().order_by(Source.name, Document.key, ChunkRecord.ordinal)
    for record, version, key, source in session.execute(query).yield_per(500):
        yield Chunk(
            id=record.id,
            document_key=key,
            content_hash=version.content_hash,
            ordinal=record.ordinal,
            title=version.title,
            section=record.section,
            text=record.text,
            url=version.url,
            source=source,
        )


def rebuild_index(
    sessions: sessionmaker[Session], indexer: Indexer, on_progress: Callable[[int, int], None] | None = None
) -> int:
    with sessions() as session:
        total = count_current_chunks(session)
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if on_progress:
                on_progress(done, total)

        written = indexer.rebuild(iter_current_chunks(session), on_progress=advance)
    with sessions.begin() as session:
        bump_index_version(session, indexer.index.name)
    return written
