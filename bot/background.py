"""Work that must not hold up a chat reply or a command: syncs, index rebuilds, escalation
notices. With SUPPORTBOT_REDIS_URL set it goes to celery workers; without, it runs on threads
of this process (the embedded default). Callers cannot tell the difference."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from bot.answer_handoff import handoff_payload
from bot.messages import IncomingMessage
from bot.worker import task_names

log = logging.getLogger(__name__)


class BackgroundJobs(Protocol):
    def sync_source(self, name: str, trigger: str = "manual") -> str:
        """Start a sync of the source; returns the id its run will carry (`SyncRun.task_id`)."""

    def rebuild_index(self) -> None: ...

    def send_escalation_notice(self, escalation_id: int) -> None: ...


class ThreadJobs:
    """The embedded default. The source's sync lock still decides whether a sync runs."""

    def __init__(
        self,
        sync: Callable[..., object],
        rebuild: Callable[[], object],
        notify: Callable[[int], object],
    ) -> None:
        self._sync, self._rebuild, self._notify = sync, rebuild, notify

    def sync_source(self, name: str, trigger: str = "manual") -> str:
        task_id = str(uuid.uuid4())
        self._start(f"sync-{name}", lambda: self._sync(name, trigger=trigger, task_id=task_id))
        return task_id

    def rebuild_index(self) -> None:
        self._start("rebuild-index", self._rebuild)

    def send_escalation_notice(self, escalation_id: int) -> None:
        self._notify(escalation_id)  # quick, and EscalationNotices never raises into the chat

    @staticmethod
    def _start(name: str, work: Callable[[], object]) -> None:
        def run() -> None:
            try:
                work()
            except Exception:
                log.exception("background %s failed", name)

        threading.Thread(target=run, name=name, daemon=True).start()


class TaskSender(Protocol):
    """What CeleryJobs needs of a celery app."""

    def send_task(self, name: str, *, args: tuple, queue: str, task_id: str, **options: Any) -> object: ...


class CeleryJobs:
    def __init__(self, app: TaskSender) -> None:
        self._app = app

    def sync_source(self, name: str, trigger: str = "manual") -> str:
        return self._send(task_names.SYNC_SOURCE, name, trigger)

    def rebuild_index(self) -> None:
        self._send(task_names.REBUILD_INDEX)

    def send_escalation_notice(self, escalation_id: int) -> None:
        self._send(task_names.SEND_ESCALATION_NOTICE, escalation_id)

    def deliver_answer(self, message: IncomingMessage, keys: list[str], context: dict) -> None:
        self._send(task_names.DELIVER_ANSWER, handoff_payload(message, keys, context))

    def _send(self, name: str, *args: object) -> str:
        task_id = str(uuid.uuid4())
        self._app.send_task(name, args=args, queue=task_names.QUEUE_OF[name], task_id=task_id)
        return task_id


class QueuedNotices:
    """What the answer service and chat actions call to send an escalation notice."""

    def __init__(self, jobs: BackgroundJobs) -> None:
        self._jobs = jobs

    def send(self, escalation_id: int) -> None:
        self._jobs.send_escalation_notice(escalation_id)


class ThreadScheduler:
    """The embedded default's celery beat: every `interval_s`, start the syncs that are due."""

    def __init__(self, claim_due: Callable[[], list], jobs: BackgroundJobs, interval_s: float) -> None:
        self._claim_due, self._jobs, self._interval_s = claim_due, jobs, interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="sync-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                for source in self._claim_due():
                    self._jobs.sync_source(source.name, "schedule")
            except Exception:
                log.exception("the sync scheduler could not check for due sources; trying again later")
