"""Shared fixtures. Database tests run on SQLite always and on PostgreSQL when
SUPPORTBOT_TEST_POSTGRES_URL is set (scripts/with-postgres.sh starts one; CI must have it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")

from bot.container import Container  # noqa: E402
from bot.db.base import Base  # noqa: E402
from bot.db.engine import create_db_engine  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.worker_isolation import worker_postgres_url, worker_redis_url  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "knowledge"
POSTGRES_URL = worker_postgres_url(os.environ.get("SUPPORTBOT_TEST_POSTGRES_URL"))
REDIS_URL = worker_redis_url(os.environ.get("SUPPORTBOT_TEST_REDIS_URL"))
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_param():
    if POSTGRES_URL:
        return pytest.param(POSTGRES_URL, id="postgres", marks=pytest.mark.postgres)
    if IN_CI:
        pytest.exit("CI=true but SUPPORTBOT_TEST_POSTGRES_URL is unset: PostgreSQL tests must not be skipped", 3)
    return pytest.param(
        None,
        id="postgres",
        marks=pytest.mark.skip(reason="SUPPORTBOT_TEST_POSTGRES_URL is unset (run via scripts/test.sh to start one)"),
    )


DATABASES = ["sqlite", _postgres_param()]


@pytest.fixture
def redis_url() -> str:
    """The test Redis (scripts/with-redis.sh), emptied for each test."""
    if not REDIS_URL:
        if IN_CI:
            pytest.fail("CI=true but SUPPORTBOT_TEST_REDIS_URL is unset: Redis and celery tests must not be skipped")
        pytest.skip("SUPPORTBOT_TEST_REDIS_URL is unset (run via scripts/test.sh to start a Redis)")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()
    return REDIS_URL


@pytest.fixture
def worker_database_url(tmp_path) -> str:
    """PostgreSQL when there is one (always in CI): workers and the test share it across processes."""
    return fresh_database(POSTGRES_URL or "sqlite", tmp_path)


def fresh_database(param: str, directory: Path) -> str:
    if param == "sqlite":
        return f"sqlite:///{directory / 'supportbot.db'}"
    reset_postgres(param)
    return param


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    return fresh_database(request.param, tmp_path)


def reset_postgres(url: str) -> None:
    engine = create_db_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(home=tmp_path / "var", database_url=database_url, _env_file=None)


@pytest.fixture
def container(settings) -> Container:
    built = Container(settings)
    built.init_db()
    yield built
    built.engine.dispose()


@pytest.fixture
def docs_folder(tmp_path) -> Path:
    """A writable copy of the example help center, for tests that edit pages."""
    target = tmp_path / "help-center"
    shutil.copytree(EXAMPLES / "help-center", target)
    return target


def add_and_sync_examples(container: Container, docs_folder: Path) -> Container:
    container.sources.add("help-center", "folder", str(docs_folder), "https://help.tallyo.example")
    container.sources.add("faq", "faq", str(EXAMPLES / "faq.yaml"), "https://help.tallyo.example/faq")
    for name in ("help-center", "faq"):
        report = container.sync_service.sync(name)
        assert report.status == "succeeded", report.error
    return container


@pytest.fixture
def synced(container, docs_folder) -> Container:
    return add_and_sync_examples(container, docs_folder)


@pytest.fixture(scope="module", params=DATABASES)
def shared_synced(request, tmp_path_factory) -> Container:
    """The example knowledge synced once per module and database, for tests that only ask."""
    home = tmp_path_factory.mktemp("shared")
    shutil.copytree(EXAMPLES / "help-center", home / "help-center")
    settings = Settings(home=home / "var", database_url=fresh_database(request.param, home), _env_file=None)
    built = Container(settings)
    built.init_db()
    yield add_and_sync_examples(built, home / "help-center")
    built.engine.dispose()


SCRIPTS = REPO / "examples" / "scripts"


@pytest.fixture(scope="session")
def example_script_model(tmp_path_factory) -> Path:
    """A script model trained once per test run on the bundled example scripts (short training:
    enough to route the examples, seconds on a CPU). Returns its saved directory."""
    from bot.training_data import gather_training_data
    from strategies.script_model import TrainingConfig, save_classifier, train_classifier
    from strategies.scripts import load_scripts

    scripts = load_scripts(SCRIPTS)
    assert scripts.ok, scripts.problems
    data = gather_training_data(scripts, [], [], SCRIPTS)
    trained = train_classifier(data.examples, out_of_scope=data.out_of_scope, config=TrainingConfig(epochs=2, seed=7))
    return save_classifier(trained, tmp_path_factory.mktemp("script-model") / "v-test", "v-test")


@pytest.fixture(scope="module", params=DATABASES)
def scripted(request, tmp_path_factory, example_script_model) -> Container:
    """Example knowledge synced and the example script model active, once per module and database."""
    home = tmp_path_factory.mktemp("scripted")
    settings = Settings(home=home / "var", database_url=fresh_database(request.param, home), _env_file=None)
    built = Container(settings)
    built.init_db()
    add_and_sync_examples(built, EXAMPLES / "help-center")
    built.script_models.register(example_script_model, activate=True)
    yield built
    built.engine.dispose()
