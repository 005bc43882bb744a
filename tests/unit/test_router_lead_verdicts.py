"""A lead's correction of an exact question decides the route, whatever the model's scores or an
admin's threshold say, and the trace says so."""

from __future__ import annotations

from strategies.base import Question
from strategies.router import LEAD_CHOSE_SCRIPT, LEAD_SAID_NOT_A_SCRIPT, Policy, Router
from strategies.script_strategy import ThresholdOverride
from tests.unit.eval_fakes import CannedModel, CannedRetrieval, script_strategy

ANNUAL_REFUNDS = "is there a refund policy for annual plans?"
CHARGED_TWICE = "the card got hit two times"
SCORES = {ANNUAL_REFUNDS: ("request_refund", 0.9), CHARGED_TWICE: ("duplicate_charge", 0.2)}
VERDICTS = {ANNUAL_REFUNDS: "out_of_scope", CHARGED_TWICE: "duplicate_charge"}
PASSAGES = {ANNUAL_REFUNDS: [("refunds.md", 0.8, "Annual plans are refunded pro rata within 30 days.")]}


def router(model: CannedModel) -> Router:
    return Router(CannedRetrieval(PASSAGES), script_strategy(model))


def test_a_question_a_lead_marked_not_a_script_is_answered_from_the_docs():
    answer = router(CannedModel(SCORES, verdicts=VERDICTS)).answer(Question(ANNUAL_REFUNDS))
    assert answer.strategy == "retrieval" and "pro rata" in answer.text
    routing = answer.routing
    assert (routing["route"], routing["reason"]) == ("retrieval", LEAD_SAID_NOT_A_SCRIPT)
    assert routing["script_model"]["verdict"] == "out_of_scope"
    assert routing["script_model"]["confidence"] == 0.9, "the model's own score stays in the trace"


def test_without_the_mark_the_same_scores_start_the_script():
    answer = router(CannedModel(SCORES)).answer(Question(ANNUAL_REFUNDS))
    assert answer.routing["route"] == "script" and answer.script_id == "request_refund"
    assert "verdict" not in answer.routing["script_model"]


def test_a_question_a_lead_said_needs_a_script_starts_it_below_the_threshold():
    answer = router(CannedModel(SCORES, verdicts=VERDICTS)).answer(Question(CHARGED_TWICE))
    assert (answer.routing["route"], answer.script_id) == ("script", "duplicate_charge")
    assert answer.routing["reason"] == LEAD_CHOSE_SCRIPT


def test_an_admins_threshold_does_not_overrule_a_lead_verdict():
    strict = script_strategy(CannedModel(SCORES, verdicts=VERDICTS))
    strict = strict.with_model(ThresholdOverride(strict.model, min_confidence=0.95))
    routed = Router(CannedRetrieval(PASSAGES), strict)
    assert routed.answer(Question(CHARGED_TWICE)).script_id == "duplicate_charge"
    assert routed.answer(Question(ANNUAL_REFUNDS)).routing["reason"] == LEAD_SAID_NOT_A_SCRIPT


def test_a_scripts_only_channel_hands_a_marked_question_to_a_person():
    answer = router(CannedModel(SCORES, verdicts=VERDICTS)).answer(Question(ANNUAL_REFUNDS), Policy.SCRIPT)
    assert answer.escalate and answer.routing["reason"] == f"{LEAD_SAID_NOT_A_SCRIPT}, and the channel uses scripts only"
