"""The figures behind the quality dashboard, over a date range: answers and rates per strategy
and per script, abstention per day, and answers whose cited documents changed in the last sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from bot.db.base import as_utc
from bot.db.models import AnswerFeedback, AnswerTrace, Document, DocumentVersion, Escalation, Source, SyncRun, TraceEvidence


@dataclass(frozen=True)
class GroupRates:
    name: str
    traces: int
    answered: int
    abstained: int
    escalated: int  # the bot escalated, or a person was asked for under the answer
    helpful: int  # traces with at least one Helpful click
    not_right: int  # traces with at least one Not right click

    def rate(self, count: int) -> float:
        return count / self.traces if self.traces else 0.0


@dataclass(frozen=True)
class DayPoint:
    day: str
    traces: int
    abstained: int
    escalated: int


@dataclass(frozen=True)
class StaleCitation:
    trace_id: str
    created_at: datetime
    question: str
    source: str
    document_key: str
    title: str
    change: str  # changed | retired


def rates_by(session: Session, column, since: datetime, until: datetime) -> list[GroupRates]:
    """One row per value of `column` (AnswerTrace.strategy or .script_id), busiest first."""
    rated = lambda rating: (  # noqa: E731
        select(AnswerFeedback.trace_id).where(AnswerFeedback.rating == rating).distinct().subquery()
    )
    helpful, not_right = rated("helpful"), rated("not_right")
    handed = select(Escalation.trace_id).where(Escalation.trace_id.is_not(None)).distinct().subquery()
    counted = lambda outcome: func.sum(case((AnswerTrace.outcome == outcome, 1), else_=0))  # noqa: E731
    # escalated: the bot escalated, or the user asked for a person under the answer
    escalated = func.sum(case((or_(AnswerTrace.outcome == "escalated", handed.c.trace_id.is_not(None)), 1), else_=0))
    query = (
        select(
            column, func.count(), counted("answered"), counted("abstained"), escalated,
            func.count(helpful.c.trace_id), func.count(not_right.c.trace_id),
        )
        .outerjoin(helpful, helpful.c.trace_id == AnswerTrace.id)
        .outerjoin(not_right, not_right.c.trace_id == AnswerTrace.id)
        .outerjoin(handed, handed.c.trace_id == AnswerTrace.id)
        .where(AnswerTrace.created_at >= since, AnswerTrace.created_at < until, column.is_not(None))
        .group_by(column)
        .order_by(func.count().desc())
    )
    return [GroupRates(str(r[0]), r[1], r[2] or 0, r[3] or 0, r[4] or 0, r[5], r[6]) for r in session.execute(query)]


def per_day(session: Session, since: datetime, until: datetime) -> list[DayPoint]:
    day = func.date(AnswerTrace.created_at)
    counted = lambda outcome: func.sum(case((AnswerTrace.outcome == outcome, 1), else_=0))  # noqa: E731
    query = (
        select(day, func.count(), counted("abstained"), counted("escalated"))
        .where(AnswerTrace.created_at >= since, AnswerTrace.created_at < until)
        .group_by(day)
        .order_by(day)
    )
    return [DayPoint(str(r[0]), r[1], r[2] or 0, r[3] or 0) for r in session.execute(query)]


def stale_citations(session: Session, limit: int = 100) -> list[StaleCitation]:
    """Answers citing a document that the latest successful sync of its source changed or
    removed: the answer was right about a text that is not what the source says any more."""
    found: list[StaleCitation] = []
    for source in session.scalars(select(Source).where(Source.removed_at.is_(None)).order_by(Source.name)):
        run = session.scalar(
            select(SyncRun)
            .where(SyncRun.source_id == source.id, SyncRun.status == "succeeded", SyncRun.finished_at.is_not(None))
            .order_by(SyncRun.finished_at.desc())
            .limit(1)
        )
        if run is None or not (run.updated or run.removed):
            continue
        started, finished = run.started_at, run.finished_at
        changed = session.execute(
            select(Document.key, Document.status, Document.current_hash)
            .outerjoin(DocumentVersion, DocumentVersion.document_id == Document.id)
            .where(Document.source_id == source.id)
            .where(
                ((DocumentVersion.created_at >= started) & (DocumentVersion.created_at <= finished) & (DocumentVersion.version > 1))
                | ((Document.retired_at >= started) & (Document.retired_at <= finished))
            )
            .distinct()
        ).all()
        if not changed:
            continue
        current = {key: (status, current_hash) for key, status, current_hash in changed}
        rows = session.execute(
            select(TraceEvidence, AnswerTrace.created_at, AnswerTrace.question)
            .join(AnswerTrace, AnswerTrace.id == TraceEvidence.trace_id)
            .where(
                TraceEvidence.source == source.name,
                TraceEvidence.document_key.in_(list(current)),
                TraceEvidence.citation.is_not(None),
                AnswerTrace.outcome == "answered",
            )
            .order_by(AnswerTrace.created_at.desc())
            .limit(limit * 4)
        ).all()
        seen = {(c.trace_id, c.document_key) for c in found}
        for evidence, created_at, question in rows:
            status, current_hash = current[evidence.document_key]
            if status != "retired" and current_hash == evidence.content_hash:
                continue  # cited the version that is current again
            if (evidence.trace_id, evidence.document_key) in seen:
                continue
            seen.add((evidence.trace_id, evidence.document_key))
            found.append(StaleCitation(
                evidence.trace_id, as_utc(created_at), question, source.name, evidence.document_key, evidence.title,
                "retired" if status == "retired" else "changed",
            ))
    found.sort(key=lambda c: c.created_at, reverse=True)
    return found[:limit]
