"""Indexes for the review console's trace list: keyset pagination on (created_at, id), alone
and after an equality filter on channel, strategy or outcome. Kept apart from trace.py so the
console's access paths are declared where they are used; an Index on mapped columns attaches
itself to the table."""

from sqlalchemy import Index

from bot.db.models.trace import AnswerTrace

TRACE_LIST_INDEXES = (
    Index("ix_answer_traces_created_at_id", AnswerTrace.created_at, AnswerTrace.id),
    Index("ix_answer_traces_channel_created_at", AnswerTrace.channel, AnswerTrace.created_at, AnswerTrace.id),
    Index("ix_answer_traces_strategy_created_at", AnswerTrace.strategy, AnswerTrace.created_at, AnswerTrace.id),
    Index("ix_answer_traces_outcome_created_at", AnswerTrace.outcome, AnswerTrace.created_at, AnswerTrace.id),
)
