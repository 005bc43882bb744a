"""The one-sync-per-source lock: a SyncRun row in status `running`, kept alive by a heartbeat.

A partial unique index allows one running run per source, so two triggers racing on any
process or machine cannot both start. A runner that dies (SIGKILL, OOM, lost machine) stops
renewing `heartbeat_at`; once that is older than `stale_after` the next sync takes over and
the dead run ends as `abandoned`. A celery task redelivered after its worker died carries the
same task id as the dead run, so it takes over at once instead of waiting out the staleness.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import as_utc, utcnow
from bot.db.models import SyncRun
from bot.db.models.source import RUNNING

log = logging.getLogger(__name__)


class SyncAlreadyRunning(Exception):
    def __init__(self, run_id: int | None, runner: str | None, started_at: datetime | None) -> None:
        self.run_id, self.runner, self.started_at = run_id, runner, started_at
        since = f" since {started_at:%Y-%m-%d %H:%M:%S}" if started_at else ""
        super().__init__(f"another sync of this source is running (run {run_id} on {runner or 'unknown'}{since})")


class LeaseLost(Exception):
    """This run was taken over because its heartbeat went stale: stop without writing more."""


def running_run(session: Session, source_id: int) -> SyncRun | None:
    """The source's run in progress: the holder of its lock, if any."""
    return session.scalar(select(SyncRun).where(SyncRun.source_id == source_id, SyncRun.status == RUNNING))


def this_runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Heartbeat:
    run_id: int
    lost: bool = False

    def check(self) -> None:
        if self.lost:
            raise LeaseLost(f"sync run {self.run_id} was taken over by another runner")


class SyncLeases:
    def __init__(self, sessions: sessionmaker[Session], stale_after: timedelta) -> None:
        self._sessions = sessions
        self.stale_after = stale_after

    def acquire(self, source_id: int, trigger: str, task_id: str | None = None) -> int:
        """Start a run of the source and return its id, or raise SyncAlreadyRunning."""
        self._take_over_dead_run(source_id, task_id)
        now = utcnow()
        try:
            with self._sessions.begin() as session:
                run = SyncRun(
                    source_id=source_id, status=RUNNING, trigger=trigger, task_id=task_id,
                    runner=this_runner(), started_at=now, heartbeat_at=now,
                )
                session.add(run)
        except IntegrityError:
            raise self._busy(source_id) from None
        return run.id

    def record_skipped(self, source_id: int, trigger: str, task_id: str | None, reason: str) -> int:
        now = utcnow()
        with self._sessions.begin() as session:
            run = SyncRun(
                source_id=source_id, status="skipped", trigger=trigger, task_id=task_id, runner=this_runner(),
                started_at=now, finished_at=now, error=reason,
            )
            session.add(run)
        return run.id

    @contextmanager
    def heartbeat(self, run_id: int) -> Iterator[Heartbeat]:
        """Renew the run's heartbeat from a thread while the body works (a long fetch gives no
        progress to hang it on)."""
        beat = Heartbeat(run_id)
        stop = threading.Event()
        interval = max(self.stale_after.total_seconds() / 4, 0.2)

        def renew() -> None:
            while not stop.wait(interval):
                if not self.touch(run_id):
                    beat.lost = True
                    return

        thread = threading.Thread(target=renew, name=f"sync-heartbeat-{run_id}", daemon=True)
        thread.start()
        try:
            yield beat
        finally:
            stop.set()
            thread.join()

    def touch(self, run_id: int, done: int | None = None, total: int | None = None) -> bool:
        """Renew the heartbeat (and record progress); False when the run is no longer ours."""
        values: dict = {"heartbeat_at": utcnow()}
        if done is not None:
            values["progress_done"] = done
        if total is not None:
            values["progress_total"] = total
        try:
            with self._sessions.begin() as session:
                result = session.execute(
                    update(SyncRun).where(SyncRun.id == run_id, SyncRun.status == RUNNING).values(**values)
                )
        except Exception:  # a database blip must not kill the sync; the next beat tries again
            log.warning("could not renew the heartbeat of sync run %s", run_id, exc_info=True)
            return True
        return result.rowcount == 1

    def _take_over_dead_run(self, source_id: int, task_id: str | None) -> None:
        with self._sessions.begin() as session:
            current = running_run(session, source_id)
            if current is None:
                return
            if task_id is not None and current.task_id == task_id:
                reason = "its worker died; the task was delivered again"
            elif utcnow() - as_utc(current.heartbeat_at or current.started_at) > self.stale_after:
                reason = f"no heartbeat for over {self.stale_after.total_seconds():g} s: its runner died"
            else:
                return
            taken = session.execute(
                update(SyncRun)
                .where(SyncRun.id == current.id, SyncRun.status == RUNNING)
                .values(status="abandoned", finished_at=utcnow(), error=reason)
            )
            if taken.rowcount == 1:
                log.warning("sync run %s of source %s abandoned: %s", current.id, source_id, reason)

    def _busy(self, source_id: int) -> SyncAlreadyRunning:
        with self._sessions() as session:
            current = running_run(session, source_id)
        if current is None:
            return SyncAlreadyRunning(None, None, None)
        return SyncAlreadyRunning(current.id, current.runner, current.started_at)
