"""Choosing the out-of-scope threshold on a validation split, and the figures that judge it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

from strategies.script_model.classifier import Thresholds

DEFAULT_IN_SCOPE_REJECTION = 0.03


def calibrate_threshold(
    in_scope_confidence: Sequence[float],
    in_scope_correct: Sequence[bool],
    oos_confidence: Sequence[float] = (),
    in_scope_rejection: float = DEFAULT_IN_SCOPE_REJECTION,
) -> Thresholds:
    """Pick `min_confidence` from validation confidences.

    With out-of-scope validation messages: the threshold that maximises in-scope accuracy
    (a rejected in-scope message counts as wrong) plus out-of-scope recall, i.e. the point
    where letting one more in-scope message through costs as much as it gains.
    Without them there is nothing to trade against, so the threshold is the
    `in_scope_rejection` quantile of the in-scope confidences: that share of in-scope
    messages (the least confident ones, which are also the most often wrong) goes to the
    fallback strategy instead."""
    confidence = np.asarray(in_scope_confidence, dtype=np.float64)
    correct = np.asarray(in_scope_correct, dtype=bool)
    oos = np.asarray(oos_confidence, dtype=np.float64)
    if confidence.size == 0:
        raise ValueError("calibration needs in-scope validation examples")
    if oos.size == 0:
        threshold = float(np.quantile(confidence, in_scope_rejection))
        return Thresholds(
            min_confidence=threshold,
            method="in_scope_quantile",
            validation_in_scope_rejection=float(np.mean(confidence < threshold)),
        )
    candidates = np.unique(np.concatenate([confidence, oos, [0.0, 1.0 + 1e-9]]))
    accepted_correct = (confidence[None, :] >= candidates[:, None]) & correct[None, :]
    in_scope_accuracy = accepted_correct.mean(axis=1)
    oos_recall = (oos[None, :] < candidates[:, None]).mean(axis=1)
    score = in_scope_accuracy + oos_recall
    best = np.flatnonzero(score == score.max())
    # Ties form a run of candidates; cut halfway between the run's first value and the one below it.
    first = best[0]
    below = candidates[first - 1] if first > 0 else 0.0
    threshold = float((below + candidates[first]) / 2)
    return Thresholds(
        min_confidence=threshold,
        method="oos_validation",
        validation_in_scope_rejection=float(np.mean(confidence < threshold)),
        validation_oos_recall=float(np.mean(oos < threshold)),
    )


def auroc(in_scope_oos_scores: Sequence[float], oos_oos_scores: Sequence[float]) -> float:
    """Area under the ROC curve for telling out-of-scope (positive) from in-scope messages by score."""
    negatives = np.asarray(in_scope_oos_scores, dtype=np.float64)
    positives = np.asarray(oos_oos_scores, dtype=np.float64)
    if negatives.size == 0 or positives.size == 0:
        return float("nan")
    ranks = rankdata(np.concatenate([positives, negatives]))
    positive_rank_sum = ranks[: positives.size].sum()
    u = positive_rank_sum - positives.size * (positives.size + 1) / 2
    return float(u / (positives.size * negatives.size))
