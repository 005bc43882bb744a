"""Which sources are due a scheduled sync. Each source keeps its own interval in SQL; the
scheduler (celery beat, or a thread in the embedded default) only asks this every minute."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import as_utc, utcnow
from bot.db.models import Source, SyncRun
from bot.db.models.source import RUNNING

_INTERVAL = re.compile(r"^\s*(\d+)\s*(m|min|h|d)?\s*$", re.IGNORECASE)
_UNIT_MINUTES = {"m": 1, "min": 1, "h": 60, "d": 24 * 60}
SCHEDULE_OFF = ("off", "never", "manual", "none")


class ScheduleError(ValueError):
    pass


def parse_interval(text: str) -> int | None:
    """'90' or '90m', '6h', '1d' -> minutes; 'off' -> None."""
    if text.strip().lower() in SCHEDULE_OFF:
        return None
    match = _INTERVAL.match(text)
    if not match:
        raise ScheduleError(f"{text!r} is not an interval: use minutes (30m), hours (6h), days (1d) or 'off'")
    minutes = int(match.group(1)) * _UNIT_MINUTES[(match.group(2) or "m").lower()]
    if minutes < 1:
        raise ScheduleError("a schedule needs at least one minute between syncs")
    return minutes


def describe_interval(minutes: int | None) -> str:
    if minutes is None:
        return "manual"
    if minutes % (24 * 60) == 0:
        return f"every {minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"every {minutes // 60}h"
    return f"every {minutes}m"


@dataclass(frozen=True)
class DueSource:
    name: str
    last_started_at: datetime | None


def claim_due_sources(sessions: sessionmaker[Session], now: datetime | None = None) -> list[DueSource]:
    """Sources whose interval has passed since their last sync and since they were last queued,
    with no sync running. Marks them queued, so a backlog in the queue is not queued again
    every minute; the claim is a conditional update, so two schedulers cannot both queue one."""
    now = now or utcnow()
    due = []
    with sessions.begin() as session:
        scheduled = select(Source).where(Source.sync_every_minutes.is_not(None), Source.removed_at.is_(None))
        for source in session.scalars(scheduled):
            interval = timedelta(minutes=source.sync_every_minutes)
            if _within(source.sync_scheduled_at, interval, now):
                continue
            runs = select(SyncRun).where(SyncRun.source_id == source.id, SyncRun.status != "skipped")
            last = session.scalar(runs.order_by(SyncRun.id.desc()).limit(1))
            if last is not None and (last.status == RUNNING or _within(last.started_at, interval, now)):
                continue
            claimed = session.execute(
                update(Source)
                .where(Source.id == source.id, _same(Source.sync_scheduled_at, source.sync_scheduled_at))
                .values(sync_scheduled_at=now)
            )
            if claimed.rowcount == 1:
                due.append(DueSource(source.name, last.started_at if last else None))
    return due


def next_due(source: Source, last_started_at: datetime | None) -> datetime | None:
    if source.sync_every_minutes is None:
        return None
    if last_started_at is None:
        return utcnow()
    return as_utc(last_started_at) + timedelta(minutes=source.sync_every_minutes)


def _within(moment: datetime | None, interval: timedelta, now: datetime) -> bool:
    return moment is not None and now - as_utc(moment) < interval


def _same(column, value):
    return column.is_(None) if value is None else column == value
