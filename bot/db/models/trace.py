from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, utcnow


class AnswerTrace(Base):
    """Everything needed to audit one answer, written before the reply goes out."""

    __tablename__ = "answer_traces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    question_turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id"))
    answer_turn_id: Mapped[int | None] = mapped_column(ForeignKey("turns.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    history: Mapped[list] = mapped_column(JSON, default=list)  # [{"role", "text"}] as used
    standalone_query: Mapped[str] = mapped_column(Text)
    strategy: Mapped[str] = mapped_column(String(50))
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    abstain_reason: Mapped[str | None] = mapped_column(Text)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    # The router's decision, the policy in force, each strategy's scores and the thresholds used.
    routing: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    script_id: Mapped[str | None] = mapped_column(String(100))
    script_model_version: Mapped[str | None] = mapped_column(String(50))
    index_backend: Mapped[str] = mapped_column(String(50))
    index_version: Mapped[int] = mapped_column(Integer)
    embedding_model: Mapped[str] = mapped_column(Text)
    generator: Mapped[str] = mapped_column(String(50))
    model: Mapped[str | None] = mapped_column(Text)
    prompt: Mapped[str | None] = mapped_column(Text)
    generator_error: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    timings_ms: Mapped[dict] = mapped_column(JSON, default=dict)

    evidence: Mapped[list[TraceEvidence]] = relationship(back_populates="trace", order_by="TraceEvidence.rank")


class TraceEvidence(Base):
    """A snapshot of one passage as the bot saw it. Copied, not referenced, so the trace
    stays exact after the document changes, is retired or the index is rebuilt."""

    __tablename__ = "trace_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    trace_id: Mapped[str] = mapped_column(ForeignKey("answer_traces.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    citation: Mapped[int | None] = mapped_column(Integer)
    chunk_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200))
    document_key: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    fused_score: Mapped[float] = mapped_column(Float)
    bm25_score: Mapped[float | None] = mapped_column(Float)
    embedding_score: Mapped[float | None] = mapped_column(Float)
    similarity: Mapped[float] = mapped_column(Float)

    trace: Mapped[AnswerTrace] = relationship(back_populates="evidence")
