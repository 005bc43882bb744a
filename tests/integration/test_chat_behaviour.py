"""One behaviour suite for every chat, so Slack and Teams cannot drift apart. Each case runs
against the real web app on 127.0.0.1, driven the way the chat drives it (signed Slack
requests; Bot Framework activities with real JWTs), with replies captured by a local fake of
the chat's API. Drivers: tests/chat_drivers/."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import select

from bot.chat_actions import JUST_ASKING, MOVED_ON
from bot.db.models import AnswerFeedback, AnswerTrace, ChannelPolicy, ChatDelivery, Conversation, Dispute, Escalation, Turn
from bot.delivery_ledger import FAILED
from bot.handoff import hand_back
from tests.chat_drivers.base import ChatDriver, running_driver, wait_until
from strategies.router import MISREAD
from tests.conftest import DATABASES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=DATABASES)
def database(request) -> str:
    return request.param


@pytest.fixture(scope="module", params=["slack", "teams"])
def driver(request, database, tmp_path_factory, example_script_model) -> ChatDriver:
    yield from running_driver(request.param, database, tmp_path_factory, example_script_model)


def settle(seconds: float = 1.0) -> None:
    """Time for a background answer that should not come to show up, if it wrongly did."""
    time.sleep(seconds)


def test_a_question_gets_a_cited_answer_with_three_actions(driver):
    thread = driver.new_thread()
    assert driver.send(thread, "How much does the Pro plan cost?") == 200

    [answer] = wait_until(lambda: driver.bot_messages(thread))
    assert "$" in answer.text
    assert answer.sources and all(title for title, _url in answer.sources)
    assert any(url and url.startswith("https://help.tallyo.example") for _title, url in answer.sources)
    assert answer.actions == ["helpful", "not_right", "talk_to_human"]
    with driver.container.sessions() as session:
        trace = session.get(AnswerTrace, answer.trace_id)
        assert trace is not None and trace.channel.startswith(f"{driver.chat}:")
        assert trace.outcome == "answered"


def test_a_follow_up_in_the_thread_has_the_thread_as_context(driver):
    thread = driver.new_thread()
    driver.send(thread, "How much does the Pro plan cost?")
    wait_until(lambda: driver.bot_messages(thread))
    driver.send(thread, "and the Business plan?")

    first, follow_up = wait_until(lambda: len(driver.bot_messages(thread)) == 2 and driver.bot_messages(thread))
    with driver.container.sessions() as session:
        trace = session.get(AnswerTrace, follow_up.trace_id)
        assert [turn["text"] for turn in trace.history][:1] == ["How much does the Pro plan cost?"]
        assert "business" in trace.standalone_query.lower() and "plan" in trace.standalone_query.lower()
    assert follow_up.text != first.text


def test_helpful_is_recorded_against_the_trace_with_who(driver):
    thread = driver.new_thread()
    driver.send(thread, "How often do bank feeds refresh?")
    [answer] = wait_until(lambda: driver.bot_messages(thread))

    assert driver.click(answer, "helpful", user="bob") == 200
    feedback = wait_until(lambda: _rows(driver, AnswerFeedback, AnswerFeedback.trace_id == answer.trace_id))
    assert [(f.rating, f.user_id) for f in feedback] == [("helpful", driver.user_id("bob"))]
    assert feedback[0].created_at is not None
    wait_until(lambda: any("thanks" in t.lower() for t in driver.confirmations(thread)))


def test_not_right_opens_a_dispute_with_the_reason_given(driver):
    thread = driver.new_thread()
    driver.send(thread, "How much does the Pro plan cost?")
    [answer] = wait_until(lambda: driver.bot_messages(thread))

    assert driver.click(answer, "not_right", reason="outdated_doc", details="Prices changed in May") == 200
    [dispute] = wait_until(lambda: _rows(driver, Dispute, Dispute.trace_id == answer.trace_id))
    assert (dispute.reason, dispute.details, dispute.status) == ("outdated_doc", "Prices changed in May", "open")
    assert dispute.opened_by == driver.user_id("alice")
    ratings = _rows(driver, AnswerFeedback, AnswerFeedback.trace_id == answer.trace_id)
    assert [f.rating for f in ratings] == ["not_right"]
    # a person is asked to follow up, while the bot keeps answering in the thread
    notice = wait_until(lambda: [n for n in driver.notices() if "Pro plan cost" in n])[0]
    assert "disputed" in notice
    [escalation] = _rows(driver, Escalation, Escalation.trace_id == answer.trace_id)
    assert (escalation.reason, escalation.requested_by) == ("dispute", driver.user_id("alice"))
    driver.send(thread, "How often do bank feeds refresh?")
    assert wait_until(lambda: len(driver.bot_messages(thread)) == 2)


def test_talk_to_a_human_notifies_the_team_and_the_bot_stays_quiet_until_handed_back(driver):
    thread = driver.new_thread()
    driver.send(thread, "How often do bank feeds refresh?")
    [answer] = wait_until(lambda: driver.bot_messages(thread))

    assert driver.click(answer, "talk_to_human") == 200
    notice = wait_until(lambda: [n for n in driver.notices() if "bank feeds refresh" in n])[0]
    assert any(title in notice for title, _url in answer.sources)
    # the notice is marked sent once the chat API has taken it, a moment after it shows up there
    [escalation] = wait_until(
        lambda: [e for e in _rows(driver, Escalation, Escalation.trace_id == answer.trace_id) if e.notified_at]
    )
    assert (escalation.reason, escalation.requested_by) == ("user_request", driver.user_id("alice"))

    driver.send(thread, "hello? anyone there?")
    settle()
    assert len(driver.bot_messages(thread)) == 1

    hand_back(driver.container.sessions, escalation.conversation_id)
    driver.send(thread, "How often does the bank feed refresh?")
    wait_until(lambda: len(driver.bot_messages(thread)) == 2)


def test_just_asking_under_a_script_started_by_a_question_answers_it_from_the_docs(driver):
    thread = driver.new_thread()
    driver.send(thread, "how do I reset my password? I forgot it")
    [started] = wait_until(lambda: driver.bot_messages(thread))
    assert started.actions == ["just_asking", "helpful", "not_right", "talk_to_human"]

    assert driver.click(started, "just_asking", user="alice") == 200
    _, answered = wait_until(lambda: len(driver.bot_messages(thread)) == 2 and driver.bot_messages(thread))
    assert answered.text.startswith(MISREAD) and answered.sources
    assert answered.actions == ["helpful", "not_right", "talk_to_human"]
    pressed_under = wait_until(lambda: driver.updated(started))
    assert (pressed_under.text, pressed_under.trace_id) == (started.text, started.trace_id)
    assert pressed_under.actions == ["helpful", "not_right", "talk_to_human"], "the answered button is gone"
    with driver.container.sessions() as session:
        trace = session.get(AnswerTrace, answered.trace_id)
        assert trace.routing["declined_script"] == "reset_password" and trace.question == JUST_ASKING
        assert trace.routing["pressed"] == "just_asking"
        assert session.get(Turn, trace.question_turn_id).user_id == driver.user_id("alice")
        assert trace.routing["declined_opening"] == "how do I reset my password? I forgot it"
        assert session.get(Conversation, trace.conversation_id).script_state is None

    assert driver.click(started, "just_asking") == 200  # the conversation has moved on: nothing is answered
    wait_until(lambda: MOVED_ON in driver.confirmations(thread))
    settle()
    assert len(driver.bot_messages(thread)) == 2


def test_a_scripts_yes_no_question_is_answered_with_its_buttons(driver):
    thread = driver.new_thread()
    driver.send(thread, "I forgot my password")
    [asked] = wait_until(lambda: driver.bot_messages(thread))
    assert asked.choices == ["Yes", "No"] and asked.actions == ["helpful", "not_right", "talk_to_human"]

    assert driver.click_answer(asked, "No", user="alice") == 200
    _, next_step = wait_until(lambda: len(driver.bot_messages(thread)) == 2 and driver.bot_messages(thread))
    assert "Forgot password?" in next_step.text and next_step.choices == ["Yes", "No"]
    pressed_under = wait_until(lambda: driver.updated(asked))
    assert (pressed_under.text, pressed_under.choices) == (asked.text, []), "the answered buttons are gone"
    with driver.container.sessions() as session:
        trace = session.get(AnswerTrace, next_step.trace_id)
        assert (trace.question, trace.routing["pressed"]) == ("No", "answer")
        assert trace.routing["script_turn"]["filled"] == {"uses_sso": "no"}
        assert session.get(Turn, trace.question_turn_id).user_id == driver.user_id("alice")

    assert driver.click_answer(asked, "Yes") == 200  # pressed again under the old question: nothing is answered
    wait_until(lambda: MOVED_ON in driver.confirmations(thread))
    assert driver.click_answer(next_step, "Yes") == 200
    _, _, done = wait_until(lambda: len(driver.bot_messages(thread)) == 3 and driver.bot_messages(thread))
    assert done.text.startswith("Great!") and done.choices == []


def test_a_retried_delivery_is_answered_once(driver):
    thread = driver.new_thread()
    driver.send(thread, "Which currencies can I invoice in?")
    assert driver.resend_last() == 200
    assert driver.resend_last() == 200
    wait_until(lambda: driver.bot_messages(thread))
    settle()
    assert len(driver.bot_messages(thread)) == 1


def test_a_first_delivery_that_failed_is_answered_on_the_retry(driver):
    thread = driver.new_thread()
    failed_before = len(_rows(driver, ChatDelivery, ChatDelivery.status == FAILED))
    driver.fail_next_reply()
    driver.send(thread, "How do I export my invoices?")
    wait_until(lambda: len(_rows(driver, ChatDelivery, ChatDelivery.status == FAILED)) > failed_before)
    assert driver.bot_messages(thread) == []
    driver.resend_last()
    wait_until(lambda: driver.bot_messages(thread))
    settle()
    assert len(driver.bot_messages(thread)) == 1


def test_messages_from_bots_and_edits_are_ignored(driver, caplog):
    thread = driver.new_thread()
    driver.send(thread, "How much does the Pro plan cost?")
    wait_until(lambda: driver.bot_messages(thread))

    with caplog.at_level(logging.INFO):
        assert driver.send_as_bot(thread, "How much does the Business plan cost?") == 200
        assert driver.send_edit(thread, "How much does the Starter plan cost?") == 200
        settle()
    assert len(driver.bot_messages(thread)) == 1
    assert "ignored" in caplog.text.lower()


def test_a_huge_message_gets_a_clear_reply_and_no_answer(driver):
    thread = driver.new_thread()
    driver.send(thread, "why " * 25_000)
    [reply] = wait_until(lambda: driver.bot_messages(thread))
    assert "characters long" in reply.text and reply.actions == [] and reply.trace_id is None


def test_a_button_for_an_unknown_answer_is_refused_with_a_log_line(driver, caplog):
    with caplog.at_level(logging.WARNING):
        assert driver.click_forged("f" * 32, "talk_to_human") == 200  # handled after the response, in both chats
        wait_until(lambda: "unknown" in caplog.text.lower() or "no answer trace" in caplog.text.lower(), timeout_s=10)
    assert _rows(driver, Escalation, Escalation.trace_id == "f" * 32) == []


def test_admins_set_the_channel_strategy_and_others_may_not(driver):
    thread = driver.new_thread()
    assert "only supportbot admins" in driver.admin(thread, "strategy set retrieval", user="mallory").lower()
    reply = driver.admin(thread, "strategy set retrieval", user="alice")
    assert "retrieval" in reply
    driver.send(thread, "I forgot my password")
    [answer] = wait_until(lambda: driver.bot_messages(thread))
    with driver.container.sessions() as session:
        channel = session.get(AnswerTrace, answer.trace_id).channel
        policy = session.scalar(select(ChannelPolicy).where(ChannelPolicy.channel == channel))
        assert policy.policy == "retrieval" and policy.updated_by == driver.user_id("alice")
    assert "help-center: succeeded" in driver.admin(thread, "status", user="alice")


def _rows(driver: ChatDriver, model, *where) -> list:
    with driver.container.sessions() as session:
        return list(session.scalars(select(model).where(*where)))

