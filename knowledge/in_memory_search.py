"""Hybrid search over haystack's InMemoryDocumentStore, vectorised with numpy.

haystack's in-memory retrievers score BM25 in pure Python, rebuild the embedding matrix from
lists on every query and deep-copy each hit's embedding on the way out: on a few thousand
chunks that is about 100 ms a query on two cores. This component keeps a snapshot of the
store (a sparse term-frequency matrix and the embedding matrix), rebuilt whenever the store's
documents change, and scores every chunk at once with the store's own BM25 algorithm,
parameters and tokenizer, with cosine similarity and by the question's word pairs it contains
(`knowledge.phrases`), then fuses them for every chunk (not only each method's best few: a
chunk just outside BM25's top list keeps its keyword score) and boosts pages that match in
several chunks (`knowledge.fusion`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Any

import numpy as np
from haystack import Document, component, default_from_dict, default_to_dict
from haystack.document_stores.in_memory import InMemoryDocumentStore
from scipy import sparse

from knowledge.fusion import (
    DEFAULT_DOCUMENT_WEIGHT,
    DEFAULT_KEYWORD_WEIGHT,
    DEFAULT_PHRASE_WEIGHT,
    HitScores,
    boost_by_document,
    document_numbers,
)
from knowledge.phrases import word_pairs


class _Snapshot:
    """The store's documents as matrices; valid while the store holds the same objects."""

    def __init__(self, store: InMemoryDocumentStore) -> None:
        self.documents = list(store.storage.values())
        self.document_numbers = document_numbers(self.documents)
        self._tokenizer = re.compile(store.bm25_tokenization_regex).findall
        vocabulary: dict[str, int] = {}
        rows, columns, counts = [], [], []
        self.pairs: dict[str, int] = {}
        pair_rows, pair_columns = [], []
        lengths = np.zeros(len(self.documents))
        for row, document in enumerate(self.documents):
            tokens = self.tokenize(document.content or "")
            lengths[row] = len(tokens)
            for column, count in _counts(tokens, vocabulary).items():
                rows.append(row)
                columns.append(column)
                counts.append(count)
            for pair in word_pairs(tokens):
                pair_rows.append(row)
                pair_columns.append(self.pairs.setdefault(pair, len(self.pairs)))
        self.vocabulary = vocabulary
        shape = (len(self.documents), len(vocabulary))
        self.tf = sparse.csc_matrix((counts, (rows, columns)), shape=shape, dtype=np.float64)
        self.has_pair = sparse.csc_matrix(
            (np.ones(len(pair_rows)), (pair_rows, pair_columns)), shape=(len(self.documents), len(self.pairs))
        )
        self.idf, self._score_terms = _bm25(store, lengths, np.diff(self.tf.indptr))

        dimension = next((len(d.embedding) for d in self.documents if d.embedding is not None), 0)
        self.has_embedding = np.array([d.embedding is not None for d in self.documents], dtype=bool)
        matrix = np.zeros((len(self.documents), dimension), dtype=np.float32)
        for row, document in enumerate(self.documents):
            if document.embedding is not None:
                matrix[row] = document.embedding
        if store.embedding_similarity_function == "cosine":
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            matrix /= np.where(norms == 0.0, 1.0, norms)
        self.embeddings = matrix
        self.cosine = store.embedding_similarity_function == "cosine"

    def is_current(self, store: InMemoryDocumentStore) -> bool:
        storage = store.storage
        return len(storage) == len(self.documents) and all(
            a is b for a, b in zip(storage.values(), self.documents, strict=True)
        )

    def tokenize(self, text: str) -> list[str]:
        """As the store tokenizes for BM25: lowercased, NFC-normalised, split by its regex."""
        return self._tokenizer(unicodedata.normalize("NFC", text.lower()))

    def bm25(self, query: str) -> np.ndarray:
        columns = [self.vocabulary[t] for t in dict.fromkeys(self.tokenize(query)) if t in self.vocabulary]
        if not columns:
            return np.zeros(len(self.documents))
        hits = self.tf[:, columns]
        term = np.repeat(np.arange(len(columns)), np.diff(hits.indptr))
        contributions = self.idf[columns][term] * self._score_terms(hits.data, hits.indices)
        return np.bincount(hits.indices, weights=contributions, minlength=len(self.documents))

    def phrase_counts(self, phrases: list[str]) -> np.ndarray:
        """How many of the distinct `phrases` ("word word") each chunk contains."""
        columns = [self.pairs[p] for p in dict.fromkeys(phrases) if p in self.pairs]
        if not columns:
            return np.zeros(len(self.documents))
        return np.asarray(self.has_pair[:, columns].sum(axis=1)).ravel()

    def similarity(self, query_embedding: list[float]) -> np.ndarray:
        query = np.asarray(query_embedding, dtype=np.float32)
        if self.cosine:
            query = query / (np.linalg.norm(query) or 1.0)
        # einsum, not `@`: OpenBLAS would run this product on its own threads, which keep
        # spinning afterwards and slow the next query's embedding (torch) several-fold
        return np.where(self.has_embedding, np.einsum("ij,j->i", self.embeddings, query), -np.inf)


