from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow

REVIEW_LABELS = ("correct", "partly", "wrong")


class TraceReview(Base):
    """A support lead's QA label on an answer. The latest one per trace counts; older ones
    stay as history."""

    __tablename__ = "trace_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    trace_id: Mapped[str] = mapped_column(ForeignKey("answer_traces.id"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
