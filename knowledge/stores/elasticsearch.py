"""Production backend: Elasticsearch 8 through elasticsearch-haystack."""

from __future__ import annotations

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
