"""Syncs a source into SQL (the source of truth) and the search index (its projection).

Work goes in batches. For each batch the index is updated and saved first, then SQL is
committed: if the process dies in between, SQL still holds the old hashes, so the next run
redoes that batch (index writes are idempotent) and nothing is lost or duplicated.

Only one sync of a source runs at a time, on any process (`bot.sync_lease`); a second
trigger is recorded as a skipped run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.catalog import SourceCatalog
from bot.db.base import utcnow
from bot.db.models import ChunkRecord, ConnectorState, Document, DocumentVersion, Source, SyncRun
from bot.index_versions import bump_index_version
from bot.sync_lease import Heartbeat, LeaseLost, SyncAlreadyRunning, SyncLeases
from knowledge.chunking import chunk_document
from knowledge.documents import LoadProblem, SourceDocument
from knowledge.indexing import Indexer
from knowledge.sources import SourceError, load_source
from knowledge.sources.base import PreviousSync
from knowledge.sources.options import ConnectorOptions
from knowledge.sync_plan import plan_sync

log = logging.getLogger(__name__)

class SourceRemoved(Exception):
    """An admin removed the source while it was syncing."""


_REPORT_COUNTER = {"add": "added", "update": "updated", "remove": "removed"}
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class SyncReport:
    source: str
    run_id: int
    status: str = "succeeded"
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    problems: list[LoadProblem] = field(default_factory=list)
    kept_despite_problems: int = 0
    error: str | None = None
    seconds: float = 0.0


class SyncService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalog: SourceCatalog,
        indexer: Indexer,
        chunk_words: int = 60,
        chunk_overlap_words: int = 30,
        batch_size: int = 100,
        connector_options: ConnectorOptions | None = None,
        lease_stale_after: timedelta = timedelta(minutes=2),
    ) -> None:
        self._sessions = sessions
        self._catalog = catalog
        self._indexer = indexer
        self._chunk_words = chunk_words
        self._chunk_overlap_words = chunk_overlap_words
        self._batch_size = batch_size
        self._connector_options = connector_options or ConnectorOptions()
        self.leases = SyncLeases(sessions, lease_stale_after)

    def sync(
        self,
        source_name: str,
        on_progress: Progress | None = None,
        *,
        trigger: str = "manual",
        task_id: str | None = None,
    ) -> SyncReport:
        """Sync one source now, in this process. Returns a `skipped` report when another sync of
        the source is running anywhere."""
        started = time.perf_counter()
        source = self._catalog.get(source_name)
        try:
            run_id = self.leases.acquire(source.id, trigger, task_id)
        except SyncAlreadyRunning as busy:
            log.info("sync of %s skipped: %s", source.name, busy)
            run_id = self.leases.record_skipped(source.id, trigger, task_id, str(busy))
            return SyncReport(source=source.name, run_id=run_id, status="skipped", error=str(busy))
        report = SyncReport(source=source.name, run_id=run_id)
        with self.leases.heartbeat(run_id) as beat:
            try:
                self._run(source, report, self._recording(beat, on_progress), beat)
            except SourceError as exc:
                report.status, report.error = "failed", str(exc)
            except LeaseLost as exc:
                report.status, report.error = "abandoned", str(exc)
            except SourceRemoved:
                report.status, report.error = "cancelled", "the source was removed during the sync; it stopped there"
            except Exception as exc:
                log.exception("sync of %s failed", source.name)
                report.status, report.error = "failed", f"{type(exc).__name__}: {exc}"
        report.seconds = round(time.perf_counter() - started, 3)
        if report.status != "abandoned":  # the run that took over owns the row now
            self._finish(run_id, report)
        return report

    def _recording(self, beat: Heartbeat, on_progress: Progress | None) -> Progress:
        def record(done: int, total: int) -> None:
            if not self.leases.touch(beat.run_id, done, total):
                beat.lost = True
            if on_progress:
                on_progress(done, total)

        return record

    def _run(self, source: Source, report: SyncReport, on_progress: Progress, beat: Heartbeat) -> None:
        with self._sessions() as session:
            current = dict(
                session.execute(
                    select(Document.key, Document.current_hash).where(
                        Document.source_id == source.id, Document.status == "active"
                    )
                ).all()
            )
            saved = session.get(ConnectorState, source.id)
            previous = PreviousSync(state=dict(saved.state) if saved else {}, stored_keys=frozenset(current))
        loaded = load_source(
            source.kind, source.location, source.base_url, previous=previous, options=self._connector_options
        )
        report.problems = loaded.problems
        report.failed = len(loaded.problems)
        plan = plan_sync(current, loaded.documents, loaded.problems, loaded.unchanged_keys)
        report.unchanged = len(plan.unchanged)
        report.kept_despite_problems = len(plan.kept_despite_problems)
        work: list[tuple[str, SourceDocument | str]] = [("add", d) for d in plan.added]
        work += [("update", d) for d in plan.changed]
        work += [("remove", key) for key in plan.removed]
        total = len(work)
        on_progress(0, total)
        for start in range(0, total, self._batch_size):
            self._check_still_wanted(source.id, beat)
            batch = work[start:start + self._batch_size]
            self._apply_batch(source, batch)
            for action, _ in batch:
                counter = _REPORT_COUNTER[action]
                setattr(report, counter, getattr(report, counter) + 1)
            on_progress(min(start + len(batch), total), total)
        self._check_still_wanted(source.id, beat)
        if loaded.state is not None:
            self._save_state(source.id, loaded.state)

    def _check_still_wanted(self, source_id: int, beat: Heartbeat) -> None:
        beat.check()
        with self._sessions() as session:
            if session.get(Source, source_id).removal_requested_at is not None:
                raise SourceRemoved()

    def _save_state(self, source_id: int, state: dict) -> None:
        """Only after every batch is committed: a sync that dies earlier re-reads in full next time."""
        with self._sessions.begin() as session:
            saved = session.get(ConnectorState, source_id)
            if saved is None:
                session.add(ConnectorState(source_id=source_id, state=state))
            else:
                saved.state = state

    def _apply_batch(self, source: Source, batch: list[tuple[str, SourceDocument | str]]) -> None:
        index = self._indexer.index
        chunked = {
            item.key: chunk_document(
                item, source.name, max_words=self._chunk_words, overlap_words=self._chunk_overlap_words
            )
            for action, item in batch
            if action != "remove"
        }
        embedded = self._indexer.embed_documents(chunked)  # the slow part, outside the index's lock
        with index.writing():  # other processes may write the same embedded index between batches
            for key, documents in embedded.items():
                index.replace_document(source.name, key, documents)
            for action, item in batch:
                if action == "remove":
                    index.remove_document(source.name, item)
        with self._sessions.begin() as session:
            for action, item in batch:
                if action == "remove":
                    self._retire(session, source.id, item)
                else:
                    self._store_version(session, source.id, item, chunked[item.key])
            bump_index_version(session, index.name)

    def _store_version(self, session: Session, source_id: int, document: SourceDocument, chunks) -> None:
        row = session.scalar(select(Document).where(Document.source_id == source_id, Document.key == document.key))
        if row is None:
            row = Document(source_id=source_id, key=document.key)
            session.add(row)
            session.flush()
        row.status, row.retired_at, row.current_hash = "active", None, document.content_hash
        existing = session.scalar(
            select(DocumentVersion).where(
                DocumentVersion.document_id == row.id, DocumentVersion.content_hash == document.content_hash
            )
        )
        if existing is not None:  # the page went back to an earlier text: that version serves again
            return
        latest = max((v.version for v in row.versions), default=0)
        version = DocumentVersion(
            document_id=row.id,
            version=latest + 1,
            content_hash=document.content_hash,
            title=document.title,
            url=document.url,
            content_type=document.content_type,
            text=document.text,
        )
        session.add(version)
        session.flush()
        session.add_all(
            ChunkRecord(id=c.id, version_id=version.id, ordinal=c.ordinal, section=c.section, text=c.text)
            for c in chunks
        )

    def _retire(self, session: Session, source_id: int, key: str) -> None:
        row = session.scalar(select(Document).where(Document.source_id == source_id, Document.key == key))
        if row is not None:
            row.status, row.retired_at = "retired", utcnow()

    def _finish(self, run_id: int, report: SyncReport) -> None:
        with self._sessions.begin() as session:
            run = session.get(SyncRun, run_id)
            run.status = report.status
            run.finished_at = utcnow()
            run.added, run.updated, run.unchanged = report.added, report.updated, report.unchanged
            run.removed, run.failed = report.removed, report.failed
            run.problems = [{"path": p.path, "reason": p.reason} for p in report.problems]
            run.error = report.error
