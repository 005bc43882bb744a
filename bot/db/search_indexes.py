"""PostgreSQL-only trigram (pg_trgm GIN) indexes that serve the console's trace text search,
`question ILIKE '%words%'`, which no b-tree index can. Migration 0009 creates them where the
server has pg_trgm. They are not declared on the models (SQLite has no such index), so schema
comparisons leave them out."""

from __future__ import annotations

TRIGRAM_INDEXES = ("ix_answer_traces_question_trgm", "ix_answer_traces_answer_trgm")


def include_in_schema_comparison(obj, name, type_, reflected, compare_to) -> bool:
    """alembic's include_object: everything except the trigram indexes found in the database."""
    return not (type_ == "index" and reflected and compare_to is None and name in TRIGRAM_INDEXES)
