"""Opens the search index the settings name: Elasticsearch when its URL is set, else the
embedded in-memory index file, rebuilt from SQL (the source of truth) when the file is damaged."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from knowledge.stores.base import SearchIndex

log = logging.getLogger(__name__)


def open_search_index(settings: Settings, sessions: sessionmaker[Session], embedding_model: str,
                      notices: list[str]) -> SearchIndex:
    """`notices` hears about a rebuilt index, for the user."""
    if settings.elasticsearch_url is not None:
        from knowledge.stores.elasticsearch import ElasticsearchIndex

        api_key = settings.elasticsearch_api_key
        return ElasticsearchIndex(
            url=settings.elasticsearch_url.get_secret_value(),
            index=settings.elasticsearch_index,
            api_key=api_key.get_secret_value() if api_key else None,
        )
    from knowledge.stores.base import IndexCorruptedError
    from knowledge.stores.in_memory import InMemoryIndex

    path = settings.index_path
    try:
        return InMemoryIndex(path)
    except IndexCorruptedError as exc:
        return _rebuilt(path, exc, sessions, embedding_model, notices)


def _rebuilt(path: Path, error: Exception, sessions: sessionmaker[Session], embedding_model: str,
             notices: list[str]) -> SearchIndex:
    """The damaged file kept aside, and the index rebuilt from the database."""
    from bot.reindex import rebuild_index
    from knowledge.indexing import Indexer
    from knowledge.stores.in_memory import InMemoryIndex

    kept = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
    path.rename(kept)
    index = InMemoryIndex(path)
    written = rebuild_index(sessions, Indexer(index, embedding_model))
    notice = f"{error}; kept it as {kept.name} and rebuilt the index from the database ({written} chunks)."
    log.warning(notice)
    notices.append(notice)
    return index
