"""Choosing the router's thresholds on an evaluation set: the script model's `min_confidence`
(below it a message is out of scope for the scripts) and retrieval's `min_similarity` (below
it the docs abstain), to answer as many cases correctly as possible while at most
`max_wrong_rate` of them get a wrong answer.

Each threshold only switches one thing per question: whether the script model counts as
confident (its confidence >= min_confidence) and whether retrieval passes (its best passage
similarity >= min_similarity). So the real Router runs four times per case (each switch on
and off) and any pair of thresholds is judged by picking, per case, the run whose switches
match; the search itself is arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from strategies.evaluation.cases import EvalCase
from strategies.evaluation.runner import Evaluation, Progress, question_of
from strategies.router import Policy

GRID_POINTS = 40


class CalibrationError(ValueError):
    pass


@dataclass
class CurvePoint:
    min_confidence: float | None
    min_similarity: float | None
    correct: int
    wrong: int
    n: int

    @property
    def answer_accuracy(self) -> float:
        return self.correct / self.n

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.n

    def to_dict(self) -> dict:
        return {
            "min_confidence": self.min_confidence,
            "min_similarity": self.min_similarity,
            "answer_accuracy": round(self.answer_accuracy, 4),
            "wrong_rate": round(self.wrong_rate, 4),
            "correct": self.correct,
            "wrong": self.wrong,
        }


@dataclass
class Calibration:
    chosen: CurvePoint
    current: CurvePoint
    max_wrong_rate: float
    frontier: list[CurvePoint] = field(default_factory=list)  # best accuracy for each wrong rate, ascending

    def to_dict(self) -> dict:
        return {
            "max_wrong_rate": self.max_wrong_rate,
            "chosen": self.chosen.to_dict(),
            "current": self.current.to_dict(),
            "frontier": [p.to_dict() for p in self.frontier],
        }


def calibrate(
    evaluation: Evaluation,
    cases: Sequence[EvalCase],
    max_wrong_rate: float,
    progress: Progress | None = None,
) -> Calibration:
    if not 0.0 <= max_wrong_rate < 1.0:
        raise CalibrationError(f"--max-wrong-rate must be in [0, 1), got {max_wrong_rate}")
    if not cases:
        raise CalibrationError("calibration needs cases")
    has_scripts = evaluation.scripts is not None
    has_threshold = evaluation.retrieval.has_threshold
    if not has_scripts and not has_threshold:
        raise CalibrationError("nothing to calibrate: no script model is active and retrieval has no threshold")
    n = len(cases)
    correct = np.zeros((2, 2, n), dtype=bool)  # [script confident][retrieval passes][case]
    wrong = np.zeros((2, 2, n), dtype=bool)
    confidence = np.zeros(n)
    similarity = np.zeros(n)
    variants = {
        (c, s): evaluation.router(
            min_confidence=(-math.inf if c else math.inf) if has_scripts else None,
            min_similarity=(-math.inf if s else math.inf) if has_threshold else None,
        )
        for c in (0, 1)
        for s in (0, 1)
    }
    for i, case in enumerate(cases):
        for (c, s), router in variants.items():
            judged = evaluation.answer(router, case, Policy.AUTO, "router")
            correct[c, s, i], wrong[c, s, i] = judged.correct, judged.wrong
        if has_scripts:
            confidence[i] = evaluation.scripts.model.predict(case.question).confidence  # replayed: no new work
        raw = evaluation.retrieval.raw(question_of(case))
        similarity[i] = raw.scores.get("top_similarity", 0.0)
        if progress:
            progress(i + 1, n)

    current_c = _current_confidence(evaluation) if has_scripts else None
    current_s = evaluation.retrieval.min_similarity if has_threshold else None
    c_grid = _grid(confidence, current_c) if has_scripts else [None]
    s_grid = _grid(similarity, current_s) if has_threshold else [None]
    c_on = np.array([[True] * n if c is None else confidence >= c for c in c_grid])  # (C, n)
    s_on = np.array([[True] * n if s is None else similarity >= s for s in s_grid])  # (S, n)
    if not has_scripts:
        c_on[:] = False
    idx_c = c_on[:, None, :].astype(int)
    idx_s = s_on[None, :, :].astype(int)
    cases_axis = np.arange(n)[None, None, :]
    right = correct[idx_c, idx_s, cases_axis].sum(axis=2)  # (C, S)
    bad = wrong[idx_c, idx_s, cases_axis].sum(axis=2)

    points = [
        CurvePoint(c_grid[a], s_grid[b], int(right[a, b]), int(bad[a, b]), n)
        for a in range(len(c_grid))
        for b in range(len(s_grid))
    ]
    allowed = [p for p in points if p.wrong <= max_wrong_rate * n + 1e-9]
    if not allowed:
        fewest = min(points, key=lambda p: p.wrong)
        raise CalibrationError(
            f"no thresholds keep wrong answers at or below {max_wrong_rate:.1%}: the fewest wrong answers "
            f"possible on this set is {fewest.wrong_rate:.1%} (min_confidence {fewest.min_confidence}, "
            f"min_similarity {fewest.min_similarity})"
        )
    chosen = max(allowed, key=lambda p: (p.correct, -p.wrong, _conservative(p)))
    current = _point_at(points, current_c, current_s)
    return Calibration(chosen=chosen, current=current, max_wrong_rate=max_wrong_rate, frontier=_frontier(points))


def _current_confidence(evaluation: Evaluation) -> float | None:
    assert evaluation.scripts is not None
    value = getattr(evaluation.scripts.model.thresholds, "min_confidence", None)
    return float(value) if value is not None else None


def _grid(values: np.ndarray, current: float | None) -> list[float]:
    """Quantiles of the observed scores (a threshold between two observed values changes
    nothing), the current threshold, and one that lets everything through."""
    quantiles = np.quantile(values, np.linspace(0.0, 1.0, GRID_POINTS + 1)) if values.size else np.array([])
    grid = {round(float(v), 4) for v in quantiles}
    grid.add(round(float(values.min()) - 1e-3, 4) if values.size else 0.0)
    grid.add(round(float(values.max()) + 1e-3, 4) if values.size else 1.0)
    if current is not None and math.isfinite(current):
        grid.add(float(current))
    return sorted(grid)


def _point_at(points: list[CurvePoint], c: float | None, s: float | None) -> CurvePoint:
    exact = [p for p in points if p.min_confidence == c and p.min_similarity == s]
    if exact:
        return exact[0]
    return min(points, key=lambda p: abs((p.min_confidence or 0) - (c or 0)) + abs((p.min_similarity or 0) - (s or 0)))


def _conservative(point: CurvePoint) -> tuple[float, float]:
    return (point.min_confidence or 0.0, point.min_similarity or 0.0)


def _frontier(points: list[CurvePoint]) -> list[CurvePoint]:
    best: dict[int, CurvePoint] = {}
    for point in points:
        held = best.get(point.wrong)
        if held is None or (point.correct, _conservative(point)) > (held.correct, _conservative(held)):
            best[point.wrong] = point
    frontier, top = [], -1
    for wrong_count in sorted(best):
        point = best[wrong_count]
        if point.correct > top:
            frontier.append(point)
            top = point.correct
    return frontier
