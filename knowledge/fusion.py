"""Fusing keyword and embedding hits by their scores.

Each chunk gets `keyword_weight * bm25 / best_bm25 + (1 - keyword_weight) * cosine
+ phrase_weight * pairs / best_pairs`: the BM25 score is divided by the query's best BM25
score (so 1.0 is the best keyword match and a chunk BM25 did not return counts 0), the
cosine similarity is used as it is, and `pairs` is how many of the question's word pairs
the chunk contains (`knowledge.phrases`), divided by the best chunk's count. On the doc2dial
and TV-manual dev sets this beats reciprocal rank fusion, which throws the scores away, and
the phrase term lifts MRR@10 on all three question sets (benchmarks/retrieval.py).

Then each chunk gains `document_weight` times the best score among the other chunks of its
document: a page that matches the question in several passages is more likely the answer
than one with a single lucky passage, and the order of a page's own chunks is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from haystack import Document, component

from knowledge.phrases import count_phrases

DEFAULT_KEYWORD_WEIGHT = 0.4
DEFAULT_DOCUMENT_WEIGHT = 0.1
DEFAULT_PHRASE_WEIGHT = 0.2


@dataclass(frozen=True)
class HitScores:
    fused: float
    bm25: float | None  # None: BM25 did not return the chunk
    embedding: float | None  # None: the embedding retriever did not return the chunk
    similarity: float  # cosine similarity to the query, for every hit


def fuse_scores(
    bm25: dict[str, float],
    similarity: dict[str, float],
    keyword_weight: float,
    phrases: dict[str, int] | None = None,
    phrase_weight: float = 0.0,
) -> dict[str, float]:
    """`bm25`: the keyword hits' scores; `similarity`: the cosine of every candidate;
    `phrases`: how many of the question's word pairs each candidate contains."""
    best = max(bm25.values(), default=0.0)
    scale = keyword_weight / best if best > 0 else 0.0
    phrases = phrases or {}
    best_phrases = max(phrases.values(), default=0)
    phrase_scale = phrase_weight / best_phrases if best_phrases > 0 else 0.0
    return {
        key: scale * max(bm25.get(key, 0.0), 0.0)
        + (1.0 - keyword_weight) * cosine
        + phrase_scale * phrases.get(key, 0)
        for key, cosine in similarity.items()
    }


def boost_by_document(scores: np.ndarray, documents: np.ndarray, document_weight: float) -> np.ndarray:
    """`scores[i]` plus `document_weight` times the best score of another chunk of the
    document `documents[i]` (document numbers: 0 .. number of documents - 1)."""
    if not document_weight or not len(scores):
        return scores
    order = np.lexsort((-scores, documents))  # by document, best chunk first
    grouped = documents[order]
    first = np.r_[True, grouped[1:] != grouped[:-1]]
    second = np.r_[False, first[:-1]] & ~first
    best = np.zeros(int(documents.max()) + 1)
    runner_up = np.zeros_like(best)
    best[grouped[first]] = scores[order][first]
    runner_up[grouped[second]] = scores[order][second]
    is_best = np.zeros(len(scores), dtype=bool)
    is_best[order[first]] = True
    return scores + document_weight * np.where(is_best, runner_up[documents], best[documents])


def document_numbers(documents: list[Document]) -> np.ndarray:
    """Numbers each chunk's page (source and document key) 0, 1, ... in order of appearance."""
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(document_of(d), len(numbers)) for d in documents], dtype=np.int64)


def document_of(document: Document) -> str:
    """The page a chunk belongs to (chunks without one count as their own page)."""
    meta = document.meta or {}
    return f"{meta.get('source', '')}\x00{meta.get('document_key', document.id)}"


@component
class ScoreFusion:
    """Joins the lists of a BM25 and an embedding retriever by `fuse_scores`.

    Word pairs are counted in the hits' content, so only among these candidates (the
    in-memory retriever counts them in every chunk). Cosines are computed from the hits'
    embeddings. Where a backend returns none, an embedding hit's own score stands in, and for
    a keyword-only hit the embedding list's lowest cosine (an upper bound: the embedding
    retriever ranked it below all its hits).
    """

    def __init__(
        self,
        keyword_weight: float = DEFAULT_KEYWORD_WEIGHT,
        top_k: int = 10,
        document_weight: float = DEFAULT_DOCUMENT_WEIGHT,
        phrase_weight: float = DEFAULT_PHRASE_WEIGHT,
    ) -> None:
        self.keyword_weight = keyword_weight
        self.top_k = top_k
        self.document_weight = document_weight
        self.phrase_weight = phrase_weight

    @component.output_types(documents=list[Document], scores=list[HitScores])
    def run(
        self,
        keyword_documents: list[Document],
        embedding_documents: list[Document],
        query_embedding: list[float],
        phrases: list[str] | None = None,
        top_k: int | None = None,
    ) -> dict:
        query = np.asarray(query_embedding, dtype=np.float32)
        query /= np.linalg.norm(query) or 1.0
        dense = {d.id: float(d.score or 0.0) for d in embedding_documents}
        keyword_documents = [d for d in keyword_documents if (d.score or 0.0) > 0]  # no term matched
        bm25 = {d.id: float(d.score or 0.0) for d in keyword_documents}
        similarity = {d.id: _cosine(query, d.embedding, dense[d.id]) for d in embedding_documents}
        floor = min(similarity.values(), default=0.0)
        documents = {d.id: d for d in [*keyword_documents, *embedding_documents]}
        for d in keyword_documents:
            if d.id not in similarity:
                similarity[d.id] = _cosine(query, d.embedding, floor)
        found = {key: count_phrases(phrases, d.content or "") for key, d in documents.items()} if phrases else None
        fused = fuse_scores(bm25, similarity, self.keyword_weight, found, self.phrase_weight)
        keys = list(fused)
        boosted = boost_by_document(
            np.array([fused[k] for k in keys]),
            document_numbers([documents[k] for k in keys]),
            self.document_weight,
        )
        fused = dict(zip(keys, boosted.tolist(), strict=True))
        ranked = sorted(fused, key=fused.__getitem__, reverse=True)[: top_k or self.top_k]
        return {
            "documents": [replace(documents[key], score=fused[key], embedding=None) for key in ranked],
            "scores": [HitScores(fused[key], bm25.get(key), dense.get(key), similarity[key]) for key in ranked],
        }


def _cosine(query: np.ndarray, embedding: list[float] | None, fallback: float) -> float:
    if embedding is None:
        return fallback
    vector = np.asarray(embedding, dtype=np.float32)
    return float(vector @ query / (np.linalg.norm(vector) or 1.0))
