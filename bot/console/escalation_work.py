"""Working the escalation queue from the console: claim, reply, resolve, hand back to the bot.

A claim is a conditional UPDATE (only while nobody holds it), so when two leads claim the same
escalation at once exactly one gets it and the other is told who has it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.console.audit_log import record
from bot.console.disputes import Actor
from bot.console.thread_posts import ThreadPoster
from bot.db.base import as_utc, utcnow
from bot.db.models import AnswerTrace, Conversation, Escalation
from bot.handoff import BOT, HUMAN


class EscalationError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class QueueItem:
    escalation: Escalation
    channel: str
    handled_by: str
    question: str
    age: timedelta
    overdue: bool


def queue(session: Session, sla: timedelta, include_resolved: bool = False, limit: int = 200) -> list[QueueItem]:
    """Waiting escalations, the one waiting longest first (resolved ones newest first)."""
    query = (
        select(Escalation, Conversation.channel, Conversation.handled_by, AnswerTrace.question)
        .join(Conversation, Conversation.id == Escalation.conversation_id)
        .outerjoin(AnswerTrace, AnswerTrace.id == Escalation.trace_id)
    )
    if include_resolved:
        query = query.where(Escalation.resolved_at.is_not(None)).order_by(Escalation.resolved_at.desc())
    else:
        query = query.where(Escalation.resolved_at.is_(None)).order_by(Escalation.created_at, Escalation.id)
    now = utcnow()
    items = []
    for escalation, channel, handled_by, question in session.execute(query.limit(limit)).all():
        end = as_utc(escalation.resolved_at) if escalation.resolved_at else now
        age = end - as_utc(escalation.created_at)
        items.append(QueueItem(escalation, channel, handled_by, question or "", age, escalation.resolved_at is None and age > sla))
    return items


def claim(sessions: sessionmaker[Session], escalation_id: int, actor: Actor) -> None:
    with sessions.begin() as session:
        claimed = session.execute(
            update(Escalation)
            .where(Escalation.id == escalation_id, Escalation.claimed_by.is_(None), Escalation.resolved_at.is_(None))
            .values(claimed_by=actor.name, claimed_at=utcnow())
        ).rowcount
        if not claimed:
            raise EscalationError(_why_not(session, escalation_id, actor))
        escalation = session.get(Escalation, escalation_id)
        conversation = session.get(Conversation, escalation.conversation_id)
        conversation.handled_by = HUMAN  # a person has it now: the bot stays quiet in the thread
        conversation.script_state = None
        record(session, actor.name, "escalation_claimed", f"escalation:{escalation_id}", actor.client)


def reply(sessions: sessionmaker[Session], poster: ThreadPoster, escalation_id: int, text: str, actor: Actor) -> str:
    text = text.strip()
    if not text:
        raise EscalationError("Write a reply first.")
    conversation_id = _held_by(sessions, escalation_id, actor)
    chat = poster.post(conversation_id, text, actor.name)
    with sessions.begin() as session:
        record(session, actor.name, "escalation_replied", f"escalation:{escalation_id}", actor.client, text=text[:2000])
    return chat


def resolve(sessions: sessionmaker[Session], poster: ThreadPoster, escalation_id: int, resolution: str, actor: Actor) -> None:
    """Posts the resolution into the thread (when written), closes the escalation and lets the
    bot answer there again. If the post fails, nothing is closed: the lead can try again."""
    resolution = resolution.strip()
    conversation_id = _held_by(sessions, escalation_id, actor)
    if resolution:
        poster.post(conversation_id, resolution, actor.name)
    _close(sessions, escalation_id, actor, "resolved", resolution or None)


def hand_back(sessions: sessionmaker[Session], escalation_id: int, actor: Actor) -> None:
    """Closes the escalation without a message: the bot answers in the thread again."""
    _held_by(sessions, escalation_id, actor)
    _close(sessions, escalation_id, actor, "handed_back", None)


def _close(sessions: sessionmaker[Session], escalation_id: int, actor: Actor, how: str, resolution: str | None) -> None:
    with sessions.begin() as session:
        closed = session.execute(
            update(Escalation)
            .where(Escalation.id == escalation_id, Escalation.resolved_at.is_(None))
            .values(resolved_at=utcnow(), resolution=resolution, closed_as=how,
                    claimed_by=func.coalesce(Escalation.claimed_by, actor.name))
        ).rowcount
        if not closed:
            raise EscalationError(_why_not(session, escalation_id, actor))
        escalation = session.get(Escalation, escalation_id)
        conversation = session.get(Conversation, escalation.conversation_id)
        if conversation is not None:
            conversation.handled_by, conversation.escalated_at = BOT, None
        record(session, actor.name, f"escalation_{how}", f"escalation:{escalation_id}", actor.client)


def _held_by(sessions: sessionmaker[Session], escalation_id: int, actor: Actor) -> int:
    """The conversation id, when `actor` may act on the escalation: theirs, or nobody's yet
    (acting on it claims it)."""
    with sessions() as session:
        escalation = session.get(Escalation, escalation_id)
        if escalation is None:
            raise EscalationError(f"There is no escalation #{escalation_id}.")
        if escalation.resolved_at is not None:
            raise EscalationError(_why_not(session, escalation_id, actor))
        holder = escalation.claimed_by
        conversation_id = escalation.conversation_id
    if holder is None:
        claim(sessions, escalation_id, actor)
    elif holder != actor.name:
        raise EscalationError(f"{holder} has claimed escalation #{escalation_id}; only they can answer or close it.")
    return conversation_id


def _why_not(session: Session, escalation_id: int, actor: Actor) -> str:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        return f"There is no escalation #{escalation_id}."
    if escalation.resolved_at is not None:
        return f"Escalation #{escalation_id} was already closed by {escalation.claimed_by or 'someone'}."
    if escalation.claimed_by == actor.name:
        return f"You already claimed escalation #{escalation_id}."
    when = f" at {as_utc(escalation.claimed_at):%H:%M} UTC" if escalation.claimed_at else ""
    return f"{escalation.claimed_by} already claimed escalation #{escalation_id}{when}."

