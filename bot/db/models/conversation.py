from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, utcnow


class Conversation(Base):
    """A thread in a channel (a Slack thread, a Teams reply chain, a terminal session)."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(200))
    external_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Where a script left off (script id, step, collected slots); None when no script runs.
    script_state: Mapped[dict | None] = mapped_column(JSON)
    # "bot" answers; "human" means a person took over and the bot stays quiet until handed back.
    handled_by: Mapped[str] = mapped_column(String(20), default="bot", server_default="bot")
    escalated_at: Mapped[datetime | None]
    # How to post into this thread later (a hand-back, a correction, a slow answer): chat-specific,
    # e.g. Slack's channel and thread_ts or a Teams conversation reference. None for cli/web.
    reply_address: Mapped[dict | None] = mapped_column(JSON)

    turns: Mapped[list[Turn]] = relationship(back_populates="conversation", order_by="Turn.id")


class Turn(Base):
    __tablename__ = "turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # user | bot
    user_id: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="turns")
