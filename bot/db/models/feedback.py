"""What people in the chat said about an answer, and the cases it opened for the support team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow

RATINGS = ("helpful", "not_right")
DISPUTE_REASONS = ("wrong_fact", "outdated_doc", "wrong_doc", "should_follow_script", "tone", "other")
ESCALATION_REASONS = ("user_request", "low_confidence", "out_of_scope", "script", "dispute", "error")


class AnswerFeedback(Base):
    """A Helpful / Not right click, with who and when. Every click is kept."""

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    trace_id: Mapped[str] = mapped_column(ForeignKey("answer_traces.id"), index=True)
    rating: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Dispute(Base):
    """"This answer was wrong": opened from Not right in a chat (or by a lead), worked in review."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    trace_id: Mapped[str] = mapped_column(ForeignKey("answer_traces.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    opened_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(40))
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    assignee: Mapped[str | None] = mapped_column(String(200))
    verdict: Mapped[str | None] = mapped_column(String(20))
    correction: Mapped[str | None] = mapped_column(Text)
    judged_by: Mapped[str | None] = mapped_column(String(200))
    judged_at: Mapped[datetime | None]
    correction_posted_at: Mapped[datetime | None]  # None with a correction: not posted yet (or it failed)
    promoted_at: Mapped[datetime | None]  # the correction became a FAQ entry, eval case and training example
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Escalation(Base):
    """A conversation put in front of a person. At most one is open per conversation."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    trace_id: Mapped[str | None] = mapped_column(ForeignKey("answer_traces.id"))
    reason: Mapped[str] = mapped_column(String(40))
    requested_by: Mapped[str | None] = mapped_column(String(200))  # None when the bot escalated on its own
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    notified_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_as: Mapped[str | None] = mapped_column(String(20))  # resolved | handed_back
