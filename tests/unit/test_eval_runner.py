"""The evaluation runner and calibration over the real Router with canned model and retrieval scores."""

from __future__ import annotations

import pytest

from strategies.base import Question
from strategies.evaluation import CalibrationError, EvalCase, Evaluation, calibrate
from strategies.router import Policy
from strategies.script_strategy import ThresholdOverride, thresholds_dict
from tests.unit.eval_fakes import CannedModel, CannedRetrieval, script_strategy

CASES = [
    EvalCase("pw", "I forgot my password", "reset_password"),
    EvalCase("pro", "How much is Pro?", None, expected_sources=("plans.md",), expected_facts=("$15",)),
    EvalCase("bank", "How often do bank feeds refresh?", None, expected_sources=("bank.md",)),
    EvalCase("weather", "Will it rain tomorrow?", None, should_escalate=True),
    EvalCase("human", "talk to a human", None, should_escalate=True),
]
MODEL_SCORES = {
    "I forgot my password": ("reset_password", 0.9),
    "How much is Pro?": ("change_plan", 0.3),
    "How often do bank feeds refresh?": ("bank_sync_error", 0.6),  # confident enough at 0.5: the wrong route
    "Will it rain tomorrow?": ("reset_password", 0.2),
}
PASSAGES = {
    "How much is Pro?": [("plans.md", 0.8, "Pro costs $15 per month."), ("bank.md", 0.5, "Bank feeds refresh.")],
    "How often do bank feeds refresh?": [("bank.md", 0.7, "Bank feeds refresh automatically every 4 hours.")],
    "Will it rain tomorrow?": [("plans.md", 0.3, "Plans and prices.")],
}


def evaluation(min_confidence=0.5, min_similarity=0.45):
    model = CannedModel(MODEL_SCORES, min_confidence)
    retrieval = CannedRetrieval(PASSAGES, min_similarity)
    return Evaluation(retrieval, script_strategy(model)), model, retrieval


def test_each_strategy_is_judged_side_by_side():
    run, model, retrieval = evaluation()
    report = run.run(CASES)
    script, docs, router = report.metrics["script"], report.metrics["retrieval"], report.metrics["router"]

    assert router["n"] == 5
    assert router["answer_accuracy"] == pytest.approx(4 / 5)  # the bank question went to a script
    assert router["wrong_rate"] == pytest.approx(1 / 5)
    assert router["script_accuracy"] == 1.0
    assert router["recall@k"] == pytest.approx(1 / 2) and docs["recall@k"] == 1.0
    assert docs["mrr@10"] == 1.0 and docs["script_accuracy"] is None and script["recall@k"] is None
    assert script["oos_recall"] == pytest.approx(3 / 4)  # of the four unscripted cases only "bank" started one
    assert script["answer_accuracy"] == pytest.approx(3 / 5)  # pw, weather and human; the docs are beyond it
    assert docs["escalation_recall"] == 1.0 and docs["escalation_precision"] == pytest.approx(2 / 3, abs=1e-3)
    assert docs["fact_recall"] == 1.0 and docs["groundedness"] == 1.0
    assert [m["id"] for m in report.router_mistakes] == ["bank"]
    assert report.router_mistakes[0]["route"] == "script" and report.router_mistakes[0]["script"] == "bank_sync_error"
    assert report.route_confusion["retrieval"] == {"retrieval": 1, "script": 1}
    assert all(router[key] is not None for key in ("p50_ms", "p95_ms"))
    assert "recovered_after_decline" not in docs and "recovered_after_decline" not in script


def test_a_docs_question_that_started_a_script_is_answered_after_the_user_declines_it():
    run, _, retrieval = evaluation()
    router = run.run(CASES).metrics["router"]
    assert router["declined_scripts"] == 1  # "bank" started bank_sync_error
    assert router["recovered_after_decline"] == 1.0
    assert retrieval.asked.count("How often do bank feeds refresh?") == 1, "the decline reuses the replayed retrieval"


def test_a_decline_the_docs_cannot_answer_is_not_counted_as_recovered():
    passages = {**PASSAGES, "How often do bank feeds refresh?": [("bank.md", 0.3, "Bank feeds.")]}
    run = Evaluation(CannedRetrieval(passages), script_strategy(CannedModel(MODEL_SCORES, 0.5)))
    router = run.run(CASES).metrics["router"]
    assert router["declined_scripts"] == 1 and router["recovered_after_decline"] == 0.0


