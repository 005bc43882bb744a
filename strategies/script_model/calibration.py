"""Choosing the out-of-scope threshold on a validation split, and the figures that judge it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

from strategies.script_model.classifier import Thresholds

DEFAULT_IN_SCOPE_REJECTION = 0.03
# Share of out-of-scope validation messages the threshold must turn away.
DEFAULT_TARGET_OOS_RECALL = 0.9


def calibrate_threshold(
    in_scope_confidence: Sequence[float],
    oos_confidence: Sequence[float] = (),
    in_scope_rejection: float = DEFAULT_IN_SCOPE_REJECTION,
    target_oos_recall: float = DEFAULT_TARGET_OOS_RECALL,
) -> Thresholds:
    """Pick `min_confidence` from validation confidences.

    With out-of-scope validation messages: the lowest threshold that still turns away
    `target_oos_recall` of them. In-scope accuracy only falls as the threshold rises, so
    this is the threshold with the best in-scope accuracy at that recall. (Maximising
    accuracy + recall instead lets a few out-of-scope messages outweigh many in-scope
    ones, since there are usually far fewer of them.)
    Without them there is nothing to trade against, so the threshold is the
    `in_scope_rejection` quantile of the in-scope confidences: that share of in-scope
    messages (the least confident ones, which are also the most often wrong) goes to the
    fallback strategy instead."""
    confidence = np.asarray(in_scope_confidence, dtype=np.float64)
    oos = np.asarray(oos_confidence, dtype=np.float64)
    if confidence.size == 0:
        raise ValueError("calibration needs in-scope validation examples")
    if not 0.0 < target_oos_recall <= 1.0:
        raise ValueError(f"target_oos_recall must be in (0, 1], got {target_oos_recall}")
    if oos.size == 0:
        threshold = float(np.quantile(confidence, in_scope_rejection))
        return Thresholds(
            min_confidence=threshold,
            method="in_scope_quantile",
            validation_in_scope_rejection=float(np.mean(confidence < threshold)),
        )
    # Recall >= target means at least k out-of-scope confidences lie strictly below the threshold.
    ordered = np.sort(oos)
    k = max(1, int(np.ceil(target_oos_recall * oos.size - 1e-9)))
    threshold = float(np.nextafter(ordered[k - 1], np.inf))
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
