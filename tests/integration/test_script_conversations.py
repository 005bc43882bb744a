"""Scripts followed across turns through the answer service, with the router choosing between
the script model, retrieval and a person, and every decision in the trace."""

from __future__ import annotations

import uuid

import pytest

from bot.channel_policies import ChannelPolicies
from bot.chat_actions import ALREADY_WITH_HUMAN, JUST_ASKING, MovedOn, UnknownTrace
from bot.container import Container
from bot.db.models import AnswerTrace, Conversation
from bot.messages import Action, IncomingMessage, Outcome, Reply
from strategies.conversation_signals import declines_the_script
from strategies.router import JUST_ASKING_HINT, MISREAD

pytestmark = pytest.mark.slow


class Chat:
    def __init__(self, container: Container, channel: str = "test") -> None:
        self.container, self.channel, self.thread = container, channel, uuid.uuid4().hex

    def say(self, text: str) -> Reply:
        message = IncomingMessage(channel=self.channel, conversation_key=self.thread, user_id="u1", text=text)
        return self.container.answer_service.handle(message)

    def conversation(self) -> Conversation:
        with self.container.sessions() as session:
            from sqlalchemy import select

            return session.scalar(select(Conversation).where(Conversation.external_key == self.thread))


def trace(container: Container, reply: Reply) -> AnswerTrace:
    with container.sessions() as session:
        row = session.get(AnswerTrace, reply.trace_id)
        row.evidence  # noqa: B018 - load before the session closes
        return row


def test_a_confident_match_starts_the_script_and_the_trace_shows_why(scripted):
    chat = Chat(scripted)
    reply = chat.say("I forgot my password and can't log in")
    assert reply.outcome is Outcome.ANSWERED
    assert "single sign-on" in reply.text
    row = trace(scripted, reply)
    assert (row.strategy, row.script_id, row.script_model_version) == ("script", "reset_password", "v-test")
    routing = row.routing
    assert (routing["policy"], routing["route"]) == ("auto", "script")
    model, thresholds = routing["script_model"], routing["thresholds"]
    assert model["label"] == "reset_password" and model["in_scope"]
    assert model["ranked"][0][0] == "reset_password"
    assert thresholds == scripted.script_models.active().thresholds, "thresholds come from the model's calibration"
    assert model["confidence"] >= thresholds["min_confidence"]
    assert chat.conversation().script_state["step_id"] == "check_sso"


def test_the_script_state_lives_in_the_database_so_a_restart_loses_nothing(scripted):
    chat = Chat(scripted)
    chat.say("I forgot my password")
    second = chat.say("no, I use a normal password")
    assert "Send reset link" in second.text and "Did the reset email arrive?" in second.text

    restarted = Container(scripted.settings)  # a new process: nothing shared but the database
    chat.container = restarted
    try:
        last = chat.say("no it never came")
    finally:
        restarted.engine.dispose()
    assert last.outcome is Outcome.ESCALATED and "spam folder" in last.text
    assert trace(scripted, last).routing["reason"] == "script reset_password ends with a person"
    conversation = chat.conversation()
    assert conversation.handled_by == "human" and conversation.script_state is None


def test_each_script_turn_is_traced_with_the_script_version_steps_slots_and_end(scripted):
    chat = Chat(scripted)
    turns = [trace(scripted, chat.say(text)).routing["script_turn"]
             for text in ("I forgot my password", "no, I use a normal password", "no it never came")]
    version = scripted.scripts.scripts["reset_password"].fingerprint
    assert turns[0] == {"script": "reset_password", "version": version, "started": True, "steps": ["check_sso"],
                        "filled": {}, "slots": {}, "waits_at": "check_sso", "choices": ["Yes", "No"], "end": None}
    assert turns[1] == {"script": "reset_password", "version": version, "started": False, "steps": ["send_link", "arrived"],
                        "filled": {"uses_sso": "no"}, "slots": {"uses_sso": "no"}, "waits_at": "arrived", "choices": ["Yes", "No"],
                        "end": None}
    assert (turns[2]["filled"], turns[2]["waits_at"], turns[2]["choices"], turns[2]["end"]) == (
        {"email_arrived": "no"}, None, [], "escalate")

    stopped = Chat(scripted)
    stopped.say("I forgot my password")
    assert trace(scripted, stopped.say("never mind")).routing["script_turn"]["end"] == "stopped"
    docs = trace(scripted, Chat(scripted).say("How much does the Business plan cost per year?"))
    assert "script_turn" not in docs.routing and "started_script" not in docs.routing


