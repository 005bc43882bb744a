"""Removing a source, also while it syncs: its pages leave the index, nothing else is touched."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from bot.catalog import SourceCatalogError
from bot.db.models import Document, DocumentVersion, SyncRun
from bot.sync_status import describe_sync_state
from tests.chat_drivers.base import wait_until


def _write(folder, count):
    folder.mkdir()
    for n in range(count):
        (folder / f"page-{n}.md").write_text(f"# Page {n}\n\nHow to archive project {n} in Tallyo.\n")


@pytest.fixture
def two_sources(container, tmp_path):
    _write(tmp_path / "old-docs", 6)
    _write(tmp_path / "other", 2)
    container.sources.add("old-docs", "folder", str(tmp_path / "old-docs"))
    container.sources.add("other", "folder", str(tmp_path / "other"))
    for name in ("old-docs", "other"):
        assert container.sync_service.sync(name).status == "succeeded"
    return container


def _indexed_sources(container):
    return sorted({d.meta["source"] for d in container.index.document_store.filter_documents()})


def test_removal_retires_its_documents_keeps_their_versions_and_frees_the_name(two_sources, tmp_path):
    assert two_sources.source_removal.remove("old-docs") == 6
    assert _indexed_sources(two_sources) == ["other"]
    with two_sources.sessions() as session:
        statuses = session.execute(select(Document.status, func.count()).group_by(Document.status)).all()
        assert dict(statuses) == {"retired": 6, "active": 2}
        assert session.scalar(select(func.count()).select_from(DocumentVersion)) == 8, "traces can still cite them"
    assert [s.name for s in two_sources.sources.all()] == ["other"]
    with pytest.raises(SourceCatalogError, match="no source named 'old-docs'"):
        two_sources.sync_service.sync("old-docs")
    two_sources.sources.add("old-docs", "folder", str(tmp_path / "other"))  # the name can be used again


def test_removing_a_source_that_is_syncing_stops_the_sync_and_then_removes_it(two_sources, tmp_path, monkeypatch):
    _write(tmp_path / "big", 12)
    two_sources.sources.add("big", "folder", str(tmp_path / "big"))
    service = two_sources.sync_service
    service._batch_size = 1
    batch_started = threading.Event()
    original = service._apply_batch

    def slow_batch(source, batch):
        batch_started.set()
        threading.Event().wait(0.3)
        return original(source, batch)

    monkeypatch.setattr(service, "_apply_batch", slow_batch)
    reports = []
    syncing = threading.Thread(target=lambda: reports.append(service.sync("big")))
    syncing.start()
    wait_until(batch_started.is_set, timeout_s=60)
    retired = two_sources.source_removal.remove("big", wait_s=30)
    syncing.join(30)
    (report,) = reports
    assert report.status == "cancelled" and "removed during the sync" in report.error
    assert 0 < report.added < 12 and retired == report.added
    assert _indexed_sources(two_sources) == ["old-docs", "other"]
    with two_sources.sessions() as session:
        runs = session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(2)).all()
        assert [(r.trigger, r.status) for r in runs] == [("remove", "succeeded"), ("manual", "cancelled")]


def test_a_removal_that_cannot_get_the_lock_in_time_says_so(two_sources):
    source = two_sources.sources.get("other")
    two_sources.sync_service.leases.acquire(source.id, "manual")
    with pytest.raises(SourceCatalogError, match="still syncing"):
        two_sources.source_removal.remove("other", wait_s=0.3)
    assert "other" in _indexed_sources(two_sources)
    with two_sources.sessions() as session:
        assert describe_sync_state(session, two_sources.sources.get("other")).startswith("removal pending")
