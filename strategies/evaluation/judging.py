"""How one answer to one case is judged: what the strategy did, and whether that was right.

- A case that should escalate is right when the bot handed it to a person (or abstained,
  which offers one); answering it is wrong.
- A case with an expected script is right when that script started; any other answer is wrong.
- Any other case is right when the docs answered it, with no script, citing one of the
  expected sources (when given) and containing every expected fact (when given).
A strategy that abstains or escalates on a case it should answer is neither right nor wrong:
it missed, and a person answers instead. Wrong answers are the ones a team caps in calibration.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from strategies.base import StrategyAnswer
from strategies.evaluation.cases import EvalCase
from strategies.grounding import is_supported, split_sentences


@dataclass
class Judged:
    case_id: str
    strategy: str
    route: str  # script | retrieval | escalate | small_talk
    script_id: str | None
    answered: bool  # the bot replied with an answer (a script step or docs)
    escalated: bool  # a person was brought in, or offered (abstention)
    abstained: bool
    correct: bool
    wrong: bool
    latency_ms: float
    ranked_sources: list[list[str]] = field(default_factory=list)  # per evidence rank: [document key, title]
    cited_sources: list[list[str]] = field(default_factory=list)
    groundedness: float | None = None  # share of answer sentences supported by the cited evidence
    facts_found: int = 0
    reason: str = ""
    confidence: float | None = None  # script model confidence, when it was asked
    predicted_label: str | None = None  # script model's best label, confident or not
    top_similarity: float | None = None
    answer: str = ""

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def judge(case: EvalCase, answer: StrategyAnswer, strategy: str, latency_ms: float) -> Judged:
    routing = answer.routing or {}
    route = routing.get("route") or ("retrieval" if answer.strategy == "retrieval" else answer.strategy)
    answered = answer.text is not None
    escalated = bool(answer.escalate or answer.handoff or not answered)
    cited = answer.citations
    result = Judged(
        case_id=case.id,
        strategy=strategy,
        route=route,
        script_id=answer.script_id,
        answered=answered,
        escalated=escalated,
        abstained=not answered,
        correct=False,
        wrong=False,
        latency_ms=round(latency_ms, 3),
        ranked_sources=[[e.chunk.document_key, e.chunk.title] for e in sorted(answer.evidence, key=lambda e: e.rank)],
        cited_sources=[[e.chunk.document_key, e.chunk.title] for e in cited],
        reason=str(routing.get("reason") or answer.abstain_reason or ""),
        answer=answer.text or "",
    )
    model = routing.get("script_model")
    if model:
        result.confidence = model.get("confidence")
        ranked = model.get("ranked") or []
        result.predicted_label = ranked[0][0] if ranked else model.get("label")
    top = answer.scores.get("top_similarity")
    result.top_similarity = float(top) if top is not None else None
    if answered and cited:
        result.groundedness = groundedness(answer.text or "", [e.chunk.text for e in cited])
    text = (answer.text or "").lower()
    result.facts_found = sum(1 for fact in case.expected_facts if fact.lower() in text)
    result.correct, result.wrong = _verdict(case, result)
    return result


def groundedness(answer: str, evidence_texts: list[str]) -> float | None:
    """Share of the answer's sentences that the project's grounding check finds supported by
    the evidence. A lead-in ending with a colon ("Here is what our help center says:")
    introduces the quotes and states nothing, so it is not counted."""
    sentences = [s.lstrip("> ").strip() for s in split_sentences(answer)]
    sentences = [s for s in sentences if s and not s.endswith(":")]
    if not sentences:
        return None
    return sum(1 for s in sentences if is_supported(s, evidence_texts)) / len(sentences)


def source_matches(source: list[str], expected: tuple[str, ...]) -> bool:
    key, title = source
    return key in expected or title in expected


def _verdict(case: EvalCase, result: Judged) -> tuple[bool, bool]:
    if case.should_escalate:
        correct = result.escalated
        return correct, not correct and result.answered
    if case.expected_small_talk:
        correct = result.route == "small_talk"
        return correct, not correct and result.answered  # a docs answer or a script to "hi"
    if case.expected_script:
        correct = result.script_id == case.expected_script
        return correct, not correct and result.answered and not (result.escalated and result.script_id is None)
    if not result.answered or result.escalated:
        return False, False  # missed: a person takes it
    correct = result.script_id is None
    if case.expected_sources:
        sources = result.cited_sources or result.ranked_sources
        correct = correct and any(source_matches(s, case.expected_sources) for s in sources)
    if case.expected_facts:
        correct = correct and result.facts_found == len(case.expected_facts)
    return correct, not correct
