"""The embedded default: haystack's InMemoryDocumentStore, saved as one JSON file.

The web process and background workers may each hold the index in memory. Writers take a
file lock, first load what another process saved since, then save (`writing`); readers pick
up a newer file with `refresh`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
from haystack.document_stores.in_memory import InMemoryDocumentStore

from knowledge.stores.base import IndexCorruptedError, SearchIndex

log = logging.getLogger(__name__)
# What a store's contents are made of (haystack keeps them in these for a non-shared store).
_CONTENT_ATTRIBUTES = ("_local_storage", "_local_bm25_attr", "_local_avg_doc_len", "_local_freq_vocab_for_idf")


def _new_store() -> InMemoryDocumentStore:
    return InMemoryDocumentStore(bm25_algorithm="BM25Okapi", embedding_similarity_function="cosine", shared=False)


class InMemoryIndex(SearchIndex):
    name = "in-memory"

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._stamp = self._file_stamp()
        self._store = self._load() if self._stamp is not None else _new_store()
        self._refreshing = threading.Lock()

    @property
    def document_store(self) -> InMemoryDocumentStore:
        return self._store

    def bm25_retriever(self, top_k: int) -> InMemoryBM25Retriever:
        return InMemoryBM25Retriever(document_store=self._store, top_k=top_k)

    def embedding_retriever(self, top_k: int) -> InMemoryEmbeddingRetriever:
        # Embeddings come back so the retriever can score every fused hit without re-encoding it.
        return InMemoryEmbeddingRetriever(document_store=self._store, top_k=top_k, return_embedding=True)

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.partial")
        self._store.save_to_disk(str(partial))
        os.replace(partial, self.path)  # atomic: a crash mid-save leaves the previous file intact
        self._stamp = self._file_stamp()

    @contextmanager
    def writing(self) -> Iterator[None]:
        if self.path is None:
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.path.with_name(f"{self.path.name}.lock"))):
            self.refresh()
            yield
            self.save()

    def refresh(self) -> None:
        """Load the file when another process saved it since this one last loaded or saved it.
        The store object stays the same (retrievers hold it); only its contents are swapped."""
        if self.path is None:
            return
        with self._refreshing:
            stamp = self._file_stamp()
            if stamp is None or stamp == self._stamp:
                return
            try:
                loaded = self._load()
            except IndexCorruptedError:
                log.exception("kept serving the index in memory: the newer file could not be read")
                return
            for attribute in _CONTENT_ATTRIBUTES:
                setattr(self._store, attribute, getattr(loaded, attribute))
            self._stamp = stamp

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat() if self.path is not None else None
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size) if stat else None

    def _load(self) -> InMemoryDocumentStore:
        try:
            store = InMemoryDocumentStore.load_from_disk(str(self.path))
        except Exception as exc:  # haystack raises several types for a damaged file
            raise IndexCorruptedError(f"search index {self.path} cannot be read ({type(exc).__name__})") from exc
        if getattr(store, "_shared", False):
            # The saved file may carry shared=True; copy into an instance-local store.
            local = _new_store()
            local.write_documents(store.filter_documents())
            return local
        return store
