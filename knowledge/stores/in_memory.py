"""The embedded default: haystack's InMemoryDocumentStore, saved as one JSON file."""

from __future__ import annotations

import os
from pathlib import Path

from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
from haystack.document_stores.in_memory import InMemoryDocumentStore

from knowledge.stores.base import IndexCorruptedError, SearchIndex


def _new_store() -> InMemoryDocumentStore:
    return InMemoryDocumentStore(bm25_algorithm="BM25Okapi", embedding_similarity_function="cosine", shared=False)


class InMemoryIndex(SearchIndex):
    name = "in-memory"

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._store = self._load() if path is not None and path.exists() else _new_store()

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
        partial = self.path.with_suffix(".partial")
        self._store.save_to_disk(str(partial))
        os.replace(partial, self.path)  # atomic: a crash mid-save leaves the previous file intact

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