def test_documentation_questions_go_to_retrieval_with_the_script_scores_kept(scripted):
    reply = Chat(scripted).say("How much does the Business plan cost per year?")
    assert reply.outcome is Outcome.ANSWERED and "$372" in reply.text and reply.citations
    routing = trace(scripted, reply).routing
    assert routing["route"] == "retrieval" and routing["reason"] == "no confident script match"
    assert not routing["script_model"]["in_scope"] or (
        routing["script_model"]["confidence"] < routing["thresholds"]["min_confidence"]
    )
    assert routing["retrieval"]["top_similarity"] >= routing["retrieval"]["min_similarity"]


def test_the_user_can_change_topic_to_another_script(scripted):
    chat = Chat(scripted)
    chat.say("I forgot my password")
    reply = chat.say("actually I was charged twice on my card this month")
    row = trace(scripted, reply)
    assert row.script_id == "duplicate_charge"
    assert row.routing["reason"] == "changed topic from reset_password"
    assert row.routing["left_script"] == "reset_password" and row.routing["script_turn"]["started"]
    assert chat.conversation().script_state["script_id"] == "duplicate_charge"


def test_a_new_question_mid_script_leaves_the_script_for_the_docs(scripted):
    chat = Chat(scripted)
    chat.say("I forgot my password")
    reply = chat.say("How many days is the free trial?")
    row = trace(scripted, reply)
    assert row.strategy == "retrieval" and "14-day" in reply.text
    assert row.routing["left_script"] == "reset_password"
    assert chat.conversation().script_state is None


def test_asking_for_a_person_mid_script_hands_over(scripted):
    chat = Chat(scripted)
    chat.say("I forgot my password")
    reply = chat.say("just let me talk to a human")
    assert reply.outcome is Outcome.ESCALATED and reply.actions == []
    assert trace(scripted, reply).routing["left_script"] == "reset_password"
    assert chat.conversation().handled_by == "human"
    assert chat.say("hello?").outcome is Outcome.WITH_HUMAN


def test_stop_leaves_the_script(scripted):
    chat = Chat(scripted)
    chat.say("I forgot my password")
    reply = chat.say("never mind")
    assert "stopped" in reply.text and trace(scripted, reply).routing["reason"] == "the user stopped the script"
    assert chat.conversation().script_state is None


def test_a_script_started_by_a_question_says_how_to_get_the_docs_answer_instead(scripted):
    asked = Chat(scripted).say("how do I reset my password? I forgot it")
    assert asked.text.endswith(JUST_ASKING_HINT) and asked.actions[0] is Action.JUST_ASKING
    assert declines_the_script("just asking") == "", "the hint names a phrase the router understands"
    assert declines_the_script(JUST_ASKING) == "", "so does the message the Just asking button sends"
    told = Chat(scripted).say("I forgot my password")
    assert JUST_ASKING_HINT not in told.text, "a request, not a question: no hint"
    assert Action.JUST_ASKING not in told.actions


def test_just_asking_is_the_next_message_of_the_answers_conversation_while_its_script_waits(scripted):
    chat = Chat(scripted)
    asked = chat.say("how do I reset my password? I forgot it")
    message = scripted.chat_actions.just_asking(asked.trace_id, "u2")
    assert (message.channel, message.conversation_key, message.user_id, message.text) == ("test", chat.thread, "u2", JUST_ASKING)

    scripted.chat_actions.talk_to_human(asked.trace_id, "u1")
    with pytest.raises(MovedOn) as refused:
        scripted.chat_actions.just_asking(asked.trace_id, "u2")
    assert refused.value.text == ALREADY_WITH_HUMAN, "a person has the conversation now"
    with pytest.raises(UnknownTrace):
        scripted.chat_actions.just_asking("f" * 32, "u2")


