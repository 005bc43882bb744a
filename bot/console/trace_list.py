"""One page of the trace list, newest first, by keyset pagination on (created_at, id): the
next page starts after the last row shown, so page 500 costs what page 1 costs."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from bot.console.trace_filters import TraceFilters
from bot.db.base import as_utc
from bot.db.models import AnswerFeedback, AnswerTrace, Dispute, TraceReview

PAGE_SIZE = 50


class CursorError(ValueError):
    pass


@dataclass(frozen=True)
class TraceRow:
    id: str
    created_at: datetime
    channel: str
    strategy: str
    script_id: str | None
    outcome: str
    question: str
    feedback: str | None  # the latest rating, if any
    disputed: bool
    label: str | None


@dataclass(frozen=True)
class TracePage:
    rows: list[TraceRow]
    next_cursor: str | None


def encode_cursor(created_at: datetime, trace_id: str) -> str:
    return base64.urlsafe_b64encode(f"{as_utc(created_at).isoformat()}|{trace_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        moment, _, trace_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(moment), trace_id
    except (ValueError, UnicodeDecodeError):
        raise CursorError("that page link is broken; start again from the first page") from None


def trace_page(
    session: Session, filters: TraceFilters, low_confidence_below: float, after: str | None = None, size: int = PAGE_SIZE
) -> TracePage:
    columns = (
        AnswerTrace.id, AnswerTrace.created_at, AnswerTrace.channel, AnswerTrace.strategy, AnswerTrace.script_id,
        AnswerTrace.outcome, func.substr(AnswerTrace.question, 1, 300),
    )
    query = filters.apply(select(*columns), low_confidence_below)
    if after:
        moment, last_id = decode_cursor(after)
        query = query.where(
            or_(AnswerTrace.created_at < moment, and_(AnswerTrace.created_at == moment, AnswerTrace.id < last_id))
        )
    query = query.order_by(AnswerTrace.created_at.desc(), AnswerTrace.id.desc()).limit(size + 1)
    found = session.execute(query).all()
    shown = found[:size]
    ids = [row[0] for row in shown]
    feedback, disputed, labels = _decorations(session, ids)
    rows = [
        TraceRow(r[0], as_utc(r[1]), r[2], r[3], r[4], r[5], r[6], feedback.get(r[0]), r[0] in disputed, labels.get(r[0]))
        for r in shown
    ]
    next_cursor = encode_cursor(shown[-1][1], shown[-1][0]) if len(found) > size else None
    return TracePage(rows, next_cursor)


def _decorations(session: Session, ids: list[str]) -> tuple[dict[str, str], set[str], dict[str, str]]:
    """Feedback, disputes and labels for the rows shown: three small IN queries, not joins over
    every trace."""
    if not ids:
        return {}, set(), {}
    feedback = dict(
        session.execute(
            select(AnswerFeedback.trace_id, AnswerFeedback.rating)
            .where(AnswerFeedback.trace_id.in_(ids))
            .order_by(AnswerFeedback.id)
        ).all()
    )
    disputed = set(session.scalars(select(Dispute.trace_id).where(Dispute.trace_id.in_(ids))))
    labels = dict(
        session.execute(
            select(TraceReview.trace_id, TraceReview.label).where(TraceReview.trace_id.in_(ids)).order_by(TraceReview.id)
        ).all()
    )
    return feedback, disputed, labels


def filter_choices(session: Session) -> dict[str, list[str]]:
    """Channels and strategies seen, for the filter drop-downs. A plain DISTINCT reads every
    trace on PostgreSQL (it has no skip scan); this walks the index one value at a time."""
    return {"channels": _distinct_values(session, "channel", 500), "strategies": _distinct_values(session, "strategy", 100)}


def _distinct_values(session: Session, column: str, limit: int) -> list[str]:
    assert column in ("channel", "strategy")  # a fixed column name, never input
    query = text(f"""
        WITH RECURSIVE seen(value) AS (
            SELECT MIN({column}) FROM answer_traces
            UNION ALL
            SELECT (SELECT MIN({column}) FROM answer_traces WHERE {column} > seen.value) FROM seen WHERE seen.value IS NOT NULL
        )
        SELECT value FROM seen WHERE value IS NOT NULL LIMIT :limit""")
    return [row[0] for row in session.execute(query, {"limit": limit})]
