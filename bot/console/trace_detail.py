"""Everything the trace page shows about one answer, read in one session."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AnswerFeedback, AnswerTrace, Conversation, Dispute, Escalation, TraceReview
from bot.trace_queries import EvidenceStatus, evidence_status, find_trace


@dataclass
class TraceDetail:
    trace: AnswerTrace
    evidence_status: dict[int, EvidenceStatus]
    feedback: list[AnswerFeedback]
    reviews: list[TraceReview]
    disputes: list[Dispute]
    escalations: list[Escalation]
    conversation: Conversation | None


def trace_detail(session: Session, trace_id: str) -> TraceDetail | None:
    trace = find_trace(session, trace_id)
    if trace is None:
        return None
    by_trace = lambda model: list(session.scalars(select(model).where(model.trace_id == trace.id).order_by(model.id)))  # noqa: E731
    return TraceDetail(
        trace=trace,
        evidence_status=evidence_status(session, trace),
        feedback=by_trace(AnswerFeedback),
        reviews=by_trace(TraceReview),
        disputes=by_trace(Dispute),
        escalations=by_trace(Escalation),
        conversation=session.get(Conversation, trace.conversation_id),
    )
