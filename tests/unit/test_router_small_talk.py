"""The router answers small talk itself: no docs search, no escalation, and a script in progress
keeps its place (it asks its question again) unless the user says goodbye."""

from __future__ import annotations

from strategies.base import HistoryTurn, Question
from strategies.router import USER_ACCEPTED_A_PERSON, USER_STOPPED, Policy, Router
from strategies.small_talk import SMALL_TALK, SmallTalkReplies
from tests.unit.eval_fakes import CannedModel, CannedRetrieval, script_strategy

REFUND = "I want a refund"
PRICE = "How much does Pro cost?"
PASSAGES = {PRICE: [("plans.md", 0.8, "Pro costs $15 per month.")], f"thanks {PRICE}": [("plans.md", 0.8, "Pro costs $15.")]}


def router(model: CannedModel | None = None) -> Router:
    model = model or CannedModel({REFUND: ("request_refund", 0.9)})
    return Router(CannedRetrieval(PASSAGES), script_strategy(model), SmallTalkReplies("Tallyo"))


def refund_in_progress(routed: Router) -> dict:
    started = routed.answer(Question(REFUND))
    assert started.script_state and started.script_state["step_id"] == "check_timing"
    return started.script_state


def test_a_greeting_gets_a_greeting_without_a_search_or_an_escalation():
    model, retrieval = CannedModel({}), CannedRetrieval(PASSAGES)
    answer = Router(retrieval, script_strategy(model), SmallTalkReplies("Tallyo")).answer(Question("hi there!"))
    assert answer.strategy == SMALL_TALK and "the Tallyo support bot" in answer.text
    assert not answer.escalate and not answer.handoff and answer.script_state is None
    assert (answer.routing["route"], answer.routing["small_talk"]) == ("small_talk", "greeting")
    assert retrieval.calls == 0


def test_a_teams_own_script_for_a_greeting_wins_over_the_built_in_reply():
    answer = router(CannedModel({"hi": ("talk_to_sales", 0.9)})).answer(Question("hi"))
    assert (answer.strategy, answer.script_id) == ("script", "talk_to_sales")


def test_thanks_after_a_docs_answer_is_not_searched_again_with_the_thread():
    history = (HistoryTurn("user", PRICE), HistoryTurn("bot", "Pro costs $15 per month. [1]"))
    retrieval = CannedRetrieval(PASSAGES)
    answer = Router(retrieval, script_strategy(CannedModel({}))).answer(Question("thanks!", history))
    assert answer.strategy == SMALL_TALK and answer.text.startswith("You're welcome")
    assert retrieval.calls == 0


def test_what_can_you_do_lists_the_scripts_the_channel_follows():
    routed = router()
    titles = [script.title for script in routed._scripts.engine.scripts.values()]
    auto = routed.answer(Question("what can you do?"))
    assert "help center" in auto.text and all(f"• {title}" in auto.text for title in titles)
    docs_only = routed.answer(Question("what can you do?"), Policy.RETRIEVAL)
    assert "help center" in docs_only.text and "•" not in docs_only.text
    scripts_only = routed.answer(Question("what can you do?"), Policy.SCRIPT)
    assert "help center" not in scripts_only.text and f"• {titles[0]}" in scripts_only.text
    assert not scripts_only.escalate, "a scripts-only channel answers small talk too"


def test_a_question_that_opens_with_a_greeting_is_answered_as_a_question():
    answer = router().answer(Question(f"hi, {PRICE}"))
    assert answer.strategy != SMALL_TALK and "small_talk" not in answer.routing


def test_thanks_in_the_middle_of_a_script_asks_its_question_again_and_keeps_its_place():
    routed = router()
    state = refund_in_progress(routed)
    state["attempts"] = 1  # one answer already did not fit
    answer = routed.answer(Question("thanks!", script_state=state))
    assert answer.text.startswith("You're welcome!") and "within the last 14 days" in answer.text
    assert answer.script_state == state, "nothing answered, no attempt counted"
    assert answer.script_choices == ("Yes", "No")
    assert answer.routing["small_talk"] == "thanks" and answer.routing["route"] == "script"
    assert answer.routing["script_turn"]["waits_at"] == "check_timing"


def test_a_greeting_in_the_middle_of_a_free_text_question_is_not_taken_as_the_answer():
    routed = router()
    state = {**refund_in_progress(routed), "step_id": "ask_workspace", "slots": {"timing": "yes"}}
    answer = routed.answer(Question("hello?", script_state=state))
    assert answer.text.startswith("Hi!") and answer.script_state == state and answer.script_filled == {}


def test_an_ok_still_answers_a_yes_or_no_question():
    routed = router()
    answer = routed.answer(Question("ok", script_state=refund_in_progress(routed)))
    assert answer.script_filled == {"within_14_days": "yes"} and answer.script_state["step_id"] == "check_owner"


def test_a_goodbye_in_the_middle_of_a_script_ends_it():
    routed = router()
    answer = routed.answer(Question("thanks, bye", script_state=refund_in_progress(routed)))
    assert answer.text.startswith("Bye") and answer.script_state is None
    assert answer.routing["reason"] == USER_STOPPED and answer.routing["script_turn"]["end"] == "stopped"


def test_yes_to_the_offer_of_a_person_hands_over_and_a_bare_yes_does_not():
    routed = router()
    accepted = routed.answer(Question("yes please", bot_offered_a_person=True))
    assert accepted.handoff and accepted.escalate and accepted.routing["reason"] == USER_ACCEPTED_A_PERSON
    bare = routed.answer(Question("yes please"))
    assert bare.strategy == SMALL_TALK and not bare.escalate and bare.text.startswith("Sure")
    declined = routed.answer(Question("no thanks", bot_offered_a_person=True))
    assert declined.strategy == SMALL_TALK and not declined.escalate
