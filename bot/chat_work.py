"""Chat work that runs after the HTTP response has gone back to Slack or Teams: answers, button
clicks, slow answers posted later. asyncio keeps only weak references to tasks, so each one is
held here until it ends; a failure is logged (the work itself releases its delivery, so a
redelivery is answered), and on shutdown the running work gets time to finish before what is
left is cancelled."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine

log = logging.getLogger(__name__)


class ChatWork:
    def __init__(self, chat: str) -> None:
        self._chat = chat  # "slack" | "teams": names the work in log lines
        self._running: set[asyncio.Task] = set()

    def start(self, work: Coroutine, what: str) -> asyncio.Task:
        """Runs `work` on the running loop; `what` names it in log lines ("turn of activity 1234")."""
        task = asyncio.create_task(self._logged(work, what), name=f"{self._chat}: {what}")
        self._hold(task)
        return task

    def hold_current(self, what: str) -> None:
        """Holds the task this is called from (one the chat SDK started, such as a bolt listener's)
        so that a shutdown waits for it; its failures stay the SDK's to log."""
        task = asyncio.current_task()
        task.set_name(f"{self._chat}: {what}")
        self._hold(task)

    @property
    def running(self) -> int:
        return len(self._running)

    async def drain(self, timeout_s: float) -> None:
        """Waits up to `timeout_s` for the running work (and work it starts meanwhile), then cancels the rest."""
        deadline = time.monotonic() + timeout_s
        while self._running and (left := deadline - time.monotonic()) > 0:
            await asyncio.wait(set(self._running), timeout=left)
        if not self._running:
            return
        late = set(self._running)
        log.warning(
            "%s: shutting down with %d piece(s) of work still running after %.0f s, cancelled: %s",
            self._chat, len(late), timeout_s, ", ".join(sorted(t.get_name() for t in late)),
        )
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    def _hold(self, task: asyncio.Task) -> None:
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _logged(self, work: Coroutine, what: str) -> None:
        try:
            await work
        except asyncio.CancelledError:
            log.warning("%s: %s cancelled before it finished", self._chat, what)
            raise
        except Exception:
            log.exception("%s: %s failed", self._chat, what)
