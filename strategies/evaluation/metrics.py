"""The figures per strategy, from its judged answers. A metric a strategy cannot have (script
accuracy of retrieval alone, groundedness of scripted replies) is None, not a made-up 0 or 1."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from strategies.evaluation.cases import EvalCase
from strategies.evaluation.judging import Judged, source_matches

# Ranks come from the passages the strategy itself kept (its max_evidence, 5 by default), so a
# document it would have found at rank 6-10 counts as a miss: with fewer than 10 passages kept,
# "mrr@10" is a lower bound of the retriever's MRR@10 (benchmarks/retrieval.py measures that).
MRR_DEPTH = 10

# Metrics where higher is better; latency (p50_ms, p95_ms) is better lower.
HIGHER_IS_BETTER = (
    "answer_accuracy",
    "script_accuracy",
    "oos_recall",
    "recall@k",
    "mrr@10",
    "groundedness",
    "fact_recall",
    "escalation_precision",
    "escalation_recall",
    "route_accuracy",
)
LOWER_IS_BETTER = ("wrong_rate", "p50_ms", "p95_ms")

# The metrics a report shows, in order, with what a support lead reads for each.
SHOWN_METRICS = (
    ("answer_accuracy", "correct answers"),
    ("wrong_rate", "wrong answers"),
    ("script_accuracy", "script accuracy"),
    ("oos_recall", "out-of-scope recall"),
    ("recall@k", "retrieval R@k"),
    ("mrr@10", "MRR@10"),
    ("groundedness", "groundedness"),
    ("fact_recall", "expected facts found"),
    ("abstention_rate", "abstentions"),
    ("escalation_precision", "escalation precision"),
    ("escalation_recall", "escalation recall"),
    ("route_accuracy", "right route"),
    ("recovered_after_decline", "recovered after 'just asking'"),
    ("p50_ms", "latency p50 (ms)"),
    ("p95_ms", "latency p95 (ms)"),
)


def strategy_metrics(cases: Sequence[EvalCase], judged: Sequence[Judged], k: int, can_script: bool, can_retrieve: bool) -> dict:
    by_id = {j.case_id: j for j in judged}
    pairs = [(c, by_id[c.id]) for c in cases if c.id in by_id]
    n = len(pairs)
    metrics: dict = {"n": n, "k": k}
    metrics["answer_accuracy"] = _share(j.correct for _, j in pairs)
    metrics["wrong_rate"] = _share(j.wrong for _, j in pairs)
    metrics["answered_rate"] = _share(j.answered for _, j in pairs)
    metrics["abstention_rate"] = _share(j.abstained for _, j in pairs)
    metrics["route_accuracy"] = _share(_route_right(c, j) for c, j in pairs)

    scripted = [(c, j) for c, j in pairs if c.expected_script]
    unscripted = [(c, j) for c, j in pairs if not c.expected_script]
    metrics["script_accuracy"] = _share(j.script_id == c.expected_script for c, j in scripted) if can_script else None
    metrics["script_top1_accuracy"] = (
        _share(j.predicted_label == c.expected_script for c, j in scripted) if can_script else None
    )
    metrics["oos_recall"] = _share(j.script_id is None for _, j in unscripted) if can_script else None

    with_sources = [(c, j) for c, j in pairs if c.expected_sources]
    if can_retrieve and with_sources:
        ranks = [_first_hit(c, j) for c, j in with_sources]
        metrics["recall@k"] = _share(r is not None and r <= k for r in ranks)
        metrics["recall@1"] = _share(r == 1 for r in ranks)
        metrics["mrr@10"] = float(np.mean([1.0 / r if r is not None and r <= MRR_DEPTH else 0.0 for r in ranks]))
    else:
        metrics["recall@k"] = metrics["recall@1"] = metrics["mrr@10"] = None
    grounded = [j.groundedness for _, j in pairs if j.groundedness is not None]
    metrics["groundedness"] = float(np.mean(grounded)) if grounded else None
    metrics["grounded_answers"] = len(grounded)
    facts = [(c, j) for c, j in pairs if c.expected_facts]
    metrics["fact_recall"] = (
        sum(j.facts_found for _, j in facts) / sum(len(c.expected_facts) for c, _ in facts) if facts else None
    )

    positives = [j.escalated for c, j in pairs if c.should_escalate]
    flagged = [c.should_escalate for c, j in pairs if j.escalated]
    metrics["escalation_recall"] = _share(positives) if positives else None
    metrics["escalation_precision"] = _share(flagged) if flagged else None

    latencies = np.asarray([j.latency_ms for _, j in pairs], dtype=float)
    metrics["p50_ms"] = round(float(np.percentile(latencies, 50)), 2) if n else None
    metrics["p95_ms"] = round(float(np.percentile(latencies, 95)), 2) if n else None
    return {key: (round(value, 4) if isinstance(value, float) else value) for key, value in metrics.items()}


def decline_metrics(declined: Sequence[Judged]) -> dict:
    """Docs questions the router sent into a script, and the share answered right from the
    docs when the user then says it was not what they meant. Not a regression-gate metric:
    its denominator shrinks as the router improves."""
    return {"declined_scripts": len(declined), "recovered_after_decline": _share(j.correct for j in declined)}


def route_confusion(cases: Sequence[EvalCase], judged: Sequence[Judged]) -> dict[str, dict[str, int]]:
    """expected route -> chosen route -> count."""
    by_id = {j.case_id: j for j in judged}
    table: dict[str, dict[str, int]] = {}
    for case in cases:
        j = by_id.get(case.id)
        if j is None:
            continue
        row = table.setdefault(case.expected_route, {})
        row[j.route] = row.get(j.route, 0) + 1
    return table


def router_mistakes(cases: Sequence[EvalCase], judged: Sequence[Judged]) -> list[dict]:
    """Cases where the router took another route than expected, or the wrong script."""
    by_id = {j.case_id: j for j in judged}
    mistakes = []
    for case in cases:
        j = by_id.get(case.id)
        if j is None or _route_right(case, j):
            continue
        mistakes.append(
            {
                "id": case.id,
                "question": case.question,
                "expected_route": case.expected_route,
                "expected_script": case.expected_script,
                "route": j.route,
                "script": j.script_id,
                "confidence": j.confidence,
                "top_similarity": j.top_similarity,
                "reason": j.reason,
            }
        )
    return mistakes


def _route_right(case: EvalCase, j: Judged) -> bool:
    expected = case.expected_route
    if expected == "script":
        return j.route in ("script", "escalate") and j.script_id == case.expected_script
    if expected == "escalate":
        return j.escalated
    if expected == "small_talk":
        return j.route == "small_talk"
    return j.route == "retrieval" and j.script_id is None


def _first_hit(case: EvalCase, j: Judged) -> int | None:
    """1-based rank of the first distinct document that is an expected source."""
    seen: list[str] = []
    for source in j.ranked_sources:
        if source[0] in seen:
            continue
        seen.append(source[0])
        if source_matches(source, case.expected_sources):
            return len(seen)
    return None


def _share(values) -> float | None:
    values = list(values)
    return sum(bool(v) for v in values) / len(values) if values else None
