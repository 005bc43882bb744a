"""Each question's expensive parts computed once and replayed: the script model's scores and
the retrieval answer. The real Router then runs over these as often as needed (each strategy
alone, the router, every threshold a calibration tries) with the same results it would get
from the live components.

Latency stays honest: an answer's time is the router's own time plus, for each component it
used, what that component took when it was first computed."""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Callable

from strategies.base import Question, StrategyAnswer


class Meter:
    """Time spent inside the replayed components during one answer, and what they cost live."""

    def __init__(self) -> None:
        self.inner_wall_ms = 0.0
        self.cost_ms = 0.0

    def reset(self) -> None:
        self.inner_wall_ms = 0.0
        self.cost_ms = 0.0

    def measure(self, outer: Callable[[], StrategyAnswer]) -> tuple[StrategyAnswer, float]:
        """Runs `outer` and returns its answer and its live-equivalent latency in ms."""
        self.reset()
        started = time.perf_counter()
        answer = outer()
        wall = (time.perf_counter() - started) * 1000
        return answer, max(0.0, wall - self.inner_wall_ms) + self.cost_ms


class ReplayedScriptModel:
    """The script model's prediction for each text, computed once."""

    def __init__(self, model, meter: Meter) -> None:
        self.inner = model
        self._meter = meter
        self._cache: dict[str, tuple[object, float]] = {}

    @property
    def version(self) -> str:
        return self.inner.version

    @property
    def thresholds(self) -> object:
        return self.inner.thresholds

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def predict(self, text: str):
        started = time.perf_counter()
        hit = self._cache.get(text)
        if hit is None:
            computed = time.perf_counter()
            prediction = self.inner.predict(text)
            hit = (prediction, (time.perf_counter() - computed) * 1000)
            self._cache[text] = hit
        self._meter.inner_wall_ms += (time.perf_counter() - started) * 1000
        self._meter.cost_ms += hit[1]
        return hit[0]


class ReplayedRetrieval:
    """The retrieval answer for each question, computed once with its abstention threshold
    off; `min_similarity` is then applied here exactly as RetrievalStrategy applies it, so a
    calibration can try any threshold without searching again."""

    name = "retrieval"

    def __init__(self, strategy, meter: Meter, min_similarity: float | None = None) -> None:
        self._meter = meter
        self._open = copy.copy(strategy)  # the same retriever and writer, never abstaining on similarity
        self.has_threshold = hasattr(strategy, "min_similarity")
        if self.has_threshold:
            self._open.min_similarity = float("-inf")
        own = getattr(strategy, "min_similarity", None)
        self.min_similarity = own if min_similarity is None else min_similarity
        self._cache: dict[tuple, tuple[StrategyAnswer, float]] = {}

    def with_threshold(self, min_similarity: float | None) -> ReplayedRetrieval:
        other = copy.copy(self)
        if min_similarity is not None:
            other.min_similarity = min_similarity
        return other

    def warm_up(self) -> None:
        self._open.warm_up()

    def raw(self, question: Question) -> StrategyAnswer:
        """The never-abstaining answer, from the cache (computed on first use)."""
        return self._raw(question)[0]

    def answer(self, question: Question) -> StrategyAnswer:
        started = time.perf_counter()
        raw, full_ms = self._raw(question)
        top = raw.scores.get("top_similarity", 0.0)
        if self.has_threshold and self.min_similarity is not None and top < self.min_similarity:
            answer = dataclasses.replace(
                raw,
                text=None,
                evidence=[dataclasses.replace(e, citation=None) for e in raw.evidence],
                abstain_reason=(
                    f"weak evidence: best passage similarity {top:.2f} < {self.min_similarity:.2f}"
                    if raw.evidence
                    else "no passages found"
                ),
                scores={**raw.scores, "min_similarity": self.min_similarity},
                timings_ms={"retrieve_ms": raw.timings_ms.get("retrieve_ms", full_ms)},
                prompt=None,
                model=None,
                generator_error=None,
            )
            cost = answer.timings_ms["retrieve_ms"]
        else:
            answer = dataclasses.replace(raw, scores={**raw.scores, "min_similarity": self.min_similarity})
            answer.timings_ms = dict(raw.timings_ms)
            cost = full_ms
        self._meter.inner_wall_ms += (time.perf_counter() - started) * 1000
        self._meter.cost_ms += cost
        return answer

    def _raw(self, question: Question) -> tuple[StrategyAnswer, float]:
        key = (question.text, question.history)
        hit = self._cache.get(key)
        if hit is None:
            started = time.perf_counter()
            answer = self._open.answer(Question(question.text, question.history))
            hit = (answer, (time.perf_counter() - started) * 1000)
            self._cache[key] = hit
        return hit
