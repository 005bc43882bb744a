"""The retrieval strategy with an LLM writer behind an OpenAI-compatible endpoint, end to end
through the answer service, against a local fake server (tests/fakes/openai_server.py).

The LLM's reply is used only when it is cited and grounded; transport errors and replies
that cite nothing (or nothing that exists) fall back to the extractive answer; a reply that
says the evidence does not answer, or contains an unsupported sentence, makes the bot abstain.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

import pytest

from bot.container import Container
from bot.messages import Action, IncomingMessage, Outcome, Reply
from bot.settings import Settings
from bot.trace_queries import find_trace
from tests.conftest import EXAMPLES
from tests.fakes.openai_server import FakeOpenAIServer

pytestmark = pytest.mark.slow

API_KEY = "sk-test-secret"
MODEL = "fake-model"
TIMEOUT_S = 1.5
QUESTION = "How much does the Pro plan cost?"
PASSAGE = re.compile(r'<passage number="(\d+)" title=".*?">\n(.*?)\n</passage>', re.DOTALL)


@pytest.fixture(scope="module")
def llm():
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture(scope="module")
def bot(llm, tmp_path_factory) -> Container:
    """A container whose writer is the fake LLM, with the example knowledge synced once."""
    home = tmp_path_factory.mktemp("llm-writer")
    settings = Settings(
        home=home / "var",
        database_url=f"sqlite:///{home / 'supportbot.db'}",
        llm_base_url=llm.base_url,
        llm_model=MODEL,
        llm_api_key=API_KEY,
        llm_timeout_s=TIMEOUT_S,
        retrieval_top_k=5,  # = max_evidence: the same evidence, fewer passages to score per question
        _env_file=None,
    )
    container = Container(settings)
    container.init_db()
    container.sources.add("help-center", "folder", str(EXAMPLES / "help-center"), "https://help.tallyo.example")
    container.sources.add("faq", "faq", str(EXAMPLES / "faq.yaml"), "https://help.tallyo.example/faq")
    for name in ("help-center", "faq"):
        report = container.sync_service.sync(name)
        assert report.status == "succeeded", report.error
    yield container
    container.engine.dispose()


def ask(bot: Container, text: str = QUESTION) -> Reply:
    return bot.answer_service.handle(
        IncomingMessage(channel="test", conversation_key=uuid.uuid4().hex, user_id="u", text=text)
    )


def trace_of(bot: Container, reply: Reply) -> dict:
    """The trace's columns and evidence rows as plain values (read inside the session)."""
    assert reply.trace_id, "every handled message gets a trace"
    with bot.sessions() as session:
        trace = find_trace(session, reply.trace_id)
        assert trace is not None
        row = {c.name: getattr(trace, c.name) for c in trace.__table__.columns}
        row["evidence"] = [{c.name: getattr(e, c.name) for c in e.__table__.columns} for e in trace.evidence]
    return row


