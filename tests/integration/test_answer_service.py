"""From a message to a grounded, cited reply with a stored trace, on the embedded default."""

import uuid

import pytest
from sqlalchemy import select

from bot.channel_policies import ChannelPolicies
from bot.db.models import AnswerTrace, Conversation, Turn
from bot.handoff import hand_back
from bot.messages import Action, IncomingMessage, Outcome
from bot.trace_queries import evidence_status, find_trace


def ask(container, text: str, thread: str | None = None):
    message = IncomingMessage(channel="test", conversation_key=thread or uuid.uuid4().hex, user_id="u1", text=text)
    return container.answer_service.handle(message)


def trace_of(container, reply) -> AnswerTrace:
    with container.sessions() as session:
        trace = find_trace(session, reply.trace_id)
        trace.evidence  # noqa: B018 - load before the session closes
        return trace


def test_answers_are_quoted_from_the_docs_with_citations(shared_synced):
    reply = ask(shared_synced, "How long is the password reset link valid?")
    assert reply.outcome is Outcome.ANSWERED
    assert "60 minutes" in reply.text
    assert reply.citations and reply.citations[0].number == 1
    assert "[1]" in reply.text
    assert any("password" in c.title.lower() or "password" in c.document_key for c in reply.citations)
    assert reply.actions == [Action.HELPFUL, Action.NOT_RIGHT, Action.TALK_TO_HUMAN]


def test_the_trace_records_what_the_bot_saw_before_the_reply(shared_synced):
    reply = ask(shared_synced, "Which banks are supported?")
    trace = trace_of(shared_synced, reply)
    assert trace.question == "Which banks are supported?" and trace.answer == reply.text
    assert (trace.strategy, trace.outcome, trace.generator) == ("retrieval", "answered", "extractive")
    assert trace.index_backend == "in-memory" and trace.index_version >= 1
    assert trace.embedding_model and trace.prompt is None and trace.model is None
    assert {"retrieve_ms", "generate_ms", "strategy_ms", "total_ms"} <= set(trace.timings_ms)
    assert trace.scores["top_similarity"] >= trace.scores["min_similarity"]
    ranks = [e.rank for e in trace.evidence]
    assert ranks == sorted(ranks) and len(ranks) == shared_synced.settings.max_evidence
    cited = [e for e in trace.evidence if e.citation is not None]
    assert [c.number for c in reply.citations] == sorted(e.citation for e in cited)
    for item in trace.evidence:
        assert item.text and item.content_hash and item.chunk_id and item.source in {"help-center", "faq"}
        assert item.fused_score > 0 and -1 <= item.similarity <= 1
    for number, citation in enumerate(reply.citations, start=1):
        quoted = next(e for e in cited if e.citation == number)
        assert citation.document_key == quoted.document_key


def test_follow_ups_use_the_thread_history(shared_synced):
    thread = uuid.uuid4().hex
    ask(shared_synced, "How do I connect my bank account?", thread)
    reply = ask(shared_synced, "How often does it refresh?", thread)
    assert reply.outcome is Outcome.ANSWERED and "4 hours" in reply.text
    trace = trace_of(shared_synced, reply)
    assert [t["role"] for t in trace.history] == ["user", "bot"]
    assert "connect my bank" in trace.standalone_query


@pytest.mark.parametrize(
    "question",
    ["What is the capital of France?", "Wie hoch ist die Kapitalertragsteuer in Bayern?", "asdf qwerty zxcv"],
)
def test_off_topic_questions_are_marked_for_a_person_instead_of_guessed(shared_synced, question):
    reply = ask(shared_synced, question)
    assert reply.outcome is Outcome.ESCALATED
    assert "not sure" in reply.text and "person" in reply.text
    assert reply.actions == [Action.TALK_TO_HUMAN] and reply.citations == []
    trace = trace_of(shared_synced, reply)
    assert trace.outcome == "escalated" and trace.abstain_reason.startswith("weak evidence")
    assert trace.routing["route"] == "escalate" and "retrieval abstained" in trace.routing["reason"]
    assert trace.routing["retrieval"]["top_similarity"] < trace.routing["retrieval"]["min_similarity"]
    assert trace.evidence  # what it looked at is kept even when it did not answer
    with shared_synced.sessions() as session:
        conversation = session.get(Conversation, trace.conversation_id)
        assert conversation.escalated_at is not None and conversation.handled_by == "bot"


def test_a_retrieval_only_channel_abstains_without_escalating(shared_synced):
    shared_synced.answer_service  # noqa: B018 - build before setting the policy
    ChannelPolicies(shared_synced.sessions).set("docs-only", "retrieval", updated_by="admin")
    message = IncomingMessage(channel="docs-only", conversation_key=uuid.uuid4().hex, user_id="u1",
                              text="What is the capital of France?")
    reply = shared_synced.answer_service.handle(message)
    assert reply.outcome is Outcome.ABSTAINED
    trace = trace_of(shared_synced, reply)
    assert trace.routing["policy"] == "retrieval" and trace.routing["route"] == "retrieval"
    assert "script_model" not in trace.routing


