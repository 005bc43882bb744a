"""The interface every search index backend implements.

A backend wraps one haystack document store and hands out its BM25 and embedding retriever
components, so the retrieval pipeline is the same whatever the backend. Chunks are stored as
haystack `Document`s whose content is the chunk's indexed text (title, section, passage) and
whose meta carries what a trace needs to cite it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager

from haystack import Document
from haystack.document_stores.types import DocumentStore, DuplicatePolicy

from knowledge.documents import Chunk


class IndexCorruptedError(Exception):
    """The saved index cannot be read; it can be rebuilt from SQL."""


def chunk_to_document(chunk: Chunk, embedding: list[float] | None = None) -> Document:
    return Document(
        id=chunk.id,
        content=chunk.indexed_text,
        embedding=embedding,
        meta={
            "document_key": chunk.document_key,
            "content_hash": chunk.content_hash,
            "ordinal": chunk.ordinal,
            "title": chunk.title,
            "section": chunk.section,
            "text": chunk.text,
            "url": chunk.url or "",
            "source": chunk.source,
        },
    )


def chunk_from_document(document: Document) -> Chunk:
    meta = document.meta
    return Chunk(
        id=document.id,
        document_key=meta["document_key"],
        content_hash=meta["content_hash"],
        ordinal=int(meta["ordinal"]),
        title=meta["title"],
        section=meta["section"],
        text=meta["text"],
        url=meta.get("url") or None,
        source=meta["source"],
    )


class SearchIndex(ABC):
    name: str

    @property
    @abstractmethod
    def document_store(self) -> DocumentStore: ...

    @abstractmethod
    def bm25_retriever(self, top_k: int): ...

    @abstractmethod
    def embedding_retriever(self, top_k: int): ...

    def save(self) -> None:
        """Persist pending writes (a no-op for servers that persist on their own)."""

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around a group of writes that must land together; saves them at the end. Backends
        that several processes write through a file make this exclusive across processes."""
        yield
        self.save()

    def refresh(self) -> None:
        """See what other processes wrote since (a no-op for servers: they are always current)."""

    def write(self, documents: list[Document]) -> None:
        """Write embedded chunk documents, overwriting same ids (re-indexing is idempotent)."""
        if documents:
            self.document_store.write_documents(documents, policy=DuplicatePolicy.OVERWRITE)

    def replace_document(self, source: str, document_key: str, documents: list[Document]) -> None:
        """Swap one document's chunks for a new version: the new chunks are written before the
        old ones are deleted, so a reader never finds the document missing."""
        self.write(documents)
        keep = {d.id for d in documents}
        stale = [d.id for d in self._chunks_of(source, document_key) if d.id not in keep]
        if stale:
            self.document_store.delete_documents(stale)

    def remove_document(self, source: str, document_key: str) -> None:
        ids = [d.id for d in self._chunks_of(source, document_key)]
        if ids:
            self.document_store.delete_documents(ids)

    def clear(self) -> None:
        ids = [d.id for d in self.document_store.filter_documents()]
        if ids:
            self.document_store.delete_documents(ids)

    def count(self) -> int:
        return self.document_store.count_documents()

    def _chunks_of(self, source: str, document_key: str) -> list[Document]:
        return self.document_store.filter_documents(
            filters={
                "operator": "AND",
                "conditions": [
                    {"field": "meta.source", "operator": "==", "value": source},
                    {"field": "meta.document_key", "operator": "==", "value": document_key},
                ],
            }
        )
