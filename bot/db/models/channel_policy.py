from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class ChannelPolicy(Base):
    """Which strategy a channel uses: auto (the router decides), script or retrieval.
    Channels without a row use auto."""

    __tablename__ = "channel_policies"

    channel: Mapped[str] = mapped_column(String(200), primary_key=True)
    policy: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200))
