"""Rows for console tests, written straight to the database (no embedding model needed)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import text

from bot.db.base import utcnow
from bot.db.models import AnswerTrace, Conversation, Document, Escalation, Source, TraceEvidence, Turn


def conversation(session, channel: str = "web", reply_address: dict | None = None) -> Conversation:
    row = Conversation(channel=channel, external_key=uuid.uuid4().hex, reply_address=reply_address)
    session.add(row)
    session.flush()
    return row


def trace(
    session,
    question: str = "How much does Pro cost?",
    answer: str = "Pro costs $15 per month.",
    *,
    conv: Conversation | None = None,
    outcome: str = "answered",
    strategy: str = "retrieval",
    script_id: str | None = None,
    created_at: datetime | None = None,
    top_similarity: float = 0.8,
    evidence: list[dict] | None = None,
    history: list[dict] | None = None,
) -> AnswerTrace:
    conv = conv or conversation(session)
    asked = Turn(conversation_id=conv.id, role="user", user_id="web:alice", text=question)
    replied = Turn(conversation_id=conv.id, role="bot", text=answer)
    session.add_all([asked, replied])
    session.flush()
    row = AnswerTrace(
        id=uuid.uuid4().hex, conversation_id=conv.id, question_turn_id=asked.id, answer_turn_id=replied.id,
        created_at=created_at or utcnow(), channel=conv.channel, question=question, history=history or [],
        standalone_query=question, strategy=strategy, outcome=outcome, scores={"top_similarity": top_similarity, "min_similarity": 0.45},
        routing={"policy": "auto", "route": strategy, "reason": "no confident script match",
                 "script_model": {"version": "v1", "label": script_id or "reset_password", "confidence": 0.3 if strategy != "script" else top_similarity,
                                  "oos_score": 0.2, "in_scope": True, "ranked": [["reset_password", 0.3]]},
                 "thresholds": {"confidence": 0.6, "oos": 0.5}},
        script_id=script_id, index_backend="in-memory", index_version=1, embedding_model="minilm", generator="extractive",
        answer=answer, timings_ms={"retrieve": 12.5, "total": 20.0},
    )
    row.evidence = [
        TraceEvidence(rank=i + 1, citation=e.get("citation", i + 1), chunk_id=uuid.uuid4().hex, source=e.get("source", "docs"),
                      document_key=e["key"], content_hash=e.get("hash", "h1"), title=e.get("title", "Pricing"), section="",
                      url=e.get("url"), text=e.get("text", "Pro costs $15 per month."), fused_score=0.9, bm25_score=1.0,
                      embedding_score=0.8, similarity=0.8)
        for i, e in enumerate(evidence or [])
    ]
    session.add(row)
    session.flush()
    return row


def document(session, source_name: str, key: str, current_hash: str, status: str = "active") -> Document:
    from sqlalchemy import select

    source = session.scalar(select(Source).where(Source.name == source_name))
    if source is None:
        source = Source(name=source_name, kind="folder", location="/nowhere")
        session.add(source)
        session.flush()
    row = Document(source_id=source.id, key=key, status=status, current_hash=current_hash)
    session.add(row)
    session.flush()
    return row


def escalation(session, conv: Conversation, trace_row: AnswerTrace | None = None, reason: str = "low_confidence",
               age: timedelta = timedelta(minutes=5)) -> Escalation:
    row = Escalation(conversation_id=conv.id, trace_id=trace_row.id if trace_row else None, reason=reason,
                     created_at=utcnow() - age)
    session.add(row)
    session.flush()
    return row


def delete_conversation_behind_the_back(engine, conversation_id: int) -> None:
    """What an operator's clean-up script might do: remove a conversation and its turns while
    traces still point at them (foreign keys switched off for that one connection)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        else:
            connection.exec_driver_sql("SET session_replication_role = replica")
        connection.execute(text("DELETE FROM turns WHERE conversation_id = :id"), {"id": conversation_id})
        connection.execute(text("DELETE FROM conversations WHERE id = :id"), {"id": conversation_id})
        connection.commit()
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        else:
            connection.exec_driver_sql("SET session_replication_role = origin")
            connection.commit()
