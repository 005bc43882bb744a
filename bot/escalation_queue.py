"""The escalation queue as support people work it: what is waiting, and handing a conversation
back to the bot once a person has dealt with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import utcnow
from bot.db.models import AnswerTrace, Conversation, Escalation
from bot.handoff import HandoffError, hand_back


@dataclass(frozen=True)
class WaitingEscalation:
    id: int
    reason: str
    created_at: datetime
    channel: str
    conversation_id: int
    handled_by: str
    question: str


def open_escalations(sessions: sessionmaker[Session], limit: int = 100) -> list[WaitingEscalation]:
    """Unresolved escalations, oldest first (the one waiting longest is worked first)."""
    with sessions() as session:
        rows = session.execute(
            select(Escalation, Conversation, AnswerTrace.question)
            .join(Conversation, Conversation.id == Escalation.conversation_id)
            .outerjoin(AnswerTrace, AnswerTrace.id == Escalation.trace_id)
            .where(Escalation.resolved_at.is_(None))
            .order_by(Escalation.created_at, Escalation.id)
            .limit(limit)
        ).all()
        return [
            WaitingEscalation(e.id, e.reason, e.created_at, c.channel, c.id, c.handled_by, question or "")
            for e, c, question in rows
        ]


def resolve_and_hand_back(sessions: sessionmaker[Session], escalation_id: int, by: str, resolution: str = "") -> int:
    """Resolves the escalation and lets the bot answer in its conversation again; returns the
    conversation id."""
    with sessions.begin() as session:
        escalation = session.get(Escalation, escalation_id)
        if escalation is None:
            raise HandoffError(f"no escalation {escalation_id}")
        if escalation.resolved_at is not None:
            raise HandoffError(f"escalation {escalation_id} was already resolved")
        escalation.resolved_at = utcnow()
        escalation.claimed_by = escalation.claimed_by or by
        escalation.resolution = resolution.strip() or None
        conversation_id = escalation.conversation_id
    hand_back(sessions, conversation_id)
    return conversation_id
