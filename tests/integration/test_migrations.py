"""The alembic migrations and the ORM models describe the same schema, on every database."""

import logging

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from bot.console.trace_filters import TraceFilters
from bot.container import Container
from bot.db.base import Base
from bot.db.models import AnswerTrace
from bot.db.search_indexes import TRIGRAM_INDEXES, include_in_schema_comparison
from bot.settings import Settings
from tests.conftest import POSTGRES_URL
from tests.console import seed


def test_models_and_migrations_agree(container):
    with container.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_schema_comparison}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrating_twice_is_harmless(container):
    container.init_db()
    tables = set(inspect(container.engine).get_table_names())
    assert {"sources", "documents", "document_versions", "chunks", "sync_runs", "conversations", "turns",
            "answer_traces", "trace_evidence", "index_state"} <= tables


def _trigram_indexes(engine) -> set[str]:
    return {i["name"] for i in inspect(engine).get_indexes("answer_traces")} & set(TRIGRAM_INDEXES)


def test_trace_text_search_is_served_by_trigram_indexes_on_postgresql(container):
    with container.sessions.begin() as session:
        wanted = seed.trace(session, "How do I RESET my password?").id
        seed.trace(session, "Which currencies can I invoice in?")
    query = TraceFilters(text="reset my").apply(select(AnswerTrace.id), low_confidence_below=0.5)
    with container.sessions() as session:
        assert list(session.scalars(query)) == [wanted], "case-insensitive substring search"
    if container.engine.dialect.name != "postgresql":
        assert _trigram_indexes(container.engine) == set(), "SQLite has no trigram indexes"
        return
    assert _trigram_indexes(container.engine) == set(TRIGRAM_INDEXES)
    with container.engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))  # two rows: force the planner to show what it can use
        compiled = query.compile(connection, compile_kwargs={"literal_binds": True})
        plan = "\n".join(connection.scalars(text(f"EXPLAIN {compiled}")))
    assert all(name in plan for name in TRIGRAM_INDEXES), plan


@pytest.mark.skipif(POSTGRES_URL is None, reason="needs PostgreSQL (run via scripts/test.sh)")
def test_a_role_that_may_not_create_pg_trgm_still_migrates_with_a_warning(tmp_path, caplog):
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS supportbot_limited"))
        connection.execute(text("DROP ROLE IF EXISTS supportbot_limited"))
        connection.execute(text("CREATE ROLE supportbot_limited LOGIN"))
        connection.execute(text("CREATE DATABASE supportbot_limited"))
    limited_db = make_url(POSTGRES_URL).set(database="supportbot_limited")
    owner = create_engine(limited_db, isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:  # tables in its own schema, but no CREATE on the database: no extensions
        connection.execute(text("REVOKE CREATE ON DATABASE supportbot_limited FROM PUBLIC"))
        connection.execute(text("CREATE SCHEMA AUTHORIZATION supportbot_limited"))
    owner.dispose()
    limited_url = limited_db.set(username="supportbot_limited").render_as_string(hide_password=False)
    limited = Container(Settings(home=tmp_path / "var", database_url=limited_url, _env_file=None))
    try:
        with caplog.at_level(logging.WARNING, logger="alembic.runtime.migration"):
            limited.init_db()
        assert "could not create the pg_trgm extension" in caplog.text
        assert "answer_traces" in inspect(limited.engine).get_table_names()
        assert _trigram_indexes(limited.engine) == set()
    finally:
        limited.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS supportbot_limited"))
            connection.execute(text("DROP ROLE IF EXISTS supportbot_limited"))
        admin.dispose()
