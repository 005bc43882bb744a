"""Alembic environment. The engine comes from `bot.db.engine.alembic_config` (the app and
tests) or, for the plain `alembic` command, from SUPPORTBOT_* settings."""

from alembic import context

from bot.db import models  # noqa: F401  (registers every table on the metadata)
from bot.db.base import Base
from bot.db.search_indexes import include_in_schema_comparison

target_metadata = Base.metadata


def _engine():
    engine = context.config.attributes.get("engine")
    if engine is None:
        from bot.db.engine import create_db_engine
        from bot.settings import Settings

        engine = create_db_engine(Settings().resolved_database_url)
    return engine


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_in_schema_comparison,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
