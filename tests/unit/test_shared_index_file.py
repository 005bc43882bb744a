"""The embedded index file written by several processes (web, workers): writers never lose
each other's writes, readers pick up a newer file."""

from __future__ import annotations

import threading

from haystack import Document

from knowledge.stores.in_memory import InMemoryIndex


def _chunk(key: str) -> Document:
    return Document(id=f"{key}-0", content=f"text of {key}", embedding=[0.1, 0.2, 0.3],
                    meta={"document_key": key, "source": "docs"})


def _keys(index: InMemoryIndex) -> set[str]:
    return {d.meta["document_key"] for d in index.document_store.filter_documents()}


def test_a_writer_first_loads_what_another_saved_so_nothing_is_lost(tmp_path):
    path = tmp_path / "index.json"
    web, worker = InMemoryIndex(path), InMemoryIndex(path)
    with worker.writing():
        worker.write([_chunk("a")])
    with web.writing():
        web.write([_chunk("b")])
    assert _keys(InMemoryIndex(path)) == {"a", "b"}


def test_a_reader_sees_a_newer_file_in_the_same_store_object(tmp_path):
    path = tmp_path / "index.json"
    web, worker = InMemoryIndex(path), InMemoryIndex(path)
    store = web.document_store
    with worker.writing():
        worker.write([_chunk("a")])
    assert _keys(web) == set()
    web.refresh()
    assert web.document_store is store and _keys(web) == {"a"}, "retrievers hold the store: it must stay the same"
    web.refresh()  # unchanged file: nothing to do
    assert _keys(web) == {"a"}


def test_concurrent_writers_are_serialised_by_the_file_lock(tmp_path):
    path = tmp_path / "index.json"
    writers = [InMemoryIndex(path) for _ in range(4)]

    def write(n: int) -> None:
        for round_ in range(5):
            with writers[n].writing():
                writers[n].write([_chunk(f"w{n}-{round_}")])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert _keys(InMemoryIndex(path)) == {f"w{n}-{r}" for n in range(4) for r in range(5)}


def test_a_damaged_newer_file_keeps_the_reader_serving_what_it_has(tmp_path, caplog):
    path = tmp_path / "index.json"
    writer = InMemoryIndex(path)
    with writer.writing():
        writer.write([_chunk("a")])
    reader = InMemoryIndex(path)
    path.write_text("{ not json")
    reader.refresh()
    assert _keys(reader) == {"a"} and "could not be read" in caplog.text