def test_the_model_and_retrieval_run_once_per_question():
    run, model, retrieval = evaluation()
    run.run(CASES)
    assert model.calls == 5  # "talk to a human" never reaches the model; the decline of "bank" does
    assert retrieval.calls == 4  # pw (no passages), pro, bank, weather


def test_without_a_script_model_the_script_column_is_absent():
    report = Evaluation(CannedRetrieval(PASSAGES), None).run(CASES)
    assert report.metrics["script"] is None and report.notes
    assert report.metrics["router"]["script_accuracy"] is None
    assert report.summary()["n"] == 5 and set(report.summary()) >= {"script", "retrieval", "router"}


def test_calibration_meets_the_wrong_answer_budget_and_matches_a_real_run():
    run, _, _ = evaluation()
    result = calibrate(run, CASES, max_wrong_rate=0.0)
    chosen = result.chosen
    assert chosen.wrong == 0 and chosen.correct == 5
    assert 0.6 < chosen.min_confidence <= 0.9
    assert result.current.min_confidence == 0.5 and result.current.wrong == 1

    # The arithmetic search must agree with the Router actually run at the chosen thresholds.
    router = run.router(chosen.min_confidence, chosen.min_similarity)
    judged = [run.answer(router, case, Policy.AUTO, "router") for case in CASES]
    assert sum(j.correct for j in judged) == chosen.correct and sum(j.wrong for j in judged) == chosen.wrong
    assert [p.wrong for p in result.frontier] == sorted(p.wrong for p in result.frontier)


def test_calibration_handles_confidences_below_zero():
    # A similarity-scored model's confidences can be negative: "always confident" must still include them.
    shifted = {text: (label, confidence - 1.0) for text, (label, confidence) in MODEL_SCORES.items()}
    run = Evaluation(CannedRetrieval(PASSAGES), script_strategy(CannedModel(shifted, min_confidence=-0.5)))
    chosen = calibrate(run, CASES, max_wrong_rate=0.0).chosen
    assert chosen.wrong == 0 and chosen.correct == 5
    assert -0.4 < chosen.min_confidence <= -0.1


def test_an_impossible_budget_says_what_is_possible():
    cases = [EvalCase("pro", "How much is Pro?", None, expected_sources=("bank.md",))]  # the docs always cite plans.md
    run, _, _ = evaluation()
    result = calibrate(run, cases, max_wrong_rate=0.0)
    assert result.chosen.wrong == 0 and result.chosen.correct == 0  # it abstains rather than answer wrongly
    with pytest.raises(CalibrationError, match=r"must be in \[0, 1\)"):
        calibrate(run, cases, max_wrong_rate=1.5)


def test_a_threshold_override_moves_only_the_cut_off():
    model = CannedModel(MODEL_SCORES, min_confidence=0.5)
    lowered = ThresholdOverride(model, 0.25, setting_id=7)
    prediction = lowered.predict("How much is Pro?")
    assert prediction.in_scope and prediction.label == "change_plan" and prediction.confidence == 0.3
    assert not ThresholdOverride(model, 0.95).predict("I forgot my password").in_scope
    recorded = thresholds_dict(lowered.thresholds)
    assert recorded == {
        "min_confidence": 0.25, "method": "eval_calibration", "model_min_confidence": 0.5, "setting_id": 7,
        "score": "probability",
    }
    assert lowered.labels == model.labels and lowered.version == model.version


def test_the_trace_routing_records_the_overridden_thresholds():
    run, _, _ = evaluation()
    answer = run.router(min_confidence=0.7).answer(Question("I forgot my password"))
    assert answer.routing["thresholds"]["min_confidence"] == 0.7
    assert answer.routing["thresholds"]["method"] == "eval_calibration"


def test_a_small_talk_case_is_right_when_the_router_replies_itself():
    run, _, _ = evaluation()
    greeting = EvalCase("hi", "hi there!", None, expected_small_talk=True)
    report = run.run([*CASES, greeting])
    judged = {j.case_id: j for j in report.judged["router"]}
    assert judged["hi"].route == "small_talk" and judged["hi"].correct and not judged["hi"].wrong
    assert report.route_confusion["small_talk"] == {"small_talk": 1}
    assert "hi" not in [m["id"] for m in report.router_mistakes]
    for alone in ("script", "retrieval"):  # a scripts-only or docs-only channel replies to small talk too
        assert {j.case_id: j for j in report.judged[alone]}["hi"].correct, alone
    docs_answer = run.run([EvalCase("pro", "How much is Pro?", None, expected_small_talk=True)])
    assert docs_answer.judged["router"][0].wrong, "a docs answer where small talk was expected is wrong"
    assert greeting.expected_route == "small_talk"
