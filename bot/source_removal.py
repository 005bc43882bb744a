"""Removing a source: its documents retired (their versions stay, traces cite them) and its
chunks taken out of the index, under the source's sync lock so no sync writes meanwhile. A
sync in progress sees the request at its next batch and stops."""

from __future__ import annotations

import time

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.catalog import SourceCatalog, SourceCatalogError
from bot.db.base import utcnow
from bot.db.models import Document, Source, SyncRun
from bot.index_versions import bump_index_version
from bot.sync_lease import SyncAlreadyRunning, SyncLeases
from knowledge.stores.base import SearchIndex

POLL_S = 0.2


class SourceRemoval:
    def __init__(
        self, sessions: sessionmaker[Session], catalog: SourceCatalog, index: SearchIndex, leases: SyncLeases
    ) -> None:
        self._sessions, self._catalog, self._index, self._leases = sessions, catalog, index, leases

    def remove(self, name: str, wait_s: float = 60.0) -> int:
        """Remove the source; returns how many documents were retired."""
        source = self._catalog.get(name)
        with self._sessions.begin() as session:
            session.get(Source, source.id).removal_requested_at = utcnow()
        run_id = self._wait_for_lock(source, wait_s)
        with self._sessions() as session:
            keys = session.scalars(
                select(Document.key).where(Document.source_id == source.id, Document.status == "active")
            ).all()
        with self._index.writing():
            for key in keys:
                self._index.remove_document(source.name, key)
        now = utcnow()
        with self._sessions.begin() as session:
            session.execute(
                update(Document)
                .where(Document.source_id == source.id, Document.status == "active")
                .values(status="retired", retired_at=now)
            )
            row = session.get(Source, source.id)
            row.removed_at, row.sync_every_minutes = now, None
            row.name = f"{source.name} (removed #{source.id})"  # frees the name for a new source
            run = session.get(SyncRun, run_id)
            run.status, run.finished_at, run.removed = "succeeded", now, len(keys)
            bump_index_version(session, self._index.name)
        return len(keys)

    def _wait_for_lock(self, source: Source, wait_s: float) -> int:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                return self._leases.acquire(source.id, "remove")
            except SyncAlreadyRunning as busy:
                if time.monotonic() > deadline:
                    raise SourceCatalogError(
                        f"{source.name} is still syncing ({busy}); it stops at its next batch: run the removal again"
                    ) from None
                time.sleep(POLL_S)
