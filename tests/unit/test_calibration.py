import numpy as np
import pytest

from strategies.script_model import calibrate_threshold


def test_oos_threshold_is_the_lowest_that_reaches_the_target_recall():
    in_scope = [0.95, 0.9, 0.85, 0.6, 0.55, 0.4]
    oos = [0.1, 0.2, 0.3, 0.35, 0.5, 0.52, 0.7, 0.8, 0.45, 0.25]
    thresholds = calibrate_threshold(in_scope, oos, target_oos_recall=0.8)
    assert thresholds.method == "oos_validation"
    # 8 of 10 out-of-scope confidences must fall below: everything up to 0.52.
    assert 0.52 < thresholds.min_confidence < 0.55
    assert thresholds.validation_oos_recall == pytest.approx(0.8)
    assert thresholds.validation_in_scope_rejection == pytest.approx(1 / 6)


def test_a_few_out_of_scope_messages_do_not_outweigh_many_in_scope_ones():
    rng = np.random.default_rng(0)
    in_scope = rng.uniform(0.5, 1.0, size=3000)
    oos = np.concatenate([rng.uniform(0.0, 0.5, size=45), rng.uniform(0.9, 1.0, size=5)])
    thresholds = calibrate_threshold(in_scope, oos, target_oos_recall=0.9)
    assert thresholds.validation_oos_recall == pytest.approx(0.9)
    assert thresholds.validation_in_scope_rejection == 0.0


def test_full_recall_rejects_even_the_most_confident_out_of_scope_message():
    thresholds = calibrate_threshold([0.99, 0.7], [0.3, 0.8], target_oos_recall=1.0)
    assert 0.8 < thresholds.min_confidence < 0.99
    assert thresholds.validation_oos_recall == 1.0


def test_without_out_of_scope_examples_a_share_of_in_scope_is_let_go():
    confidence = np.linspace(0.0, 1.0, 101)
    thresholds = calibrate_threshold(confidence, in_scope_rejection=0.05)
    assert thresholds.method == "in_scope_quantile"
    assert thresholds.min_confidence == pytest.approx(0.05)


@pytest.mark.parametrize("target", [0.0, 1.5])
def test_a_target_recall_outside_zero_to_one_is_refused(target):
    with pytest.raises(ValueError, match="target_oos_recall"):
        calibrate_threshold([0.9], [0.1], target_oos_recall=target)


def test_no_in_scope_examples_is_refused():
    with pytest.raises(ValueError, match="in-scope"):
        calibrate_threshold([], [0.1])
