"""Working disputes: opening one on any trace, taking it into review, judging it, and posting
its correction into the user's thread. Status moves open -> in_review -> upheld | overturned;
each move is a conditional UPDATE, so two leads judging at once cannot both win."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.console.audit_log import record
from bot.console.thread_posts import ThreadPoster
from bot.db.base import utcnow
from bot.db.models import AnswerTrace, Conversation, Dispute
from bot.db.models.feedback import DISPUTE_REASONS

STATUSES = ("open", "in_review", "upheld", "overturned")
VERDICTS = ("upheld", "overturned")  # upheld: the user was right, the answer was wrong
OPEN_STATUSES = ("open", "in_review")
REASON_LABELS = {
    "wrong_fact": "Wrong fact", "outdated_doc": "Outdated document", "wrong_doc": "Wrong document",
    "should_follow_script": "Should have followed a script", "tone": "Tone", "other": "Other",
}


class DisputeError(ValueError):
    """`message` is what the lead reads; whatever they typed is kept by the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Actor:
    name: str
    client: str = ""


def open_dispute(sessions: sessionmaker[Session], trace_id: str, reason: str, details: str, actor: Actor) -> int:
    if reason not in DISPUTE_REASONS:
        raise DisputeError(f"Choose a reason: {', '.join(REASON_LABELS.values())}.")
    with sessions.begin() as session:
        trace = session.get(AnswerTrace, trace_id)
        if trace is None:
            raise DisputeError(f"There is no trace {trace_id!r}; it may have been deleted.")
        if session.get(Conversation, trace.conversation_id) is None:
            raise DisputeError("The conversation behind this answer was deleted, so a dispute cannot follow up in it.")
        dispute = Dispute(
            trace_id=trace.id, conversation_id=trace.conversation_id, opened_by=f"console:{actor.name}",
            reason=reason, details=details.strip()[:4000],
        )
        session.add(dispute)
        session.flush()
        record(session, actor.name, "dispute_opened", f"dispute:{dispute.id}", actor.client, trace_id=trace.id, reason=reason)
        return dispute.id


def take_into_review(sessions: sessionmaker[Session], dispute_id: int, assignee: str, actor: Actor) -> None:
    assignee = assignee.strip() or actor.name
    with sessions.begin() as session:
        changed = session.execute(
            update(Dispute)
            .where(Dispute.id == dispute_id, Dispute.status.in_(OPEN_STATUSES))
            .values(status="in_review", assignee=assignee, updated_at=utcnow())
        ).rowcount
        if not changed:
            raise DisputeError(_closed_message(session, dispute_id))
        record(session, actor.name, "dispute_assigned", f"dispute:{dispute_id}", actor.client, assignee=assignee)


def judge(sessions: sessionmaker[Session], dispute_id: int, verdict: str, correction: str, actor: Actor) -> None:
    correction = correction.strip()
    if verdict not in VERDICTS:
        raise DisputeError("Choose a verdict: upheld (the answer was wrong) or overturned (the answer stands).")
    if verdict == "upheld" and not correction:
        raise DisputeError("An upheld dispute needs a correction: what the right answer is.")
    with sessions.begin() as session:
        changed = session.execute(
            update(Dispute)
            .where(Dispute.id == dispute_id, Dispute.status.in_(OPEN_STATUSES))
            .values(
                status=verdict, verdict=verdict, correction=correction or None, judged_by=actor.name,
                judged_at=utcnow(), updated_at=utcnow(),
            )
        ).rowcount
        if not changed:
            raise DisputeError(_closed_message(session, dispute_id))
        record(session, actor.name, "dispute_judged", f"dispute:{dispute_id}", actor.client, verdict=verdict)


def post_correction(sessions: sessionmaker[Session], poster: ThreadPoster, dispute_id: int, actor: Actor) -> str:
    """Posts the judged correction into the user's thread (once); raises ThreadPostFailed or
    DisputeError. The correction stays saved whatever happens, so it can be posted again."""
    with sessions() as session:
        dispute = session.get(Dispute, dispute_id)
        if dispute is None or not dispute.correction:
            raise DisputeError("This dispute has no correction to post.")
        if dispute.correction_posted_at is not None:
            raise DisputeError("The correction was already posted into the thread.")
        conversation_id, text = dispute.conversation_id, correction_message(dispute.correction)
    chat = poster.post(conversation_id, text, actor.name)
    with sessions.begin() as session:
        session.get(Dispute, dispute_id).correction_posted_at = utcnow()
        record(session, actor.name, "correction_posted", f"dispute:{dispute_id}", actor.client, chat=chat)
    return chat


def correction_message(correction: str) -> str:
    return f"A correction from our support team: {correction}"


def list_disputes(session: Session, status: str = "", limit: int = 200) -> list[tuple[Dispute, str]]:
    """Disputes with their trace's question, open ones oldest first, closed ones newest first."""
    query = select(Dispute, AnswerTrace.question).join(AnswerTrace, AnswerTrace.id == Dispute.trace_id)
    if status:
        query = query.where(Dispute.status == status)
    if status in OPEN_STATUSES or not status:
        query = query.order_by(Dispute.status.in_(OPEN_STATUSES).desc(), Dispute.created_at)
    else:
        query = query.order_by(Dispute.created_at.desc())
    return [(d, q) for d, q in session.execute(query.limit(limit)).all()]


def _closed_message(session: Session, dispute_id: int) -> str:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        return f"There is no dispute #{dispute_id}."
    return f"Dispute #{dispute_id} was already judged ({dispute.status}) by {dispute.judged_by or 'someone'}."
