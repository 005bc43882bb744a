"""PostgreSQL: pg_trgm GIN indexes on answer_traces.question and .answer for the console's text search

pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner may create it. Where
the server lacks it, or the role may not create it, the search still works, unindexed, and the
migration says so instead of failing. Other databases: nothing to do.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:40:00
"""

import logging

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
COLUMNS = ("question", "answer")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if not bind.scalar(sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")):
        log.warning("pg_trgm is not available on this PostgreSQL server: the console's trace search runs unindexed")
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        log.warning("could not create the pg_trgm extension (%s): the console's trace search runs unindexed",
                    str(exc.orig).strip().splitlines()[0])
        return
    for column in COLUMNS:
        op.create_index(f"ix_answer_traces_{column}_trgm", "answer_traces", [column],
                        postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.drop_index(f"ix_answer_traces_{column}_trgm", table_name="answer_traces", if_exists=True)
