"""Under pytest-xdist (`scripts/test.sh` runs two workers) each worker gets a PostgreSQL database
and a Redis database number of its own: tests empty both before they use them, so two workers
on the same ones would wipe each other's data."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from sqlalchemy import create_engine, make_url, text


def worker_number() -> int | None:
    """0, 1, ... under xdist (PYTEST_XDIST_WORKER is gw0, gw1, ...); None in a plain run."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name.removeprefix("gw")) if name.startswith("gw") else None


def worker_postgres_url(url: str | None) -> str | None:
    number = worker_number()
    if url is None or number is None:
        return url
    base = make_url(url)
    own = base.set(database=f"{base.database}_w{number}")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        admin.dispose()
    return own.render_as_string(hide_password=False)


def worker_redis_url(url: str | None) -> str | None:
    number = worker_number()
    if url is None or number is None:
        return url
    return urlsplit(url)._replace(path=f"/{number + 1}").geturl()  # database 0 stays the plain run's
