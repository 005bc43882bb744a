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

    def replace_document(self, source: str, document_key: str, chunks: list[Chunk]) -> None:
        self.index.replace_document(source, document_key, self.embed(chunks))

    def remove_document(self, source: str, document_key: str) -> None:
        self.index.remove_document(source, document_key)

    def rebuild(
        self,
        chunks: Iterable[Chunk],
        batch_size: int = 256,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Clear the index and write every chunk again; returns the number written."""
        self.index.clear()
        written = 0
        batch: list[Chunk] = []
        for chunk in chunks:
            batch.append(chunk)
            if len(batch) >= batch_size:
                written += self._write(batch, on_progress)
                batch = []
        if batch:
            written += self._write(batch, on_progress)
        self.index.save()
        return written

    def _write(self, batch: list[Chunk], on_progress: Callable[[int], None] | None) -> int:
        self.index.write(self.embed(batch))
        if on_progress:
            on_progress(len(batch))
        return len(batch)
