"""Retrieval-augmented answers: hybrid search over the docs, then a grounded, cited answer
written by the configured writer, or an abstention when the evidence is weak."""

from __future__ import annotations

import time
from dataclasses import replace

from knowledge.retrieval import HybridRetriever
from strategies.base import Evidence, HistoryTurn, Question, StrategyAnswer
from strategies.conversation_signals import points_back_at_the_thread
from strategies.generators.base import Draft, GeneratorError, Writer
from strategies.generators.extractive import ExtractiveWriter
from strategies.grounding import unsupported_sentences
from strategies.query_rewrite import standalone_query, thread_topics


class RetrievalStrategy:
    name = "retrieval"

    def __init__(
        self,
        retriever: HybridRetriever,
        writer: Writer | None = None,
        min_similarity: float = 0.45,
        max_evidence: int = 5,
        new_topic_below: float | None = None,
    ) -> None:
        """`new_topic_below`: a question with no word pointing back at the thread, whose similarity
        to the thread is below this, is searched alone (None: always with the thread)."""
        self.retriever = retriever
        self.extractive = ExtractiveWriter(embed=self.retriever.embed)
        self.writer = writer or self.extractive
        self.min_similarity = min_similarity
        self.max_evidence = max_evidence
        self.new_topic_below = new_topic_below

    def warm_up(self) -> None:
        self.retriever.warm_up()

    def answer(self, question: Question) -> StrategyAnswer:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        history, thread_similarity = self._thread_for(question)
        timings["thread_check_ms"] = _ms_since(started)
        query = standalone_query(question.text, history)
        hits = self.retriever.retrieve(query.dense, keyword_query=query.keyword)[: self.max_evidence]
        timings["retrieve_ms"] = _ms_since(started)

        evidence = [
            Evidence(
                rank=h.rank,
                chunk=h.chunk,
                fused_score=h.fused_score,
                bm25_score=h.bm25_score,
                embedding_score=h.embedding_score,
                similarity=h.similarity,
            )
            for h in hits
        ]
        top_similarity = max((e.similarity for e in evidence), default=0.0)
        result = StrategyAnswer(
            strategy=self.name,
            text=None,
            evidence=evidence,
            standalone_query=query.dense,
            scores={"top_similarity": round(top_similarity, 4), "min_similarity": self.min_similarity},
            generator=self.writer.name,
            timings_ms=timings,
        )
        if thread_similarity is not None:
            result.scores.update(thread_similarity=round(thread_similarity, 4), new_topic_below=self.new_topic_below)
            result.scores["new_topic"] = float(not history)
        if top_similarity < self.min_similarity:
            result.abstain_reason = (
                f"weak evidence: best passage similarity {top_similarity:.2f} < {self.min_similarity:.2f}"
                if evidence
                else "no passages found"
            )
            return result

        started = time.perf_counter()
        draft = self._write(query.dense, evidence, result)
        timings["generate_ms"] = _ms_since(started)
        if draft.text is None:
            result.abstain_reason = result.abstain_reason or "the evidence does not answer the question"
            return result
        result.text = draft.text
        result.evidence = [replace(e, citation=_number_for(e.rank, draft)) for e in evidence]
        return result

    def _thread_for(self, question: Question) -> tuple[tuple[HistoryTurn, ...], float | None]:
        """The history to search with, and the question's similarity to the thread when it was
        measured. Off the thread's topic ("what's the weather in Paris?" after a pricing answer),
        the thread's turns would pull the search back to the old topic and answer from it."""
        if not question.history or self.new_topic_below is None or points_back_at_the_thread(question.text):
            return question.history, None
        topics = thread_topics(question.history)
        if not topics:
            return question.history, None
        question_vector, *topic_vectors = self.retriever.embed([question.text, *topics])
        similarity = max(sum(a * b for a, b in zip(question_vector, v)) for v in topic_vectors)
        return (() if similarity < self.new_topic_below else question.history), float(similarity)

    def _write(self, query: str, evidence: list[Evidence], result: StrategyAnswer) -> Draft:
        if self.writer is self.extractive:
            return self.extractive.write(query, evidence)
        try:
            draft = self.writer.write(query, evidence)
        except GeneratorError as exc:
            result.generator_error = str(exc)
            result.prompt, result.model = exc.prompt, exc.model
            result.generator = self.extractive.name
            return self.extractive.write(query, evidence)
        result.prompt, result.model = draft.prompt, draft.model
        if draft.text is not None:
            cited = [e.chunk.text for e in evidence if e.rank in draft.citations.values()]
            unsupported = unsupported_sentences(draft.text, cited)
            if unsupported:
                result.abstain_reason = f"answer sentence not supported by the evidence: {unsupported[0][:120]!r}"
                result.generator_error = f"reply withheld: {draft.text}"
                return Draft(text=None, prompt=draft.prompt, model=draft.model)
        return draft


def _number_for(rank: int, draft: Draft) -> int | None:
    return next((n for n, r in draft.citations.items() if r == rank), None)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
