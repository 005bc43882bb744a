"""Hybrid retrieval as a haystack pipeline: BM25 and embedding retrieval over the same
index, fused by reciprocal rank fusion. Each hit keeps its per-retriever scores so the
answer trace can show why a passage was chosen."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from haystack import Pipeline
from haystack.components.joiners import DocumentJoiner

from knowledge.documents import Chunk
from knowledge.embedding import text_embedder
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
    """`candidates` hits come from each retriever; `top_k` fused hits come back."""

    def __init__(
        self,
        index: SearchIndex,
        embedding_model: str | None = None,
        top_k: int = 10,
        candidates: int = 30,
        weights: tuple[float, float] = (1.0, 1.0),
    ) -> None:
        self.index = index
        self.top_k = top_k
        self.pipeline = Pipeline()
        self.pipeline.add_component("query_embedder", text_embedder(embedding_model))
        self.pipeline.add_component("bm25", index.bm25_retriever(top_k=candidates))
        self.pipeline.add_component("embedding", index.embedding_retriever(top_k=candidates))
        self.pipeline.add_component(
            "fusion", DocumentJoiner(join_mode="reciprocal_rank_fusion", weights=list(weights), top_k=top_k)
        )
        self.pipeline.connect("query_embedder.embedding", "embedding.query_embedding")
        self.pipeline.connect("bm25.documents", "fusion.documents")
        self.pipeline.connect("embedding.documents", "fusion.documents")

    def warm_up(self) -> None:
        self.pipeline.warm_up()

    def retrieve(self, query: str, keyword_query: str | None = None) -> list[RetrievedChunk]:
        """`keyword_query` lets BM25 see a longer query (e.g. with the thread's history)
        than the embedder, whose input is truncated."""
        if self.index.count() == 0:
            return []
        result = self.pipeline.run(
            {"query_embedder": {"text": query}, "bm25": {"query": keyword_query or query}},
            include_outputs_from={"bm25", "embedding", "query_embedder"},
        )
        bm25 = {d.id: d.score for d in result["bm25"]["documents"]}
        dense = {d.id: d.score for d in result["embedding"]["documents"]}
        fused = result["fusion"]["documents"]
        similarities = self._similarities(result["query_embedder"]["embedding"], fused)
        return [
            RetrievedChunk(
                chunk=chunk_from_document(doc),
                rank=rank,
                fused_score=float(doc.score or 0.0),
                bm25_score=bm25.get(doc.id),
                embedding_score=dense.get(doc.id),
                similarity=round(similarity, 4),
            )
            for rank, (doc, similarity) in enumerate(zip(fused, similarities), start=1)
        ]

    def _similarities(self, query_embedding: list[float], documents: list) -> list[float]:
        missing = [d.content for d in documents if d.embedding is None]
        computed = iter(self.embed(missing)) if missing else iter(())
        vectors = np.asarray([d.embedding if d.embedding is not None else next(computed) for d in documents])
        if not len(vectors):
            return []
        return (vectors @ np.asarray(query_embedding)).tolist()  # embeddings are L2-normalised

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embeds several texts in one batch with the query encoder."""
        embedder = self.pipeline.get_component("query_embedder")
        if embedder.embedding_backend is None:
            embedder.warm_up()
        return embedder.embedding_backend.embed(
            texts, batch_size=32, show_progress_bar=False, normalize_embeddings=True
        )
