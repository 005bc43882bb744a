"""The regression gate: which drops fail, and baselines it must refuse."""

from __future__ import annotations

import json

import pytest

from strategies.evaluation import BaselineError, load_baseline, regressions, with_format


def summary(**router) -> dict:
    metrics = {"answer_accuracy": 0.8, "mrr@10": 0.6, "wrong_rate": 0.05, "p95_ms": 100.0, "script_accuracy": None, **router}
    return with_format({"script": None, "retrieval": {"mrr@10": 0.6}, "router": metrics, "n": 10})


def test_a_drop_beyond_the_tolerance_is_named():
    found = regressions(summary(), summary(**{"answer_accuracy": 0.77, "mrr@10": 0.59}), 0.02)
    assert [(r.strategy, r.metric) for r in found] == [("router", "answer_accuracy")]
    assert "router answer_accuracy dropped from 0.8 to 0.77" in str(found[0])


def test_lower_is_better_metrics_fail_when_they_rise():
    found = regressions(summary(), summary(wrong_rate=0.08, p95_ms=130.0), 0.02, latency_tolerance=0.25)
    assert {r.metric for r in found} == {"wrong_rate", "p95_ms"}
    assert "rose" in str(found[0])
    assert regressions(summary(), summary(p95_ms=120.0), 0.02, latency_tolerance=0.25) == []


def test_a_metric_that_disappeared_is_a_regression():
    found = regressions(summary(), summary(**{"mrr@10": None}), 0.02)
    assert [r.metric for r in found] == ["mrr@10"]


def test_baselines_from_another_format_are_refused(tmp_path):
    good = tmp_path / "good.json"
    good.write_text("progress noise\n" + json.dumps(summary()) + "\n")
    assert load_baseline(good)["router"]["answer_accuracy"] == 0.8
    old = tmp_path / "old.json"
    old.write_text(json.dumps({**summary(), "format_version": 0}))
    with pytest.raises(BaselineError, match="report format version 0; this supportbot writes version 1"):
        load_baseline(old)
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({"router": {}}))
    with pytest.raises(BaselineError, match="not a `supportbot eval --json` report"):
        load_baseline(foreign)
    broken = tmp_path / "broken.json"
    broken.write_text("{oops")
    with pytest.raises(BaselineError, match="not valid JSON"):
        load_baseline(broken)