def test_a_yes_no_or_choice_question_offers_its_answers_and_a_pressed_one_is_the_users_reply(scripted):
    chat = Chat(scripted)
    asked = chat.say("I forgot my password")
    assert asked.choices == ["Yes", "No"], "the first step asks yes/no"
    assert trace(scripted, asked).routing["script_turn"]["choices"] == ["Yes", "No"]
    with pytest.raises(MovedOn):  # a crafted answer the question did not offer is not sent
        scripted.chat_actions.script_answer(asked.trace_id, "u1", "Maybe")
    message = scripted.chat_actions.script_answer(asked.trace_id, "u1", "No")
    assert (message.conversation_key, message.text, message.pressed) == (chat.thread, "No", Action.ANSWER)

    sent_link = scripted.answer_service.handle(message)
    assert "Forgot password?" in sent_link.text and sent_link.choices == ["Yes", "No"], "the next question: did it arrive?"
    assert trace(scripted, sent_link).routing["script_turn"]["filled"] == {"uses_sso": "no"}
    assert trace(scripted, sent_link).routing["pressed"] == "answer"
    with pytest.raises(MovedOn):  # the conversation has moved past the first question
        scripted.chat_actions.script_answer(asked.trace_id, "u1", "Yes")
    assert scripted.chat_actions.without_reply_buttons(asked.trace_id, "test").choices == []
    ended = chat.say("yes")
    assert ended.choices == [] and Chat(scripted).say("Which currencies can I invoice in?").choices == [], \
        "a script that ended, or an answer from the docs, offers none"


def test_the_answer_under_a_pressed_just_asking_reads_the_same_without_the_button(scripted):
    asked = Chat(scripted).say("how do I reset my password? I forgot it")
    after = scripted.chat_actions.without_reply_buttons(asked.trace_id, "test")
    assert (after.text, after.outcome, after.trace_id, after.citations) == (asked.text, asked.outcome, asked.trace_id, asked.citations)
    assert after.actions == [a for a in asked.actions if a is not Action.JUST_ASKING]
    docs = Chat(scripted).say("Which currencies can I invoice in?")
    assert docs.citations and scripted.chat_actions.without_reply_buttons(docs.trace_id, "test").citations == docs.citations
    with pytest.raises(UnknownTrace):  # a click crafted in another conversation's channel does not rewrite anything
        scripted.chat_actions.without_reply_buttons(asked.trace_id, "teams:t1/19:other")


def test_not_what_i_meant_stops_the_script_and_answers_the_opening_question_from_the_docs(scripted):
    chat = Chat(scripted)
    first = chat.say("I forgot my password")
    assert trace(scripted, first).script_id == "reset_password"
    reply = chat.say("no, I was only asking")  # would otherwise fill the yes/no slot with "no"
    row = trace(scripted, reply)
    assert reply.outcome is Outcome.ANSWERED and reply.text.startswith(MISREAD) and reply.citations
    assert row.strategy == "retrieval" and row.routing["declined_script"] == "reset_password"
    assert row.routing["declined_opening"] == "I forgot my password"
    assert row.routing["reason"] == "the user said script reset_password was not what they meant"
    assert "pressed" not in row.routing, "typed, not a Just asking click"
    assert any("password" in e.text.lower() for e in row.evidence if e.citation), "the docs are searched for the opening question"
    assert chat.conversation().script_state is None


def test_the_question_the_user_meant_is_answered_instead_of_the_opening(scripted):
    chat = Chat(scripted)
    chat.say("I forgot my password")
    reply = chat.say("sorry, not what I meant. How many days is the free trial?")
    assert reply.outcome is Outcome.ANSWERED and "14-day" in reply.text
    assert trace(scripted, reply).routing["declined_script"] == "reset_password"


def test_a_declined_script_whose_question_the_docs_cannot_answer_goes_to_a_person(scripted):
    chat = Chat(scripted)
    chat.say("I forgot my password")
    reply = chat.say("no, I was just asking: what is the best pizza place in Rome?")
    row = trace(scripted, reply)
    assert reply.outcome is Outcome.ESCALATED and row.routing["declined_script"] == "reset_password"
    assert "retrieval abstained" in row.routing["reason"] and chat.conversation().script_state is None


def test_a_declined_script_in_a_script_only_channel_goes_to_a_person(scripted):
    ChannelPolicies(scripted.sessions).set("scripts-only-decline", "script", updated_by="test")
    chat = Chat(scripted, "scripts-only-decline")
    chat.say("I forgot my password")
    reply = chat.say("that's not what I meant")
    routing = trace(scripted, reply).routing
    assert reply.outcome is Outcome.ESCALATED and routing["declined_script"] == "reset_password"
    assert "scripts only" in routing["reason"] and "retrieval" not in routing
    assert chat.conversation().script_state is None


