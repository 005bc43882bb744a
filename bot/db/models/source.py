from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, utcnow


class Source(Base):
    """A place documents come from: a folder of pages, an FAQ file, a website, a Zendesk help center."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(Text)
    base_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Synced by the scheduler (celery beat) this often; None: only when someone asks.
    sync_every_minutes: Mapped[int | None]
    sync_scheduled_at: Mapped[datetime | None]  # when the scheduler last queued a sync of it
    # Set when an admin removes it: a sync in progress stops at its next batch. Once removed,
    # the row stays (traces cite its documents' versions) under a name that frees the old one.
    removal_requested_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]

    sync_runs: Mapped[list[SyncRun]] = relationship(back_populates="source", order_by="SyncRun.id")


RUNNING = "running"


class SyncRun(Base):
    """One sync of one source: its outcome, counts and the problems it reported.

    A row in status `running` is also the source's sync lock: a partial unique index allows one
    per source, on every database. Its runner renews `heartbeat_at`; a run whose heartbeat is
    stale (its process died) can be taken over and ends as `abandoned`."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        Index(
            "uq_sync_runs_one_running_per_source",
            "source_id",
            unique=True,
            sqlite_where=text(f"status = '{RUNNING}'"),
            postgresql_where=text(f"status = '{RUNNING}'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    # running | succeeded | failed | abandoned (its worker died) | skipped (another sync was running)
    status: Mapped[str] = mapped_column(String(20), default=RUNNING)
    trigger: Mapped[str] = mapped_column(String(20), default="manual")  # manual | schedule | chat | api
    task_id: Mapped[str | None] = mapped_column(String(200))  # the celery task, when a worker runs it
    runner: Mapped[str | None] = mapped_column(String(200))  # host:pid of the process that runs it
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime | None]
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None]  # None while the source is being read
    finished_at: Mapped[datetime | None]
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # [{"path": ..., "reason": ...}]
    error: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="sync_runs")


class ConnectorState(Base):
    """What a website or Zendesk connector carries from one sync to the next (each page's ETag and
    Last-Modified, the export cursor), saved only after a sync succeeded. Never credentials."""

    __tablename__ = "connector_states"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
