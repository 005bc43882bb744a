"""One sync per source at a time, on any process: the running SyncRun row is the lock."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.db.base import utcnow
from bot.db.models import SyncRun
from bot.sync_lease import SyncAlreadyRunning, SyncLeases


@pytest.fixture
def source_id(container, tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.md").write_text("# A\n\nSome text about invoices.\n")
    return container.sources.add("pages", "folder", str(tmp_path / "pages")).id


def _status(container, run_id):
    with container.sessions() as session:
        return session.get(SyncRun, run_id)


def test_a_second_acquire_is_refused_while_the_first_runs(container, source_id):
    leases = SyncLeases(container.sessions, timedelta(minutes=2))
    first = leases.acquire(source_id, "manual")
    with pytest.raises(SyncAlreadyRunning) as refused:
        leases.acquire(source_id, "schedule")
    assert refused.value.run_id == first and f"run {first}" in str(refused.value)


def test_racing_acquires_from_many_threads_let_exactly_one_through(container, source_id):
    leases = SyncLeases(container.sessions, timedelta(minutes=2))
    barrier = threading.Barrier(8)
    won, refused = [], []

    def race() -> None:
        barrier.wait()
        try:
            won.append(leases.acquire(source_id, "manual"))
        except SyncAlreadyRunning:
            refused.append(1)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(won) == 1 and len(refused) == 7
    with container.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SyncRun).where(SyncRun.status == "running")) == 1


def test_a_run_whose_heartbeat_went_stale_is_abandoned_and_taken_over(container, source_id):
    leases = SyncLeases(container.sessions, timedelta(seconds=30))
    dead = leases.acquire(source_id, "manual")
    with container.sessions.begin() as session:
        session.execute(update(SyncRun).where(SyncRun.id == dead).values(heartbeat_at=utcnow() - timedelta(minutes=1)))
    taker = leases.acquire(source_id, "schedule")
    abandoned = _status(container, dead)
    assert abandoned.status == "abandoned" and "no heartbeat" in abandoned.error and abandoned.finished_at
    assert _status(container, taker).status == "running"
    assert leases.touch(dead) is False, "the dead runner, if it woke up, learns it lost the lease"


def test_a_redelivered_task_takes_over_its_own_dead_run_at_once(container, source_id):
    leases = SyncLeases(container.sessions, timedelta(minutes=10))
    dead = leases.acquire(source_id, "manual", task_id="task-1")
    with pytest.raises(SyncAlreadyRunning):
        leases.acquire(source_id, "manual", task_id="task-2")
    again = leases.acquire(source_id, "manual", task_id="task-1")
    assert _status(container, dead).status == "abandoned" and "delivered again" in _status(container, dead).error
    assert _status(container, again).task_id == "task-1"


def test_a_heartbeat_keeps_a_slow_run_alive(container, source_id):
    leases = SyncLeases(container.sessions, timedelta(seconds=0.8))
    run_id = leases.acquire(source_id, "manual")
    with leases.heartbeat(run_id) as beat:
        threading.Event().wait(2.0)  # longer than stale_after: only the heartbeat keeps it alive
        with pytest.raises(SyncAlreadyRunning):
            leases.acquire(source_id, "schedule")
        assert not beat.lost


def test_a_sync_skipped_because_another_runs_is_recorded_and_touches_nothing(container, source_id):
    running = container.sync_service.leases.acquire(source_id, "schedule")
    report = container.sync_service.sync("pages")
    assert report.status == "skipped" and f"run {running}" in report.error
    skipped = _status(container, report.run_id)
    assert skipped.status == "skipped" and skipped.finished_at is not None
    assert container.index.count() == 0


def test_a_sync_that_lost_its_lease_stops_and_leaves_the_run_to_its_taker(container, source_id, monkeypatch):
    service = container.sync_service
    original = service._apply_batch

    def taken_over_mid_sync(source, batch):
        with container.sessions.begin() as session:
            session.execute(update(SyncRun).where(SyncRun.status == "running").values(status="abandoned", error="taken"))
        return original(source, batch)

    monkeypatch.setattr(service, "_apply_batch", taken_over_mid_sync)
    report = service.sync("pages")
    assert report.status == "abandoned" and "taken over" in report.error
    assert _status(container, report.run_id).error == "taken", "the taker's record is not overwritten"
