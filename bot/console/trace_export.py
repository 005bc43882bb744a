"""CSV and JSONL exports of the filtered trace list and of reviewed pairs (question, answer,
the lead's label and note, and a dispute's correction). Rows are read page by page on the
keyset, so an export of 100,000 traces never holds them all in memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.console.trace_filters import TraceFilters
from bot.db.base import as_utc
from bot.db.models import AnswerFeedback, AnswerTrace, Dispute, TraceEvidence, TraceReview

FORMATS = ("csv", "jsonl")
BATCH = 500
TRACE_COLUMNS = (
    "id", "created_at", "channel", "strategy", "script_id", "outcome", "question", "answer",
    "abstain_reason", "model", "feedback", "disputed", "label", "cited",
)
PAIR_COLUMNS = ("trace_id", "created_at", "question", "history", "answer", "label", "note", "reviewer", "correction")


def traces_export(sessions: sessionmaker[Session], filters: TraceFilters, low_below: float, fmt: str) -> Iterator[str]:
    return _write(fmt, TRACE_COLUMNS, _trace_records(sessions, filters, low_below))


def pairs_export(sessions: sessionmaker[Session], filters: TraceFilters, low_below: float, fmt: str) -> Iterator[str]:
    return _write(fmt, PAIR_COLUMNS, _pair_records(sessions, filters, low_below))


def _batches(sessions: sessionmaker[Session], filters: TraceFilters, low_below: float, narrow: Callable = lambda q: q):
    after = None
    while True:
        with sessions() as session:
            query = narrow(filters.apply(select(AnswerTrace), low_below))
            if after:
                query = query.where(or_(AnswerTrace.created_at < after[0], and_(AnswerTrace.created_at == after[0], AnswerTrace.id < after[1])))
            traces = list(session.scalars(query.order_by(AnswerTrace.created_at.desc(), AnswerTrace.id.desc()).limit(BATCH)))
            if not traces:
                return
            yield session, traces
            after = (traces[-1].created_at, traces[-1].id)


def _trace_records(sessions, filters, low_below) -> Iterator[dict]:
    for session, traces in _batches(sessions, filters, low_below):
        ids = [t.id for t in traces]
        feedback = dict(session.execute(select(AnswerFeedback.trace_id, AnswerFeedback.rating).where(AnswerFeedback.trace_id.in_(ids)).order_by(AnswerFeedback.id)).all())
        disputed = set(session.scalars(select(Dispute.trace_id).where(Dispute.trace_id.in_(ids))))
        labels = dict(session.execute(select(TraceReview.trace_id, TraceReview.label).where(TraceReview.trace_id.in_(ids)).order_by(TraceReview.id)).all())
        cited: dict[str, list[str]] = {}
        for trace_id, source, key in session.execute(
            select(TraceEvidence.trace_id, TraceEvidence.source, TraceEvidence.document_key)
            .where(TraceEvidence.trace_id.in_(ids), TraceEvidence.citation.is_not(None))
            .order_by(TraceEvidence.citation)
        ):
            cited.setdefault(trace_id, []).append(f"{source}/{key}")
        for t in traces:
            yield {
                "id": t.id, "created_at": as_utc(t.created_at).isoformat(), "channel": t.channel, "strategy": t.strategy,
                "script_id": t.script_id, "outcome": t.outcome, "question": t.question, "answer": t.answer,
                "abstain_reason": t.abstain_reason, "model": t.model, "feedback": feedback.get(t.id),
                "disputed": t.id in disputed, "label": labels.get(t.id), "cited": cited.get(t.id, []),
            }


def _pair_records(sessions, filters, low_below) -> Iterator[dict]:
    reviewed = or_(
        AnswerTrace.id.in_(select(TraceReview.trace_id)),
        AnswerTrace.id.in_(select(Dispute.trace_id).where(Dispute.correction.is_not(None))),
    )
    for session, traces in _batches(sessions, filters, low_below, lambda q: q.where(reviewed)):
        ids = [t.id for t in traces]
        latest = select(func.max(TraceReview.id)).where(TraceReview.trace_id.in_(ids)).group_by(TraceReview.trace_id)
        reviews = {r.trace_id: r for r in session.scalars(select(TraceReview).where(TraceReview.id.in_(latest)))}
        corrections = dict(session.execute(
            select(Dispute.trace_id, Dispute.correction)
            .where(Dispute.trace_id.in_(ids), Dispute.correction.is_not(None), Dispute.status == "upheld")
            .order_by(Dispute.id)
        ).all())
        for t in traces:
            review = reviews.get(t.id)
            yield {
                "trace_id": t.id, "created_at": as_utc(t.created_at).isoformat(), "question": t.question,
                "history": t.history or [], "answer": t.answer, "label": review.label if review else None,
                "note": review.note if review else "", "reviewer": review.reviewer if review else None,
                "correction": corrections.get(t.id),
            }


def _write(fmt: str, columns: tuple[str, ...], records: Iterator[dict]) -> Iterator[str]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use csv or jsonl")
    if fmt == "jsonl":
        return (json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    return _csv(columns, records)


def _csv(columns: tuple[str, ...], records: Iterator[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record[c]) for c in columns])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    # A spreadsheet runs a cell starting with = + - @ as a formula: questions are user input.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
