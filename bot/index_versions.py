"""The search index's version counter, kept in SQL and recorded in every trace."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import IndexState


def current_index_version(session: Session, backend: str) -> int:
    state = session.get(IndexState, backend)
    return state.version if state else 0


def bump_index_version(session: Session, backend: str) -> int:
    state = session.get(IndexState, backend)
    if state is None:
        state = IndexState(backend=backend, version=0)
        session.add(state)
    state.version += 1
    state.updated_at = utcnow()
    return state.version