def passages(body: dict) -> dict[int, str]:
    """The numbered evidence passages in the user message of a chat request."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return {int(n): text for n, text in PASSAGE.findall(user)}


def number_of_passage_with(fragment: str) -> Callable[[dict], str]:
    """A reply function citing whichever passage states `fragment`, so the test does not
    depend on the exact ranking of the evidence."""

    def content(body: dict) -> str:
        numbered = passages(body)
        matching = [n for n, text in numbered.items() if fragment in text]
        assert matching, f"no passage in the prompt contains {fragment!r}: {numbered}"
        return str(matching[0])

    return content


def price_reply(extra: str = "") -> Callable[[dict], str]:
    find = number_of_passage_with("$15 per month")

    def content(body: dict) -> str:
        n = find(body)
        return f"Pro costs $15 per month [{n}]." + extra.replace("{n}", n)

    return content


def assert_extractive_fallback(reply: Reply, trace: dict, llm_text_fragment: str, *error_words: str) -> None:
    assert reply.outcome is Outcome.ANSWERED
    assert llm_text_fragment not in reply.text
    assert reply.citations, "the extractive answer cites its passages"
    assert trace["outcome"] == "answered"
    assert trace["generator"] == "extractive"
    error = trace["generator_error"] or ""
    assert error.strip(), "the trace says why the writer fell back"
    assert any(w in error.lower() for w in error_words), f"{error!r} should mention one of {error_words}"
    assert trace["answer"] == reply.text
    assert trace["model"] == "fake-model" and "Question:" in (trace["prompt"] or ""), "what was sent is kept"


# -- a good reply is used -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def good(bot, llm):
    """One question answered by a cited, grounded LLM reply; shared by the tests below."""
    llm.reply(price_reply())
    before = len(llm.requests)
    reply = ask(bot)
    requests = llm.requests[before:]
    return reply, requests, trace_of(bot, reply)


def test_a_cited_grounded_reply_becomes_the_answer(good):
    reply, requests, trace = good
    assert len(requests) == 1, "one request per question, no retries"
    expected_text = price_reply()(requests[0].body)
    cited_number = int(re.search(r"\[(\d+)\]", expected_text).group(1))
    assert reply.outcome is Outcome.ANSWERED
    assert reply.text == expected_text
    assert Action.TALK_TO_HUMAN in reply.actions and Action.HELPFUL in reply.actions

    cited = [e for e in trace["evidence"] if e["citation"] is not None]
    assert len(cited) == 1
    assert cited[0]["rank"] == cited_number, "[n] in the reply refers to passage n of the prompt"
    assert "$15 per month" in cited[0]["text"]
    assert [(c.number, c.document_key, c.title) for c in reply.citations] == [
        (cited_number, cited[0]["document_key"], cited[0]["title"])
    ], "Reply.citations carry the numbers used in the answer text"
    assert cited[0]["citation"] == cited_number
    assert trace["outcome"] == "answered"
    assert trace["generator"] == "openai-compatible"
    assert trace["model"] == MODEL
    assert trace["generator_error"] is None
    assert trace["answer"] == expected_text
    user_message = next(m["content"] for m in requests[0].body["messages"] if m["role"] == "user")
    assert trace["prompt"] == user_message, "the trace keeps the exact prompt the model saw"


def test_the_prompt_holds_the_evidence_the_question_and_the_data_not_instructions_rule(good):
    _, requests, trace = good
    request = requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == MODEL
    messages = request.body["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    system = messages[0]["content"].lower()
    assert "data" in system and "not instructions" in system, system
    assert QUESTION not in messages[0]["content"], "the question is not mixed into the instructions"
    assert QUESTION in messages[1]["content"]
    evidence = trace["evidence"]
    assert evidence, "the question retrieves evidence"
    numbered = passages(request.body)
    assert sorted(numbered) == sorted(e["rank"] for e in evidence)
    for item in evidence:
        assert numbered[item["rank"]] == item["text"], "passage [n] is the evidence of rank n, verbatim"


def test_the_api_key_is_sent_to_the_server_but_never_stored_in_the_trace(good):
    reply, requests, trace = good
    assert requests[0].headers.get("authorization") == f"Bearer {API_KEY}"
    assert trace["prompt"], "the prompt is recorded (and must not carry the key)"
    assert API_KEY not in json.dumps(trace, default=str)
    assert API_KEY not in reply.text


# -- failures fall back to the extractive answer ------------------------------------------------


def test_a_timeout_falls_back_to_the_extractive_answer(bot, llm):
    llm.sleep(TIMEOUT_S + 3, then="Pro costs $15 per month [1].")

    reply = ask(bot)

    assert_extractive_fallback(reply, trace_of(bot, reply), "Pro costs $15 per month [1].", "timed out", "timeout")


def test_an_http_500_falls_back_to_the_extractive_answer(bot, llm):
    llm.fail(500)

    reply = ask(bot)

    assert_extractive_fallback(reply, trace_of(bot, reply), "server had an error", "500", "server error")


def test_a_malformed_json_body_falls_back_to_the_extractive_answer(bot, llm):
    llm.malformed()

    reply = ask(bot)

    assert_extractive_fallback(reply, trace_of(bot, reply), "chatcmpl-broken", "json", "malformed", "decode")


def test_a_reply_without_citations_falls_back_to_the_extractive_answer(bot, llm):
    llm.reply("Pro costs $15 per month.")

    reply = ask(bot)

    assert_extractive_fallback(reply, trace_of(bot, reply), "Pro costs $15 per month.", "cite", "citation")


def test_a_reply_citing_a_passage_that_does_not_exist_falls_back(bot, llm):
    llm.reply("Pro costs $15 per month [9].")

    reply = ask(bot)

    assert len(passages(llm.requests[-1].body)) < 9, "the test needs [9] to be out of range"
    assert "[9]" not in reply.text
    assert_extractive_fallback(reply, trace_of(bot, reply), "[9]", "not exist", "does not exist", "cite")


# -- the model says no, or says too much: abstain -----------------------------------------------


def test_not_in_evidence_makes_the_bot_abstain_and_offer_a_person(bot, llm):
    llm.reply("NOT_IN_EVIDENCE")

    reply = ask(bot)

    assert reply.outcome is Outcome.ESCALATED  # auto routing: nothing confident, so a person is asked
    assert "NOT_IN_EVIDENCE" not in reply.text
    assert "person" in reply.text.lower()
    assert reply.actions == [Action.TALK_TO_HUMAN]
    assert reply.citations == []
    trace = trace_of(bot, reply)
    assert trace["outcome"] == "escalated"
    assert trace["generator"] == "openai-compatible"
    assert trace["abstain_reason"]
    assert trace["prompt"] and QUESTION in trace["prompt"]
    assert all(e["citation"] is None for e in trace["evidence"])


def test_a_sentence_unsupported_by_the_evidence_makes_the_bot_abstain(bot, llm):
    llm.reply(price_reply(" It also includes a free espresso machine delivered weekly [{n}]."))

    reply = ask(bot)

    assert reply.outcome is Outcome.ESCALATED  # auto routing: nothing confident, so a person is asked
    assert "espresso" not in reply.text
    assert "person" in reply.text.lower()
    assert reply.actions == [Action.TALK_TO_HUMAN]
    trace = trace_of(bot, reply)
    assert trace["outcome"] == "escalated"
    assert "not supported" in (trace["abstain_reason"] or "")
    assert "espresso" in trace["abstain_reason"], "the reason names the offending sentence"
    assert trace["generator"] == "openai-compatible"
    assert "espresso" not in trace["answer"]
    assert "espresso" in trace["generator_error"], "the withheld reply stays readable for review"