def test_answers_that_do_not_fit_are_asked_again_then_a_person_takes_over(scripted):
    chat = Chat(scripted)
    chat.say("I forgot my password")
    first = chat.say("banana")
    assert "yes or no" in first.text and chat.conversation().script_state["attempts"] == 1
    chat.say("purple")
    last = chat.say("banana")
    assert last.outcome is Outcome.ESCALATED and chat.conversation().handled_by == "human"


def test_a_script_that_ends_in_retrieval_answers_from_the_docs(scripted):
    chat = Chat(scripted)
    first = chat.say("my bank feed stopped syncing")
    assert trace(scripted, first).script_id == "bank_sync_error"
    chat.say("no code")
    reply = chat.say("missing")
    row = trace(scripted, reply)
    assert (row.strategy, row.script_id) == ("retrieval", "bank_sync_error")
    assert "help center" in reply.text and reply.citations, "the script's words, then a cited answer"
    assert row.evidence and chat.conversation().script_state is None


def test_a_script_only_channel_sends_what_no_script_covers_to_a_person(scripted):
    ChannelPolicies(scripted.sessions).set("scripts-only", "script", updated_by="test")
    reply = Chat(scripted, "scripts-only").say("How much does Pro cost?")
    assert reply.outcome is Outcome.ESCALATED
    routing = trace(scripted, reply).routing
    assert routing["policy"] == "script" and "scripts only" in routing["reason"]


def test_a_retrieval_only_channel_never_follows_scripts(scripted):
    ChannelPolicies(scripted.sessions).set("docs-only", "retrieval", updated_by="test")
    reply = Chat(scripted, "docs-only").say("I forgot my password")
    row = trace(scripted, reply)
    assert row.strategy == "retrieval" and row.script_id is None and "script_model" not in row.routing


def test_small_talk_is_answered_and_traced_without_reaching_the_support_queue(scripted):
    chat = Chat(scripted)
    for text, kind in [("hi!", "greeting"), ("what can you do?", "capabilities"), ("thanks", "thanks"), ("bye", "goodbye")]:
        reply = chat.say(text)
        assert reply.outcome is Outcome.ANSWERED and reply.actions == [] and reply.citations == []
        row = trace(scripted, reply)
        assert (row.strategy, row.routing["route"], row.routing["small_talk"]) == ("small_talk", "small_talk", kind)
        assert row.answer == reply.text
    assert "• Reset a forgotten password" in trace(scripted, chat.say("help")).answer
    conversation = chat.conversation()
    assert conversation.handled_by != "human" and not escalations_of(scripted, conversation.id)


def test_thanks_mid_script_keeps_the_scripts_place_in_the_database(scripted):
    chat = Chat(scripted)
    chat.say("I forgot my password")
    waiting = chat.conversation().script_state
    reply = chat.say("thanks!")
    assert reply.text.startswith("You're welcome!") and "single sign-on" in reply.text
    assert reply.choices == ["Yes", "No"] and chat.conversation().script_state == waiting


def test_yes_to_the_bots_offer_of_a_person_hands_the_conversation_over(scripted):
    offered = Chat(scripted)
    assert "bring in a person" in offered.say("what's the weather in paris tomorrow?").text
    reply = offered.say("yes please")
    assert reply.outcome is Outcome.ESCALATED and reply.actions == []
    assert trace(scripted, reply).routing["reason"] == "the user said yes to the offer of a person"
    assert offered.conversation().handled_by == "human"
    declined = Chat(scripted)
    declined.say("what's the weather in paris tomorrow?")
    assert declined.say("no thanks").outcome is Outcome.ANSWERED
    assert declined.conversation().handled_by != "human"


def escalations_of(container: Container, conversation_id: int) -> list:
    from sqlalchemy import select

    from bot.db.models import Escalation

    with container.sessions() as session:
        return list(session.scalars(select(Escalation).where(Escalation.conversation_id == conversation_id)))


def test_follow_ups_look_back_only_to_the_threads_last_new_topic(scripted):
    chat = Chat(scripted)
    chat.say("How much does Pro cost?")
    chat.say("I forgot my password")  # a script's opening starts a topic
    assert trace(scripted, chat.say("no")).history[0]["text"] == "I forgot my password"
    assert chat.conversation().script_state, "the script waits for the next answer"
    chat.say("How many days is the free trial?")  # asked while it waits: the script is left
    follow_up = trace(scripted, chat.say("Can I extend it?"))
    assert [t["text"] for t in follow_up.history if t["role"] == "user"] == ["How many days is the free trial?"]
