"""Real celery workers and beat on Redis (scripts/with-redis.sh), sharing the test database
(PostgreSQL in CI) and the embedded index file with this process."""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.container import Container
from bot.db.models import ChunkRecord, Document, DocumentVersion, Escalation, SyncRun
from bot.reindex import count_current_chunks
from bot.settings import Settings
from knowledge.stores.in_memory import InMemoryIndex
from tests.chat_drivers.base import wait_until
from tests.fakes.celery_processes import beat, worker, worker_env

pytestmark = [pytest.mark.redis, pytest.mark.slow]

WORKER_SETTINGS = {"sync_lease_s": "4", "sync_due_check_s": "1", "sync_batch_size": "5"}


def write_pages(folder: Path, count: int) -> set[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"article-{n:03d}.md").write_text(
            f"# Article {n}: exporting report {n}\n\n"
            f"## Before you start\n\nReport {n} needs the Reports add-on and an admin role.\n\n"
            f"## Steps\n\nOpen Reports, pick report {n}, choose Export and then CSV or PDF. "
            f"Large exports arrive by email within ten minutes.\n"
        )
    return {f"article-{n:03d}.md" for n in range(count)}


@pytest.fixture
def stack(tmp_path, worker_database_url, redis_url):
    """This process's container and the env for worker processes: same database, home, Redis."""
    home = tmp_path / "var"
    env = worker_env(home, worker_database_url, redis_url, **WORKER_SETTINGS)
    settings = Settings(
        home=home, database_url=worker_database_url, redis_url=redis_url, _env_file=None, **WORKER_SETTINGS
    )
    container = Container(settings)
    container.init_db()
    yield container, env
    container.engine.dispose()


def runs(container: Container, source: str) -> list[SyncRun]:
    with container.sessions() as session:
        source_id = container.sources.get(source).id
        return list(session.scalars(select(SyncRun).where(SyncRun.source_id == source_id).order_by(SyncRun.id)))


def assert_consistent(container: Container, keys: set[str]) -> None:
    """Every page active once with one current version; SQL chunks and the index file agree."""
    with container.sessions() as session:
        active = session.scalars(select(Document.key).where(Document.status == "active")).all()
        assert Counter(active) == Counter(keys)
        versions = session.scalar(select(func.count()).select_from(DocumentVersion))
        assert versions == len(keys), "a killed batch redone must not add versions"
        chunks = count_current_chunks(session)
        assert session.scalar(select(func.count()).select_from(ChunkRecord)) == chunks
    index = InMemoryIndex(container.settings.index_path)
    stored = index.document_store.filter_documents()
    assert len(stored) == chunks and len({d.id for d in stored}) == chunks
    assert {d.meta["document_key"] for d in stored} == keys


def test_a_scheduled_sync_fires_once_per_interval(stack, tmp_path):
    container, env = stack
    keys = write_pages(tmp_path / "pages", 6)
    container.sources.add("pages", "folder", str(tmp_path / "pages"), every_minutes=60)
    with worker(env, tmp_path / "worker.log"), beat(env, tmp_path / "beat.log", tmp_path / "beat-schedule"):
        done = wait_until(lambda: [r for r in runs(container, "pages") if r.status == "succeeded"], timeout_s=180)
        assert done[0].trigger == "schedule" and done[0].task_id
        checks_before = (tmp_path / "beat.log").read_text().count("supportbot.sync_due_sources")
        wait_until(
            lambda: (tmp_path / "beat.log").read_text().count("supportbot.sync_due_sources") >= checks_before + 3,
            timeout_s=30,
        )
    assert len(runs(container, "pages")) == 1, "not due again within the hour, so not queued again"
    assert_consistent(container, keys)


def test_a_worker_killed_mid_sync_is_followed_by_a_retry_that_completes(stack, tmp_path):
    container, env = stack
    keys = write_pages(tmp_path / "pages", 120)
    container.sources.add("pages", "folder", str(tmp_path / "pages"))
    with worker(env, tmp_path / "worker.log"):
        task_id = container.background.sync_source("pages")
        running = wait_until(
            lambda: [r for r in runs(container, "pages") if r.status == "running" and r.progress_done >= 20],
            timeout_s=180,
        )[0]
        assert running.progress_done < running.progress_total, "the kill must land mid-sync"
        os.kill(int(running.runner.rsplit(":", 1)[1]), signal.SIGKILL)
        finished = wait_until(lambda: [r for r in runs(container, "pages") if r.status == "succeeded"], timeout_s=240)
    killed, retried = runs(container, "pages")[0], finished[0]
    assert killed.id == running.id and killed.status == "abandoned" and "worker died" in killed.error
    assert retried.task_id == killed.task_id == task_id, "the same task, delivered again"
    assert retried.added + retried.unchanged == len(keys) and retried.unchanged >= 20, "committed batches are kept"
    assert_consistent(container, keys)


