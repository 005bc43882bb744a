from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class ChatDelivery(Base):
    """One delivery key of an incoming chat event (a Slack event_id, a channel+ts, a Teams
    activity id) with what became of it, so retries of the same event are answered once."""

    __tablename__ = "chat_deliveries"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # processing | done | failed
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