def test_asking_for_a_person_hands_the_conversation_over_and_the_bot_stays_quiet(shared_synced):
    thread = uuid.uuid4().hex
    reply = ask(shared_synced, "Can I talk to a real person please?", thread)
    assert reply.outcome is Outcome.ESCALATED and "person" in reply.text and reply.actions == []
    trace = trace_of(shared_synced, reply)
    assert (trace.strategy, trace.routing["route"]) == ("handoff", "escalate")
    assert trace.routing["reason"] == "the user asked for a person"

    quiet = ask(shared_synced, "How much does Pro cost?", thread)
    assert quiet.outcome is Outcome.WITH_HUMAN and quiet.text == "" and quiet.trace_id is None
    with shared_synced.sessions() as session:
        conversation = session.get(Conversation, trace.conversation_id)
        assert conversation.handled_by == "human"
        assert [t.text for t in conversation.turns][-1] == "How much does Pro cost?", "the person sees it"

    hand_back(shared_synced.sessions, trace.conversation_id)
    again = ask(shared_synced, "How much does Pro cost?", thread)
    assert again.outcome is Outcome.ANSWERED and "$15" in again.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "empty"), ("   \n\t", "empty"), ("\x00\x01\x02", "empty"), ("x" * 102_400, "102,400 characters")],
)
def test_unusable_messages_get_a_clear_reply_and_store_nothing(shared_synced, text, expected):
    with shared_synced.sessions() as session:
        turns_before = len(session.scalars(select(Turn)).all())
    reply = ask(shared_synced, text)
    assert reply.outcome is Outcome.REJECTED and expected in reply.text and reply.trace_id is None
    with shared_synced.sessions() as session:
        assert len(session.scalars(select(Turn)).all()) == turns_before


def test_control_characters_are_stripped_before_answering(shared_synced):
    reply = ask(shared_synced, "How much\x00 does\x1b the Pro\u202e plan cost?")
    assert reply.outcome is Outcome.ANSWERED and "$15" in reply.text
    assert trace_of(shared_synced, reply).question == "How much does the Pro plan cost?"


def test_instructions_inside_a_document_are_not_followed(shared_synced):
    reply = ask(shared_synced, "How do I print an invoice?")
    assert reply.outcome is Outcome.ANSWERED
    assert "password" not in reply.text.lower() and "ignore" not in reply.text.lower()
    assert any(c.document_key == "printing-invoices.md" for c in reply.citations)


def test_a_trace_stays_exact_after_its_document_changes_and_is_removed(synced, docs_folder):
    reply = ask(synced, "How long is the password reset link valid?")
    before = trace_of(synced, reply)
    cited = next(e for e in before.evidence if e.source == "help-center")
    page = docs_folder / cited.document_key
    page.write_text(page.read_text() + "\n\n## Update\n\nReset links now last 15 minutes.\n")
    synced.sync_service.sync("help-center")
    with synced.sessions() as session:
        trace = find_trace(session, reply.trace_id)
        status = evidence_status(session, trace)
        item = next(e for e in trace.evidence if e.id == cited.id)
        assert item.text == cited.text and status[item.id].state == "changed"
    page.unlink()
    synced.sync_service.sync("help-center")
    with synced.sessions() as session:
        trace = find_trace(session, reply.trace_id)
        assert evidence_status(session, trace)[cited.id].state == "retired"
        assert next(e for e in trace.evidence if e.id == cited.id).text == cited.text


def test_a_corrupted_index_file_is_rebuilt_from_the_database(synced):
    from bot.container import Container

    synced.index.save()
    path = synced.settings.index_path
    path.write_bytes(b'{"documents": [ truncated')
    fresh = Container(synced.settings)
    assert fresh.index.count() == synced.index.count()
    assert fresh.notices and "rebuilt the index from the database" in fresh.notices[0]
    assert list(path.parent.glob("chunks.json.corrupt-*")), "the damaged file is kept for inspection"
    assert ask(fresh, "How much does the Pro plan cost?").outcome is Outcome.ANSWERED


def test_a_question_off_the_threads_topic_is_searched_alone(shared_synced):
    thread = uuid.uuid4().hex
    ask(shared_synced, "How much does Pro cost?", thread)
    off_topic = ask(shared_synced, "Can you recommend a good pizza place?", thread)
    assert off_topic.outcome is Outcome.ESCALATED and "not sure" in off_topic.text, "not the price again"
    trace = trace_of(shared_synced, off_topic)
    assert trace.standalone_query == "Can you recommend a good pizza place?"
    searched = trace.routing["retrieval"]
    assert searched["new_topic"] and searched["thread_similarity"] < shared_synced.settings.new_topic_below

    new_question = ask(shared_synced, "How do I connect my bank account?", thread)
    assert new_question.outcome is Outcome.ANSWERED
    assert trace_of(shared_synced, new_question).standalone_query == "How do I connect my bank account?"
    follow_up = ask(shared_synced, "How often does it refresh?", thread)
    assert "4 hours" in follow_up.text, "'it' points back at the thread: searched with it"
    assert "new_topic" not in trace_of(shared_synced, follow_up).routing["retrieval"]


def test_searched_with_the_thread_the_off_topic_question_would_be_answered_from_the_old_topic(shared_synced):
    from strategies.base import HistoryTurn, Question
    from strategies.retrieval_strategy import RetrievalStrategy

    price = ask(shared_synced, "How much does Pro cost?")
    history = (HistoryTurn("user", "How much does Pro cost?"), HistoryTurn("bot", price.text))
    always = RetrievalStrategy(shared_synced.retriever, new_topic_below=None)
    answer = always.answer(Question("Can you recommend a good pizza place?", history))
    assert not answer.abstained and "$15" in answer.text, "the failure the new-topic check is there for"