def test_two_triggers_at_once_run_one_sync_and_record_the_other_as_skipped(stack, tmp_path):
    container, env = stack
    keys = write_pages(tmp_path / "pages", 80)
    container.sources.add("pages", "folder", str(tmp_path / "pages"))
    with worker(env, tmp_path / "worker.log", concurrency=2):
        first, second = container.background.sync_source("pages"), container.background.sync_source("pages")
        ended = wait_until(
            lambda: (r := runs(container, "pages")) and all(x.status != "running" for x in r) and len(r) == 2 and r,
            timeout_s=240,
        )
    assert sorted(r.status for r in ended) == ["skipped", "succeeded"]
    assert {r.task_id for r in ended} == {first, second}
    skipped = next(r for r in ended if r.status == "skipped")
    winner = next(r for r in ended if r.status == "succeeded")
    assert f"run {winner.id}" in skipped.error
    assert_consistent(container, keys)


def test_an_escalation_notice_that_fails_is_retried_by_the_worker_until_it_is_sent(stack, tmp_path):
    from bot.slack.clients import SERVER_ERROR_RETRIES
    from tests.fakes.slack_api import FakeSlackApi

    container, env = stack
    with FakeSlackApi(bot_token="xoxb-test") as slack:
        for _ in range(1 + SERVER_ERROR_RETRIES):  # the Slack client's own retries fail too: one task attempt fails
            slack.fail_next("chat.postMessage", 503)
        env = {**env, "SUPPORTBOT_ESCALATION_NOTICES_TO": "slack:C_SUPPORT", "SUPPORTBOT_SLACK_BOT_TOKEN": "xoxb-test",
               "SUPPORTBOT_SLACK_SIGNING_SECRET": "test-secret", "SUPPORTBOT_SLACK_API_URL": slack.api_url}
        escalation_id = _open_escalation(container)
        with worker(env, tmp_path / "worker.log"):
            container.background.send_escalation_notice(escalation_id)
            wait_until(lambda: _notified(container, escalation_id), timeout_s=120)
            container.background.send_escalation_notice(escalation_id)  # a duplicate request sends nothing more
            wait_until(lambda: "already sent" in (tmp_path / "worker.log").read_text(), timeout_s=60)
        posts = slack.calls_to("chat.postMessage")
    assert [call.status for call in posts] == [503] * (1 + SERVER_ERROR_RETRIES) + [200]
    assert posts[-1].args["channel"] == "C_SUPPORT"


def _open_escalation(container: Container) -> int:
    from bot.db.models import Conversation
    from bot.escalations import open_escalation

    with container.sessions.begin() as session:
        conversation = Conversation(channel="slack:T1/C1", external_key="1700000000.000100")
        session.add(conversation)
        session.flush()
        return open_escalation(session, conversation, "user_request", None, "slack:U1").id


def _notified(container: Container, escalation_id: int) -> bool:
    with container.sessions() as session:
        return session.get(Escalation, escalation_id).notified_at is not None


def test_an_index_rebuild_runs_on_a_worker_and_gives_back_the_same_index(stack, tmp_path):
    from bot.index_versions import current_index_version

    container, env = stack
    keys = write_pages(tmp_path / "pages", 8)
    container.sources.add("pages", "folder", str(tmp_path / "pages"))
    assert container.sync_service.sync("pages").status == "succeeded"
    before = {d.id: d.content for d in InMemoryIndex(container.settings.index_path).document_store.filter_documents()}
    with container.sessions() as session:
        version = current_index_version(session, container.index.name)
    container.settings.index_path.unlink()  # lost: only SQL is left to rebuild it from
    with worker(env, tmp_path / "worker.log"):
        container.background.rebuild_index()

        def rebuilt() -> bool:
            with container.sessions() as session:
                return current_index_version(session, container.index.name) > version

        wait_until(rebuilt, timeout_s=180)
    after = {d.id: d.content for d in InMemoryIndex(container.settings.index_path).document_store.filter_documents()}
    assert after == before
    assert_consistent(container, keys)
