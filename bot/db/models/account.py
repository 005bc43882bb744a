"""Console accounts for support leads and admins, and their signed-in sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow

ROLES = ("lead", "admin")


class ConsoleAccount(Base):
    __tablename__ = "console_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, never the password
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]


class ConsoleSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    leaked table does not sign anyone in."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("console_accounts.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]  # signed out


class SignInAttempt(Base):
    """Every console sign-in attempt, so wrong passwords can be throttled per account and per
    client address."""

    __tablename__ = "console_sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_name: Mapped[str] = mapped_column(String(200), index=True)
    client_address: Mapped[str] = mapped_column(String(100), index=True)
    succeeded: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
