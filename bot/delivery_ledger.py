"""Answer each chat event once, however often the chat delivers it.

Slack retries an event when it saw no acknowledgement in 3 s (and says so in
X-Slack-Retry-Num); the same message can also arrive as two events (an app_mention and a
message.channels). An adapter claims every key of an event (event id, channel+ts) before
answering, marks them done after replying, and releases them when answering failed, so a
retry of a first delivery that failed is still answered. A claim held by a crashed process
expires after `stale_after`.

A claim is one statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE the row may be taken
over, RETURNING the keys it got) in a transaction that is kept only when every key was got:
the database decides between concurrent deliveries, with no read-then-write window, and
SQLite takes its write lock once instead of upgrading a read.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import utcnow
from bot.db.models import ChatDelivery

log = logging.getLogger(__name__)

PROCESSING, DONE, FAILED = "processing", "done", "failed"

_UPSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


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
        keys = sorted(set(keys))  # one lock order for every claim (PostgreSQL locks the rows as it goes)
        if not keys:
            raise ValueError("a delivery needs at least one key")
        now = utcnow()
        with self._sessions() as session:
            claimed = session.scalars(self._claim_statement(session, keys, now)).all()
            if len(claimed) < len(keys):
                session.rollback()  # a key is answered or being answered: keep none of this claim
                return False
            session.commit()
        self._purge_now_and_then()
        return True

    def _claim_statement(self, session: Session, keys: list[str], now: datetime):
        dialect = session.get_bind().dialect.name
        if dialect not in _UPSERTS:
            raise RuntimeError(f"the delivery ledger supports SQLite and PostgreSQL, not {dialect}")
        fresh = {"status": PROCESSING, "received_at": now, "finished_at": None}
        insert = _UPSERTS[dialect](ChatDelivery).values([{"key": key, **fresh} for key in keys])
        may_take_over = or_(  # a failed delivery, or one whose process died while answering it
            ChatDelivery.status == FAILED,
            and_(ChatDelivery.status == PROCESSING, ChatDelivery.received_at < now - self._stale_after),
        )
        upsert = insert.on_conflict_do_update(index_elements=[ChatDelivery.key], set_=fresh, where=may_take_over)
        return upsert.returning(ChatDelivery.key)

    def finish(self, keys: list[str], succeeded: bool) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(ChatDelivery)
                .where(ChatDelivery.key.in_(keys))
                .values(status=DONE if succeeded else FAILED, finished_at=utcnow())
            )

    def _purge_now_and_then(self) -> None:
        self._claims_since_purge += 1
        if self._claims_since_purge < 500:
            return
        self._claims_since_purge = 0
        cutoff = utcnow() - max(self._remember, self._stale_after)
        with self._sessions.begin() as session:
            session.execute(delete(ChatDelivery).where(ChatDelivery.received_at < cutoff))
