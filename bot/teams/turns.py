"""Teams work that runs after /api/messages has answered: message turns and slow answers posted
later. asyncio keeps only weak references to tasks, so each one is held here until it ends; a
failure is logged (the work itself releases its delivery, so a redelivery is answered), and on
shutdown the running work gets time to finish before what is left is cancelled."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine

log = logging.getLogger(__name__)


class BackgroundTurns:
    def __init__(self) -> None:
        self._running: set[asyncio.Task] = set()

    def start(self, work: Coroutine, what: str) -> asyncio.Task:
        """Runs `work` on the running loop; `what` names it in log lines ("turn of activity 1234")."""
        task = asyncio.create_task(self._logged(work, what), name=f"teams: {what}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

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
        log.warning("teams: shutting down with %d turn(s) still running after %.0f s: cancelled", len(late), timeout_s)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    @staticmethod
    async def _logged(work: Coroutine, what: str) -> None:
        try:
            await work
        except asyncio.CancelledError:
            log.warning("teams: %s cancelled before it finished", what)
            raise
        except Exception:
            log.exception("teams: %s failed", what)
