"""Writes an answer trace with its evidence snapshot inside the caller's transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from bot.db.models import AnswerTrace, Conversation, TraceEvidence, Turn
from strategies.base import HistoryTurn, StrategyAnswer


def record_trace(
    session: Session,
    conversation: Conversation,
    question_turn: Turn,
    answer_turn: Turn,
    history: tuple[HistoryTurn, ...],
    result: StrategyAnswer,
    outcome: str,
    index_backend: str,
    index_version: int,
    embedding_model: str,
    timings_ms: dict[str, float],
) -> AnswerTrace:
    trace = AnswerTrace(
        id=uuid.uuid4().hex,
        conversation_id=conversation.id,
        question_turn_id=question_turn.id,
        answer_turn_id=answer_turn.id,
        channel=conversation.channel,
        question=question_turn.text,
        history=[{"role": t.role, "text": t.text} for t in history],
        standalone_query=result.standalone_query,
        strategy=result.strategy,
        outcome=outcome,
        abstain_reason=result.abstain_reason,
        scores=result.scores,
        routing=result.routing,
        script_id=result.script_id,
        script_model_version=result.script_model_version,
        index_backend=index_backend,
        index_version=index_version,
        embedding_model=embedding_model,
        generator=result.generator,
        model=result.model,
        prompt=result.prompt,
        generator_error=result.generator_error,
        answer=answer_turn.text,
        timings_ms=timings_ms,
    )
    trace.evidence = [
        TraceEvidence(
            rank=e.rank,
            citation=e.citation,
            chunk_id=e.chunk.id,
            source=e.chunk.source,
            document_key=e.chunk.document_key,
            content_hash=e.chunk.content_hash,
            title=e.chunk.title,
            section=e.chunk.section,
            url=e.chunk.url,
            text=e.chunk.text,
            fused_score=e.fused_score,
            bm25_score=e.bm25_score,
            embedding_score=e.embedding_score,
            similarity=e.similarity,
        )
        for e in result.evidence
    ]
    session.add(trace)
    return trace
