"""Read side of answer traces: listing, and one trace with each cited document's status now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import AnswerTrace, Document, Source


@dataclass(frozen=True)
class EvidenceStatus:
    """How the document behind a piece of evidence stands today."""

    state: str  # current | changed | retired | missing

    @property
    def note(self) -> str:
        return {
            "current": "unchanged since",
            "changed": "document changed since",
            "retired": "document removed since",
            "missing": "document no longer known",
        }[self.state]


def list_traces(session: Session, limit: int = 20, outcome: str | None = None) -> list[AnswerTrace]:
    query = select(AnswerTrace).order_by(AnswerTrace.created_at.desc(), AnswerTrace.id).limit(limit)
    if outcome:
        query = query.where(AnswerTrace.outcome == outcome)
    return list(session.scalars(query))


def find_trace(session: Session, trace_id: str) -> AnswerTrace | None:
    query = select(AnswerTrace).options(selectinload(AnswerTrace.evidence))
    exact = session.scalar(query.where(AnswerTrace.id == trace_id))
    if exact is not None or len(trace_id) < 6:
        return exact
    matches = list(session.scalars(query.where(AnswerTrace.id.startswith(trace_id, autoescape=True)).limit(2)))
    return matches[0] if len(matches) == 1 else None


def evidence_status(session: Session, trace: AnswerTrace) -> dict[int, EvidenceStatus]:
    """Maps each evidence row id to the status of its document now."""
    statuses = {}
    for item in trace.evidence:
        document = session.scalar(
            select(Document).join(Source).where(Source.name == item.source, Document.key == item.document_key)
        )
        if document is None:
            state = "missing"
        elif document.status == "retired":
            state = "retired"
        elif document.current_hash != item.content_hash:
            state = "changed"
        else:
            state = "current"
        statuses[item.id] = EvidenceStatus(state)
    return statuses
