"""Production backend: Elasticsearch 8 through elasticsearch-haystack."""

from __future__ import annotations

from elasticsearch import helpers
from haystack import Document
from haystack.document_stores.errors import DocumentStoreError
from haystack_integrations.components.retrievers.elasticsearch import (
    ElasticsearchBM25Retriever,
    ElasticsearchEmbeddingRetriever,
)
from haystack_integrations.document_stores.elasticsearch import ElasticsearchDocumentStore

from knowledge.stores.base import SearchIndex

EMBEDDING_DIM = 384  # all-MiniLM-L6-v2

_MAPPING = {
    "properties": {
        "content": {"type": "text"},
        "embedding": {"type": "dense_vector", "dims": EMBEDDING_DIM, "index": True, "similarity": "cosine"},
        "document_key": {"type": "keyword"},
        "content_hash": {"type": "keyword"},
        "source": {"type": "keyword"},
        "title": {"type": "text"},
        "section": {"type": "text"},
        "text": {"type": "text", "index": False},
        "url": {"type": "keyword", "index": False},
        "ordinal": {"type": "integer"},
    }
}


class ElasticsearchIndex(SearchIndex):
    name = "elasticsearch"

    def __init__(self, url: str, index: str, api_key: str | None = None) -> None:
        self._store = ElasticsearchDocumentStore(
            hosts=url,
            index=index,
            api_key=api_key,
            api_key_id=None,
            custom_mapping=_MAPPING,
            embedding_similarity_function="cosine",
        )

    @property
    def document_store(self) -> ElasticsearchDocumentStore:
        return self._store

    def bm25_retriever(self, top_k: int) -> ElasticsearchBM25Retriever:
        return ElasticsearchBM25Retriever(document_store=self._store, top_k=top_k, fuzziness="0")

    def embedding_retriever(self, top_k: int) -> ElasticsearchEmbeddingRetriever:
        return ElasticsearchEmbeddingRetriever(document_store=self._store, top_k=top_k)

    def save(self) -> None:
        self._store.client.indices.refresh(index=self._store._index)

    def replace_document(self, source: str, document_key: str, documents: list[Document]) -> None:
        """The new chunks and the deletion of the stale ones in one bulk request: a writer killed
        mid-swap cannot leave the document with both versions indexed, or with neither."""
        keep = {d.id for d in documents}
        stale = [d.id for d in self._chunks_of(source, document_key) if d.id not in keep]
        actions = [{"_op_type": "index", "_id": d.id, "_source": _source(d)} for d in documents]
        actions += [{"_op_type": "delete", "_id": chunk_id} for chunk_id in stale]
        if not actions:
            return
        _, errors = helpers.bulk(
            self._store.client, actions, index=self._store._index, refresh="wait_for", raise_on_error=False
        )
        failed = [e for e in errors if e.get("delete", {}).get("status") != 404]  # already gone is fine
        if failed:
            refused = f"Elasticsearch refused {len(failed)} of {len(actions)} chunk writes"
            raise DocumentStoreError(f"{refused}: {failed[:3]}")


def _source(document: Document) -> dict:
    """As elasticsearch-haystack writes a document: flattened meta, no null vector fields (a
    dense_vector mapping rejects null), no sparse embedding (chunks have none)."""
    fields = document.to_dict()
    fields.pop("sparse_embedding", None)
    for name in ("embedding", "blob", "score"):
        if fields.get(name) is None:
            fields.pop(name, None)
    return fields
