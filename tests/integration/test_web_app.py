"""The web app's own pages on 127.0.0.1: the local web chat (/, /chat/messages, /chat/actions)
and the health checks. Slack and Teams have their own suites (test_chat_behaviour and friends)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from bot.chat_actions import JUST_ASKING, MOVED_ON
from bot.container import Container
from bot.db.models import AnswerFeedback, AnswerTrace, Conversation, Dispute, Escalation
from bot.settings import Settings
from bot.web.app import create_app
from strategies.router import MISREAD
from tests.fakes.web_app import serve_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def web(scripted):
    with serve_app(create_app(scripted)) as base, httpx.Client(base_url=base, timeout=60) as client:
        yield client


def ask(web, text: str, conversation: str | None = None, user: str = "alice") -> dict:
    response = web.post("/chat/messages", json={"conversation": conversation or uuid.uuid4().hex, "user": user, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_page_is_served_and_only_the_configured_chats_are_mounted(web):
    page = web.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert '<form id="ask">' in page.text
    assert web.post("/slack/events", content=b"{}").status_code == 404, "Slack is off without a bot token"
    assert web.post("/api/messages", json={}).status_code == 404, "Teams is off without an app id"


def test_a_question_gets_a_cited_answer_traced_as_the_web_chat(web, scripted):
    reply = ask(web, "How much does the Pro plan cost?")
    assert reply["outcome"] == "answered" and "$" in reply["text"]
    assert reply["actions"] == ["helpful", "not_right", "talk_to_human"]
    assert reply["sources"] and all(s["title"] and s["url"].startswith("https://") for s in reply["sources"])
    with scripted.sessions() as session:
        trace = session.get(AnswerTrace, reply["trace_id"])
        assert (trace.channel, trace.answer) == ("web", reply["text"])
        cited = sorted(e.citation for e in trace.evidence if e.citation is not None)
    assert sorted(n for s in reply["sources"] for n in s["numbers"]) == cited, "every citation is on one Sources line"


def test_a_follow_up_in_the_same_conversation_is_answered_with_its_history(web, scripted):
    conversation = uuid.uuid4().hex
    ask(web, "How much does the Pro plan cost?", conversation)
    follow_up = ask(web, "and the Business plan?", conversation)
    with scripted.sessions() as session:
        trace = session.get(AnswerTrace, follow_up["trace_id"])
        assert "business" in trace.standalone_query.lower()
        assert trace.history[0]["text"] == "How much does the Pro plan cost?"


def test_a_script_is_followed_in_the_web_chat(web, scripted):
    reply = ask(web, "I forgot my password")
    with scripted.sessions() as session:
        trace = session.get(AnswerTrace, reply["trace_id"])
        assert (trace.strategy, trace.routing["script_model"]["label"]) == ("script", "reset_password"), trace.routing


def test_the_three_buttons_are_recorded_with_who(web, scripted):
    reply = ask(web, "How do I connect my bank account?")
    trace_id = reply["trace_id"]
    action = {"trace_id": trace_id, "user": "bob"}

    helpful = web.post("/chat/actions", json={**action, "action": "helpful"})
    assert helpful.status_code == 200 and "thanks" in helpful.json()["text"].lower()
    disputed = web.post("/chat/actions", json={**action, "action": "not_right", "reason": "wrong_doc", "details": "old page"})
    assert disputed.status_code == 200
    human = web.post("/chat/actions", json={**action, "action": "talk_to_human"})
    assert human.status_code == 200 and "support team" in human.json()["text"]

    with scripted.sessions() as session:
        ratings = session.scalars(select(AnswerFeedback).where(AnswerFeedback.trace_id == trace_id).order_by(AnswerFeedback.id))
        assert [(f.rating, f.user_id) for f in ratings] == [("helpful", "web:bob"), ("not_right", "web:bob")]
        dispute = session.scalar(select(Dispute).where(Dispute.trace_id == trace_id))
        assert (dispute.reason, dispute.details, dispute.opened_by) == ("wrong_doc", "old page", "web:bob")
        # Not right opened an escalation for the dispute; asking for a person then turned that one into a request
        escalations = session.scalars(select(Escalation).where(Escalation.trace_id == trace_id)).all()
        assert [(e.reason, e.requested_by) for e in escalations] == [("user_request", "web:bob")]


def test_just_asking_answers_the_question_that_started_a_script_from_the_docs(web, scripted):
    conversation = uuid.uuid4().hex
    started = ask(web, "how do I reset my password? I forgot it", conversation)
    assert started["actions"][0] == "just_asking"
    click = {"trace_id": started["trace_id"], "user": "alice", "action": "just_asking"}

    answered = web.post("/chat/actions", json=click)
    assert answered.status_code == 200
    reply = answered.json()
    assert reply["outcome"] == "answered" and reply["text"].startswith(MISREAD) and reply["sources"]
    assert reply["actions"] == ["helpful", "not_right", "talk_to_human"]
    with scripted.sessions() as session:
        trace = session.get(AnswerTrace, reply["trace_id"])
        assert (trace.channel, trace.question, trace.routing["declined_script"]) == ("web", JUST_ASKING, "reset_password")

    again = web.post("/chat/actions", json=click)
    assert again.status_code == 200 and again.json() == {"text": MOVED_ON}, "the conversation has moved past that answer"
    answer_since = ask(web, "How much does the Pro plan cost?", conversation)
    assert web.post("/chat/actions", json={**click, "trace_id": answer_since["trace_id"]}).json() == {"text": MOVED_ON}


def test_an_answer_button_under_a_scripts_question_is_sent_as_the_users_reply(web, scripted):
    conversation = uuid.uuid4().hex
    asked = ask(web, "I forgot my password", conversation)
    assert asked["choices"] == ["Yes", "No"]
    click = {"trace_id": asked["trace_id"], "user": "alice", "action": "answer", "answer": "No"}

    reply = web.post("/chat/actions", json=click).json()
    assert "Forgot password?" in reply["text"] and reply["choices"] == ["Yes", "No"]
    with scripted.sessions() as session:
        trace = session.get(AnswerTrace, reply["trace_id"])
        assert (trace.question, trace.routing["pressed"]) == ("No", "answer")
    assert web.post("/chat/actions", json=click).json() == {"text": MOVED_ON}, "one reply per question"
    unoffered = {**click, "trace_id": reply["trace_id"], "answer": "Maybe"}
    assert web.post("/chat/actions", json=unoffered).json() == {"text": MOVED_ON}
    assert web.post("/chat/actions", json={**unoffered, "answer": "x" * 201}).status_code == 422


def test_after_talk_to_a_human_the_bot_stays_quiet_in_that_conversation(web):
    conversation = uuid.uuid4().hex
    reply = ask(web, "How do I export my invoices?", conversation)
    web.post("/chat/actions", json={"trace_id": reply["trace_id"], "user": "alice", "action": "talk_to_human"})
    quiet = ask(web, "hello?", conversation)
    assert (quiet["outcome"], quiet["text"], quiet["trace_id"]) == ("with_human", "", None)


def test_an_unknown_reason_is_kept_as_other(web, scripted):
    reply = ask(web, "Which currencies can I invoice in?")
    web.post("/chat/actions", json={"trace_id": reply["trace_id"], "user": "eve", "action": "not_right", "reason": "<script>"})
    with scripted.sessions() as session:
        assert session.scalar(select(Dispute.reason).where(Dispute.trace_id == reply["trace_id"])) == "other"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"conversation": "c1", "user": "u", "text": ""}, 200),  # answered with an explanation, not an error
        ({"conversation": "c1", "user": "u", "text": "x" * 100_001}, 422),
        ({"conversation": "../etc", "user": "u", "text": "hi"}, 422),
        ({"conversation": "c1", "text": "hi"}, 422),
    ],
)
def test_bad_messages_get_a_clear_answer_or_a_422(web, body, status):
    response = web.post("/chat/messages", json=body)
    assert response.status_code == status
    if status == 200:
        assert response.json()["outcome"] == "rejected" and "empty" in response.json()["text"]


def test_a_huge_message_is_refused_with_its_length(web):
    reply = ask(web, "why " * 25_000)
    assert reply["outcome"] == "rejected" and "characters long" in reply["text"] and reply["trace_id"] is None


def test_a_button_for_an_unknown_answer_is_a_404_and_records_nothing(web, scripted, caplog):
    response = web.post("/chat/actions", json={"trace_id": "f" * 32, "user": "alice", "action": "helpful"})
    assert response.status_code == 404 and "not known" in response.json()["detail"]
    with scripted.sessions() as session:
        assert session.scalars(select(AnswerFeedback).where(AnswerFeedback.trace_id == "f" * 32)).all() == []
    assert web.post("/chat/actions", json={"trace_id": "x", "user": "a", "action": "delete"}).status_code == 422


def test_health_and_readiness(web):
    assert web.get("/healthz").json() == {"status": "ok"}
    assert web.get("/readyz").json() == {"status": "ready"}


def test_readiness_reports_a_database_that_is_not_migrated(tmp_path):
    container = Container(Settings(home=tmp_path / "var", _env_file=None, web_chat=False))
    with serve_app(create_app(container), wait_ready=None) as base:
        ready = httpx.get(base + "/readyz", timeout=30)
        assert ready.status_code == 503
        assert "supportbot migrate" in ready.json()["problems"]["database"]
        assert httpx.get(base + "/", timeout=5).status_code == 404, "the web chat can be switched off"
    container.engine.dispose()


def test_what_support_writes_from_the_console_can_be_read_back_by_the_web_chat_page(web, scripted):
    conversation = uuid.uuid4().hex
    ask(web, "How much does the Pro plan cost?", conversation)
    with scripted.sessions() as session:
        conversation_id = session.scalar(
            select(Conversation.id).where(Conversation.channel == "web", Conversation.external_key == conversation))
    assert scripted.console.poster.post(conversation_id, "Pro is $15 a month from today.", "lea") == "web"

    url = f"/chat/conversations/{conversation}/support-messages"
    [message] = web.get(url).json()["messages"]  # the bot's own answer is not among them
    assert (message["author"], message["text"]) == ("lea", "Pro is $15 a month from today.")
    assert web.get(url, params={"after": message["id"]}).json() == {"messages": []}
    assert web.get(f"/chat/conversations/{uuid.uuid4().hex}/support-messages").json() == {"messages": []}
    assert web.get("/chat/conversations/not%20an%20id/support-messages").status_code == 422
    assert web.get(url, params={"after": -1}).status_code == 422
