"""Writing and reading the console's audit log: who did what, to what, from where."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditEntry


def record(session: Session, actor: str, action: str, target: str = "", client: str = "", **details) -> None:
    """Inside the caller's transaction, so the entry exists exactly when the change does."""
    session.add(AuditEntry(actor=actor, action=action, target=target[:300], client_address=client[:100], details=details))


def recent_entries(session: Session, limit: int = 200, before_id: int | None = None, actor: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return list(session.scalars(query))


def entries_for(session: Session, target: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.target == target).order_by(AuditEntry.id)))
