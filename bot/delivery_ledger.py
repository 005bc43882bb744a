"""Answer each chat event once, however often the chat delivers it.

Slack retries an event when it saw no acknowledgement in 3 s (and says so in
X-Slack-Retry-Num); the same message can also arrive as two events (an app_mention and a
message.channels). An adapter claims every key of an event (event id, channel+ts) before
answering, marks them done after replying, and releases them when answering failed, so a
retry of a first delivery that failed is still answered. A claim held by a crashed process
expires after `stale_after`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import as_utc, utcnow
from bot.db.models import ChatDelivery

log = logging.getLogger(__name__)

PROCESSING, DONE, FAILED = "processing", "done", "failed"


class DeliveryLedger:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        remember: timedelta = timedelta(minutes=10),
        stale_after: timedelta = timedelta(minutes=5),
    ) -> None:
        self._sessions = sessions
        self._remember = remember
        self._stale_after = stale_after
        self._claims_since_purge = 0

    def claim(self, keys: list[str]) -> bool:
        """True when this delivery should be answered; False for a duplicate."""
        now = utcnow()
        try:
            with self._sessions.begin() as session:
                rows = {
                    row.key: row
                    for row in session.scalars(select(ChatDelivery).where(ChatDelivery.key.in_(keys)).with_for_update())
                }
                if any(self._blocks(row, now) for row in rows.values()):
                    return False
                for key in keys:
                    row = rows.get(key)
                    if row is None:
                        session.add(ChatDelivery(key=key, status=PROCESSING, received_at=now))
                    else:
                        row.status, row.received_at, row.finished_at = PROCESSING, now, None
        except IntegrityError:
            return False  # a concurrent delivery of the same event claimed it first
        self._purge_now_and_then()
        return True

    def finish(self, keys: list[str], succeeded: bool) -> None:
        with self._sessions.begin() as session:
            for row in session.scalars(select(ChatDelivery).where(ChatDelivery.key.in_(keys))):
                row.status = DONE if succeeded else FAILED
                row.finished_at = utcnow()

    def _blocks(self, row: ChatDelivery, now) -> bool:
        if row.status == FAILED:
            return False
        if row.status == PROCESSING:
            return now - as_utc(row.received_at) < self._stale_after
        return True  # answered: a duplicate until purged, at least `remember` later

    def _purge_now_and_then(self) -> None:
        self._claims_since_purge += 1
        if self._claims_since_purge < 500:
            return
        self._claims_since_purge = 0
        cutoff = utcnow() - max(self._remember, self._stale_after)
        with self._sessions.begin() as session:
            session.execute(delete(ChatDelivery).where(ChatDelivery.received_at < cutoff))
