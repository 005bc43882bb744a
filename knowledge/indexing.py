"""Embeds chunks with the packaged encoder and writes them into a search index."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from haystack import Document

from knowledge.documents import Chunk
from knowledge.embedding import document_embedder
from knowledge.stores.base import SearchIndex, chunk_to_document


class Indexer:
    def __init__(self, index: SearchIndex, embedding_model: str | None = None, batch_size: int = 32) -> None:
        self.index = index
        self._embedder = document_embedder(embedding_model, batch_size=batch_size)
        self._warm = False

    def warm_up(self) -> None:
        if not self._warm:
            self._embedder.warm_up()
            self._warm = True

    def embed(self, chunks: list[Chunk]) -> list[Document]:
        if not chunks:
            return []
        self.warm_up()
        documents = [chunk_to_document(c) for c in chunks]
        return self._embedder.run(documents=documents)["documents"]

    def embed_documents(self, chunks_by_key: dict[str, list[Chunk]]) -> dict[str, list[Document]]:
        """Embeds every chunk in one batch; the embedded chunks come back by document key."""
        embedded = self.embed([c for chunks in chunks_by_key.values() for c in chunks])
        by_key: dict[str, list[Document]] = {key: [] for key in chunks_by_key}
        for document in embedded:
            by_key[document.meta["document_key"]].append(document)
        return by_key

    def remove_document(self, source: str, document_key: str) -> None:
        self.index.remove_document(source, document_key)

    def rebuild(
        self,
        chunks: Iterable[Chunk],
        batch_size: int = 256,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Clear the index and write every chunk again; returns the number written."""
        written = 0
        with self.index.writing():
            self.index.clear()
            batch: list[Chunk] = []
            for chunk in chunks:
                batch.append(chunk)
                if len(batch) >= batch_size:
                    written += self._write(batch, on_progress)
                    batch = []
            if batch:
                written += self._write(batch, on_progress)
        return written

    def _write(self, batch: list[Chunk], on_progress: Callable[[int], None] | None) -> int:
        self.index.write(self.embed(batch))
        if on_progress:
            on_progress(len(batch))
        return len(batch)