def _counts(tokens: list[str], vocabulary: dict[str, int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for token in tokens:
        column = vocabulary.setdefault(token, len(vocabulary))
        counts[column] = counts.get(column, 0) + 1
    return counts


def _bm25(store: InMemoryDocumentStore, lengths: np.ndarray, document_frequency: np.ndarray):
    """The IDF per term and the term-frequency part of the store's BM25 variant, written as
    haystack's InMemoryDocumentStore computes them."""
    k = store.bm25_parameters.get("k1", 1.5)
    b = store.bm25_parameters.get("b", 0.75)
    n = float(len(lengths))
    average = lengths.mean() if len(lengths) else 0.0
    norm = 1 - b + b * lengths / average if average > 0 else np.ones_like(lengths)
    df = document_frequency.astype(np.float64)
    algorithm = store.bm25_algorithm
    if algorithm == "BM25Okapi":
        idf = np.log((n - df + 0.5) / (df + 0.5))
        if len(idf):
            epsilon = store.bm25_parameters.get("epsilon", 0.25) * idf.sum() / len(idf)
            idf[idf < 0] = epsilon
        return idf, lambda tf, rows: tf * (1 + k) / (tf + k * norm[rows])
    if algorithm == "BM25L":
        delta = store.bm25_parameters.get("delta", 0.5)

        def bm25l(tf: np.ndarray, rows: np.ndarray) -> np.ndarray:
            ctd = tf / norm[rows]
            return (1 + k) * (ctd + delta) / (k + ctd + delta)

        return np.log((n + 1) / (df + 0.5)), bm25l
    if algorithm == "BM25Plus":
        delta = store.bm25_parameters.get("delta", 1.0)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        return idf, lambda tf, rows: tf * (1 + k) / (tf + k * norm[rows]) + delta
    raise ValueError(f"BM25 algorithm {algorithm!r} is not supported")


@component
class InMemoryHybridRetriever:
    """BM25 and embedding retrieval over an InMemoryDocumentStore, fused as `knowledge.fusion`
    describes, over every chunk; the `top_k` best come back without their embeddings, and
    `scores` gives each hit's fused, BM25 and cosine scores.

    `candidates` (each method's best list) only decides which hits report a BM25 and an
    embedding-retriever score, as the two separate retrievers of other backends would.
    """

    def __init__(
        self,
        document_store: InMemoryDocumentStore,
        top_k: int = 10,
        candidates: int = 30,
        keyword_weight: float = DEFAULT_KEYWORD_WEIGHT,
        document_weight: float = DEFAULT_DOCUMENT_WEIGHT,
        phrase_weight: float = DEFAULT_PHRASE_WEIGHT,
    ) -> None:
        self.document_store = document_store
        self.top_k = top_k
        self.candidates = candidates
        self.keyword_weight = keyword_weight
        self.document_weight = document_weight
        self.phrase_weight = phrase_weight
        self._snapshot: _Snapshot | None = None

    def warm_up(self) -> None:
        self._current()

    def _current(self) -> _Snapshot:
        if self._snapshot is None or not self._snapshot.is_current(self.document_store):
            self._snapshot = _Snapshot(self.document_store)
        return self._snapshot

    @component.output_types(documents=list[Document], scores=list[HitScores])
    def run(
        self, query: str, query_embedding: list[float], phrases: list[str] | None = None, top_k: int | None = None
    ) -> dict[str, Any]:
        snapshot = self._current()
        if not snapshot.documents:
            return {"documents": [], "scores": []}
        bm25 = snapshot.bm25(query)
        # a chunk without an embedding has no cosine: 0 keeps it rankable by its BM25 alone
        cosine = np.where(snapshot.has_embedding, snapshot.similarity(query_embedding), 0.0)
        best_bm25 = bm25.max()
        keyword = bm25 * (self.keyword_weight / best_bm25) if best_bm25 > 0 else np.zeros_like(bm25)
        found = snapshot.phrase_counts(phrases or [])
        phrase = found * (self.phrase_weight / found.max()) if found.max() > 0 else 0.0
        fused = boost_by_document(
            keyword + (1.0 - self.keyword_weight) * cosine + phrase, snapshot.document_numbers, self.document_weight
        )
        ranked = _best(fused, top_k or self.top_k)
        in_keyword = {int(i) for i in _best(bm25, self.candidates) if bm25[i] > 0}
        in_embedding = {int(i) for i in _best(cosine, self.candidates) if snapshot.has_embedding[i]}
        return {
            "documents": [replace(snapshot.documents[i], score=float(fused[i]), embedding=None) for i in ranked],
            "scores": [
                HitScores(
                    fused=float(fused[i]),
                    bm25=float(bm25[i]) if i in in_keyword else None,
                    embedding=float(cosine[i]) if i in in_embedding else None,
                    similarity=float(cosine[i]),
                )
                for i in ranked
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            document_store=self.document_store.to_dict(),
            top_k=self.top_k,
            candidates=self.candidates,
            keyword_weight=self.keyword_weight,
            document_weight=self.document_weight,
            phrase_weight=self.phrase_weight,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InMemoryHybridRetriever:
        params = data["init_parameters"]
        params["document_store"] = InMemoryDocumentStore.from_dict(params["document_store"])
        return default_from_dict(cls, data)


def _best(scores: np.ndarray, count: int) -> np.ndarray:
    if count >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, count)[:count]
    return top[np.argsort(-scores[top], kind="stable")]
