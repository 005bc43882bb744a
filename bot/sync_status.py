"""A source's sync state: the run in progress, the last finished one, the schedule. What
`/supportbot status`, `supportbot sources status` and `supportbot sync --watch` show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Source, SyncRun
from bot.db.models.source import RUNNING
from bot.sync_lease import running_run
from bot.sync_schedule import describe_interval, next_due


@dataclass(frozen=True)
class SyncState:
    source: Source
    running: SyncRun | None
    last: SyncRun | None  # the last run that finished (skipped ones aside)
    next_due: datetime | None


def sync_state(session: Session, source: Source) -> SyncState:
    runs = select(SyncRun).where(SyncRun.source_id == source.id)
    running = running_run(session, source.id)
    last = session.scalar(
        runs.where(SyncRun.status.not_in((RUNNING, "skipped"))).order_by(SyncRun.id.desc()).limit(1)
    )
    started = running.started_at if running else (last.started_at if last else None)
    return SyncState(source, running, last, next_due(source, started))


def run_counts(run: SyncRun) -> str:
    return (
        f"{run.added} added, {run.updated} updated, {run.unchanged} unchanged, "
        f"{run.removed} removed, {run.failed} failed"
    )


def run_progress(run: SyncRun) -> str:
    if run.progress_total is None:
        return "reading the source"
    return f"{run.progress_done}/{run.progress_total} documents"


def describe_sync_state(session: Session, source: Source) -> str:
    state = sync_state(session, source)
    parts = []
    if source.removal_requested_at is not None:
        parts.append("removal pending: it syncs no more; run `supportbot sources remove` again to finish")
    if state.running is not None:
        run = state.running
        parts.append(f"syncing now ({run_progress(run)}, since {run.started_at:%H:%M} UTC, {run.trigger})")
    if state.last is None:
        parts.append("never synced" if state.running is None else "no earlier sync")
    else:
        run = state.last
        detail = f" ({run.error})" if run.error else ""
        parts.append(f"{run.status} {run.started_at:%Y-%m-%d %H:%M} UTC: {run_counts(run)}{detail}")
    schedule = describe_interval(source.sync_every_minutes)
    if state.next_due is not None and state.running is None:
        schedule += f", next {state.next_due:%Y-%m-%d %H:%M} UTC"
    parts.append(schedule)
    return "; ".join(parts)
