"""The alembic migrations and the ORM models describe the same schema, on every database."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.db.base import Base


def test_models_and_migrations_agree(container):
    with container.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrating_twice_is_harmless(container):
    container.init_db()
    tables = set(inspect(container.engine).get_table_names())
    assert {"sources", "documents", "document_versions", "chunks", "sync_runs", "conversations", "turns",
            "answer_traces", "trace_evidence", "index_state"} <= tables
