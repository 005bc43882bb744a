"""A scripted classifier and a retrieval strategy with canned scores, for evaluation tests
that need the real Router but no models."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from knowledge.documents import Chunk
from strategies.base import Evidence, Question, StrategyAnswer
from strategies.script_model import ScriptPrediction, Thresholds
from strategies.script_strategy import ScriptStrategy
from strategies.scripts import ScriptEngine, load_scripts

SCRIPTS = Path(__file__).resolve().parents[2] / "examples" / "scripts"


class CannedModel:
    """text -> (best label, confidence); unknown texts are out of scope with confidence 0.1.
    `verdicts` (text -> label or "out_of_scope") decide like a trained model's lead corrections."""

    version = "canned-1"

    def __init__(
        self, scores: dict[str, tuple[str, float]], min_confidence: float = 0.5, verdicts: dict[str, str] | None = None
    ) -> None:
        self.scores = scores
        self.verdicts = verdicts or {}
        self.thresholds = Thresholds(min_confidence=min_confidence, method="oos_validation")
        self.labels = tuple(sorted({label for label, _ in scores.values()}))
        self.calls = 0

    def predict(self, text: str) -> ScriptPrediction:
        self.calls += 1
        label, confidence = self.scores.get(text, ("reset_password", 0.1))
        in_scope = confidence >= self.thresholds.min_confidence
        prediction = ScriptPrediction(label if in_scope else None, confidence, 1 - confidence, in_scope, ((label, confidence),))
        verdict = self.verdicts.get(text)
        if verdict is None:
            return prediction
        in_scope = verdict != "out_of_scope"
        return replace(prediction, label=verdict if in_scope else None, in_scope=in_scope, verdict=verdict)


class CannedRetrieval:
    """text -> (document key, similarity, passage); abstains below `min_similarity` like RetrievalStrategy."""

    name = "retrieval"
    max_evidence = 5

    def __init__(self, passages: dict[str, list[tuple[str, float, str]]], min_similarity: float = 0.45) -> None:
        self.passages = passages
        self.min_similarity = min_similarity
        self.asked: list[str] = []  # shared with copies

    @property
    def calls(self) -> int:
        return len(self.asked)

    def warm_up(self) -> None:
        pass

    def answer(self, question: Question) -> StrategyAnswer:
        self.asked.append(question.text)
        evidence = [
            Evidence(rank=i, chunk=Chunk(f"c{i}", key, "h", 0, key.title(), "", text), fused_score=sim,
                     bm25_score=None, embedding_score=sim, similarity=sim)
            for i, (key, sim, text) in enumerate(self.passages.get(question.text, []), start=1)
        ]
        top = max((e.similarity for e in evidence), default=0.0)
        result = StrategyAnswer(strategy="retrieval", text=None, evidence=evidence,
                                scores={"top_similarity": top, "min_similarity": self.min_similarity},
                                timings_ms={"retrieve_ms": 1.0})
        if not evidence or top < self.min_similarity:
            result.abstain_reason = "weak evidence"
            return result
        result.text = f"Here is what our help center says:\n\n> {evidence[0].chunk.text} [1]"
        result.evidence = [replace(e, citation=1 if e.rank == 1 else None) for e in evidence]
        return result


def script_strategy(model: CannedModel) -> ScriptStrategy:
    scripts = load_scripts(SCRIPTS)
    return ScriptStrategy(model, ScriptEngine(scripts.scripts))
