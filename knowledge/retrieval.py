"""Hybrid retrieval as a haystack pipeline: BM25 (given the query without function words,
`knowledge.keyword_query`) and embedding retrieval over the same index, fused by their
scores and by the question's word pairs each chunk contains (`knowledge.fusion`). Each hit
keeps its per-retriever scores so the answer trace can show why a passage was chosen.

On the embedded store one vectorised component does both searches and the fusion
(`InMemoryHybridRetriever`); on other backends the store's own BM25 and embedding
retrievers feed a `ScoreFusion` joiner.
"""

from __future__ import annotations

from dataclasses import dataclass

from haystack import Pipeline
from haystack.document_stores.in_memory import InMemoryDocumentStore

from knowledge.documents import Chunk
from knowledge.embedding import text_embedder
from knowledge.fusion import DEFAULT_DOCUMENT_WEIGHT, DEFAULT_KEYWORD_WEIGHT, DEFAULT_PHRASE_WEIGHT, ScoreFusion
from knowledge.in_memory_search import InMemoryHybridRetriever
from knowledge.keyword_query import KeywordQuery
from knowledge.stores.base import SearchIndex, chunk_from_document


@dataclass(frozen=True)
class RetrievedChunk:
    chunk: Chunk
    rank: int
    fused_score: float
    bm25_score: float | None
    embedding_score: float | None  # the embedding retriever's score, when it found the chunk
    similarity: float  # cosine similarity of the chunk to the (dense) query, for every hit


class HybridRetriever:
    """`candidates` hits come from each retriever; `top_k` fused hits come back.

    `weights` are the relative weights of the BM25 and the embedding score in the fusion;
    `document_weight` how much a chunk gains from the best other chunk of its page;
    `phrase_weight` how much the chunk with most of the question's word pairs gains.
    """

    def __init__(
        self,
        index: SearchIndex,
        embedding_model: str | None = None,
        top_k: int = 10,
        candidates: int = 30,
        weights: tuple[float, float] = (DEFAULT_KEYWORD_WEIGHT, 1.0 - DEFAULT_KEYWORD_WEIGHT),
        document_weight: float = DEFAULT_DOCUMENT_WEIGHT,
        phrase_weight: float = DEFAULT_PHRASE_WEIGHT,
    ) -> None:
        self.index = index
        self.top_k = top_k
        keyword_weight = weights[0] / (weights[0] + weights[1])
        self.pipeline = Pipeline()
        self.pipeline.add_component("query_embedder", text_embedder(embedding_model))
        self.pipeline.add_component("keyword_query", KeywordQuery())
        store = index.document_store
        if isinstance(store, InMemoryDocumentStore):
            search = InMemoryHybridRetriever(
                store,
                top_k=top_k,
                candidates=candidates,
                keyword_weight=keyword_weight,
                document_weight=document_weight,
                phrase_weight=phrase_weight,
            )
            self.pipeline.add_component("search", search)
            self.pipeline.connect("keyword_query.query", "search.query")
        else:
            fusion = ScoreFusion(
                keyword_weight=keyword_weight, top_k=top_k, document_weight=document_weight, phrase_weight=phrase_weight
            )
            self.pipeline.add_component("bm25", index.bm25_retriever(top_k=candidates))
            self.pipeline.add_component("embedding", index.embedding_retriever(top_k=candidates))
            self.pipeline.add_component("search", fusion)
            self.pipeline.connect("keyword_query.query", "bm25.query")
            self.pipeline.connect("query_embedder.embedding", "embedding.query_embedding")
            self.pipeline.connect("bm25.documents", "search.keyword_documents")
            self.pipeline.connect("embedding.documents", "search.embedding_documents")
        self.pipeline.connect("query_embedder.embedding", "search.query_embedding")
        self.pipeline.connect("keyword_query.phrases", "search.phrases")

    def warm_up(self) -> None:
        self.pipeline.warm_up()

    def retrieve(self, query: str, keyword_query: str | None = None) -> list[RetrievedChunk]:
        """`keyword_query` lets BM25 see a longer query (e.g. with the thread's history)
        than the embedder, whose input is truncated."""
        self.index.refresh()  # a worker process may have synced since
        if self.index.count() == 0:
            return []
        result = self.pipeline.run(
            {"query_embedder": {"text": query}, "keyword_query": {"text": keyword_query or query}}
        )["search"]
        return [
            RetrievedChunk(
                chunk=chunk_from_document(doc),
                rank=rank,
                fused_score=round(scores.fused, 6),
                bm25_score=scores.bm25,
                embedding_score=scores.embedding,
                similarity=round(scores.similarity, 4),
            )
            for rank, (doc, scores) in enumerate(zip(result["documents"], result["scores"], strict=True), start=1)
        ]

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embeds several texts in one batch with the query encoder."""
        embedder = self.pipeline.get_component("query_embedder")
        if embedder.embedding_backend is None:
            embedder.warm_up()
        return embedder.embedding_backend.embed(
            texts, batch_size=32, show_progress_bar=False, normalize_embeddings=True
        )
