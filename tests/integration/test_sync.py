"""Incremental sync into SQL and the index, on SQLite and PostgreSQL."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.models import ChunkRecord, Document, DocumentVersion, SyncRun
from bot.reindex import count_current_chunks
from knowledge.indexing import Indexer

PAGES = {
    "refunds.md": "# Refunds\n\n## Policy\n\nPro-rated refunds are possible within 14 days of a charge.",
    "invoices.md": "# Invoices\n\n## Sending\n\nClick Send to email an invoice as a PDF.",
    "banks.txt": "Connecting your bank\n\nBank feeds refresh every 4 hours.",
}


@pytest.fixture
def folder(tmp_path) -> Path:
    root = tmp_path / "pages"
    root.mkdir()
    for name, text in PAGES.items():
        (root / name).write_text(text)
    return root


@pytest.fixture
def source(container, folder):
    container.sources.add("pages", "folder", str(folder))
    return container


def _index_keys(container) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for doc in container.index.document_store.filter_documents():
        keys.setdefault(doc.meta["document_key"], set()).add(doc.meta["content_hash"])
    return keys


def _counts(report):
    return report.added, report.updated, report.unchanged, report.removed, report.failed


def test_first_sync_stores_versions_chunks_and_index(source):
    report = source.sync_service.sync("pages")
    assert report.status == "succeeded" and _counts(report) == (3, 0, 0, 0, 0)
    with source.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DocumentVersion)) == 3
        chunk_rows = count_current_chunks(session)
        run = session.scalar(select(SyncRun))
        assert (run.status, run.added, run.finished_at is not None) == ("succeeded", 3, True)
    assert source.index.count() == chunk_rows
    assert set(_index_keys(source)) == set(PAGES)


def test_unchanged_resync_does_nothing(source):
    source.sync_service.sync("pages")
    before = {d.id for d in source.index.document_store.filter_documents()}
    report = source.sync_service.sync("pages")
    assert _counts(report) == (0, 0, 3, 0, 0)
    assert {d.id for d in source.index.document_store.filter_documents()} == before


def test_changed_page_gets_a_new_version_and_the_old_one_is_kept(source, folder):
    source.sync_service.sync("pages")
    (folder / "refunds.md").write_text(PAGES["refunds.md"] + "\n\nAnnual plans are refunded pro rata.")
    report = source.sync_service.sync("pages")
    assert _counts(report) == (0, 1, 2, 0, 0)
    with source.sessions() as session:
        document = session.scalar(select(Document).where(Document.key == "refunds.md"))
        assert [v.version for v in document.versions] == [1, 2]
        assert all(v.chunks for v in document.versions)  # old chunks stay readable for traces
        assert document.current_hash == document.versions[1].content_hash
    assert _index_keys(source)["refunds.md"] == {document.current_hash}


def test_removed_page_is_retired_from_the_index_but_kept_in_sql(source, folder):
    source.sync_service.sync("pages")
    (folder / "banks.txt").unlink()
    report = source.sync_service.sync("pages")
    assert _counts(report) == (0, 0, 2, 1, 0)
    with source.sessions() as session:
        document = session.scalar(select(Document).where(Document.key == "banks.txt"))
        assert document.status == "retired" and document.retired_at is not None and document.versions
    assert "banks.txt" not in _index_keys(source)


def test_reverting_a_page_reuses_its_earlier_version(source, folder):
    source.sync_service.sync("pages")
    (folder / "invoices.md").write_text("# Invoices\n\nChanged.")
    source.sync_service.sync("pages")
    (folder / "invoices.md").write_text(PAGES["invoices.md"])
    assert _counts(source.sync_service.sync("pages")) == (0, 1, 2, 0, 0)
    with source.sessions() as session:
        document = session.scalar(select(Document).where(Document.key == "invoices.md"))
        assert len(document.versions) == 2 and document.current_hash == document.versions[0].content_hash


def test_bad_files_are_reported_and_do_not_stop_the_rest(source, folder):
    (folder / "broken.md").write_bytes(b"# Caf\xe9\n\nlatin-1 text")
    (folder / "empty.md").write_text("")
    report = source.sync_service.sync("pages")
    assert report.status == "succeeded" and _counts(report) == (3, 0, 0, 0, 2)
    with source.sessions() as session:
        problems = session.scalar(select(SyncRun)).problems
    assert {(Path(p["path"]).name, p["reason"].split(" (")[0]) for p in problems} == {
        ("broken.md", "not valid UTF-8"),
        ("empty.md", "page has no text"),
    }


def test_a_page_that_becomes_unreadable_keeps_serving_its_last_version(source, folder):
    source.sync_service.sync("pages")
    (folder / "refunds.md").write_bytes(b"\xff\xfe broken")
    report = source.sync_service.sync("pages")
    assert (report.removed, report.failed, report.kept_despite_problems) == (0, 1, 1)
    assert "refunds.md" in _index_keys(source)


def test_a_missing_folder_fails_the_run_and_retires_nothing(source, folder):
    source.sync_service.sync("pages")
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    report = source.sync_service.sync("pages")
    assert report.status == "failed" and "does not exist" in report.error
    assert set(_index_keys(source)) == set(PAGES)
    with source.sessions() as session:
        assert session.scalar(select(func.count()).where(Document.status == "retired")) == 0


def test_a_sync_that_dies_half_way_is_completed_by_the_next_run(source, monkeypatch):
    source.sync_service._batch_size = 1
    calls = {"n": 0}
    original = Indexer.embed_documents

    def fail_on_second_batch(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker died")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Indexer, "embed_documents", fail_on_second_batch)
    first = source.sync_service.sync("pages")
    assert first.status == "failed" and "worker died" in first.error and first.added == 1
    monkeypatch.setattr(Indexer, "embed_documents", original)
    second = source.sync_service.sync("pages")
    assert second.status == "succeeded" and (second.added, second.unchanged) == (2, 1)
    with source.sessions() as session:
        assert source.index.count() == count_current_chunks(session)
        assert session.scalar(select(func.count()).select_from(ChunkRecord)) == count_current_chunks(session)
    assert set(_index_keys(source)) == set(PAGES)


def test_reindex_rebuilds_the_same_index_from_sql(source):
    source.sync_service.sync("pages")
    before = {d.id: d.meta["text"] for d in source.index.document_store.filter_documents()}
    source.index.clear()
    assert source.index.count() == 0
    assert source.reindex() == len(before)
    assert {d.id: d.meta["text"] for d in source.index.document_store.filter_documents()} == before
