"""QA labels that support leads put on answers (correct / partly / wrong, with a note)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import AnswerTrace, TraceReview
from bot.db.models.review import REVIEW_LABELS
from bot.trace_queries import find_trace


class ReviewError(ValueError):
    pass


def label_trace(sessions: sessionmaker[Session], trace_id: str, label: str, reviewer: str, note: str = "") -> TraceReview:
    label = label.strip().lower()
    if label not in REVIEW_LABELS:
        raise ReviewError(f"unknown label {label!r}; use one of {', '.join(REVIEW_LABELS)}")
    if not reviewer.strip():
        raise ReviewError("a review needs the reviewer's name")
    with sessions.begin() as session:
        trace = find_trace(session, trace_id)
        if trace is None:
            raise ReviewError(f"no trace {trace_id!r}")
        review = TraceReview(trace_id=trace.id, label=label, note=note.strip(), reviewer=reviewer.strip())
        session.add(review)
    return review


def traces_labelled(session: Session, label: str) -> list[AnswerTrace]:
    """Traces whose latest review carries `label`, oldest first."""
    latest = (
        select(TraceReview.trace_id, func.max(TraceReview.id).label("review_id")).group_by(TraceReview.trace_id).subquery()
    )
    query = (
        select(AnswerTrace)
        .join(latest, latest.c.trace_id == AnswerTrace.id)
        .join(TraceReview, TraceReview.id == latest.c.review_id)
        .where(TraceReview.label == label)
        .order_by(AnswerTrace.created_at)
    )
    return list(session.scalars(query))
