"""`supportbot sources schedule/status` and `supportbot sync --watch`, in-process and with a
real celery worker on the test Redis."""

from __future__ import annotations

import pytest

from tests.e2e.test_cli import cli, flat, isolate
from tests.fakes.celery_processes import worker, worker_env
from tests.integration.test_workers import write_pages

pytestmark = pytest.mark.slow


@pytest.fixture
def home(tmp_path, monkeypatch):
    isolate(monkeypatch, tmp_path)
    write_pages(tmp_path / "pages", 12)
    return tmp_path


def test_a_schedule_is_set_shown_and_turned_off(home):
    added = cli("sources", "add", "pages", str(home / "pages"), "--every", "6h")
    assert added.exit_code == 0 and "(every 6h)" in added.output
    status = flat(cli("sources", "status").output)
    assert "pages (folder): never synced; every 6h, next " in status
    assert cli("sources", "schedule", "pages", "off").output.strip() == "pages now syncs manual."
    assert flat(cli("sources", "status").output).endswith("never synced; manual")


def test_a_bad_interval_or_source_is_refused_clearly(home):
    cli("sources", "add", "pages", str(home / "pages"))
    bad = cli("sources", "schedule", "pages", "sometimes")
    assert bad.exit_code == 2 and "'sometimes' is not an interval" in flat(bad.output)
    missing = cli("sources", "schedule", "nope", "1h")
    assert missing.exit_code != 0 and "no source named 'nope'" in flat(missing.output)


def test_without_workers_sync_runs_here_and_status_shows_the_result(home):
    cli("sources", "add", "pages", str(home / "pages"))
    synced = cli("sync")
    assert synced.exit_code == 0 and "pages: 12 added, 0 updated, 0 unchanged" in flat(synced.output)
    assert "pages (folder): succeeded " in flat(cli("sources", "status").output)


@pytest.mark.redis
def test_with_workers_sync_queues_and_watch_follows_the_run_to_its_end(home, monkeypatch, worker_database_url, redis_url):
    monkeypatch.setenv("SUPPORTBOT_DATABASE_URL", worker_database_url)
    monkeypatch.setenv("SUPPORTBOT_REDIS_URL", redis_url)
    cli("sources", "add", "pages", str(home / "pages"))
    env = worker_env(home / "var", worker_database_url, redis_url)
    with worker(env, home / "worker.log"):
        watched = cli("sync", "--watch")
        assert watched.exit_code == 0, watched.output
        output = flat(watched.output)
        assert "Queued pages for the workers." in output and "pages: 12 added, 0 updated, 0 unchanged" in output
        queued = cli("sync", "pages")
        assert queued.exit_code == 0 and "Follow them with `supportbot sync --watch`" in flat(queued.output)
        rerun = cli("sync", "--watch")
    assert rerun.exit_code == 0 and "pages: 0 added, 0 updated, 12 unchanged" in flat(rerun.output)
