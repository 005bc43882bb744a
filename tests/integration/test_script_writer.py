"""An LLM behind an OpenAI-compatible endpoint rephrases scripted replies (how a fine-tuned
generative model plugs in); any failure or change of facts falls back to the script's words."""

from __future__ import annotations

import uuid

import pytest

from bot.container import Container
from bot.db.models import AnswerTrace
from bot.messages import IncomingMessage, Outcome
from bot.settings import Settings
from tests.fakes.openai_server import FakeOpenAIServer

pytestmark = pytest.mark.slow

SCRIPTED = "No problem, let's get you back in."
TIMEOUT_S = 1.5


@pytest.fixture(scope="module")
def llm():
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture(scope="module")
def bot(llm, tmp_path_factory, example_script_model) -> Container:
    home = tmp_path_factory.mktemp("script-writer")
    settings = Settings(
        home=home / "var",
        database_url=f"sqlite:///{home / 'supportbot.db'}",
        llm_base_url=llm.base_url,
        llm_model="docs-writer",
        script_writer_model="ft:support-voice-v2",
        llm_api_key="sk-secret-for-tests",
        llm_timeout_s=TIMEOUT_S,
        _env_file=None,
    )
    container = Container(settings)
    container.init_db()
    container.script_models.register(example_script_model)
    yield container
    container.engine.dispose()


def ask_password_reset(bot: Container) -> tuple[str, AnswerTrace]:
    message = IncomingMessage(channel="test", conversation_key=uuid.uuid4().hex, user_id="u", text="I forgot my password")
    reply = bot.answer_service.handle(message)
    assert reply.outcome is Outcome.ANSWERED
    with bot.sessions() as session:
        return reply.text, session.get(AnswerTrace, reply.trace_id)


def test_a_faithful_rewrite_is_the_reply_and_the_trace_names_the_model(bot, llm):
    llm.reply("Sorry you're locked out! Do you sign in with Google, Microsoft or your company's single sign-on?")
    text, trace = ask_password_reset(bot)
    assert text.startswith("Sorry you're locked out!")
    assert (trace.strategy, trace.generator, trace.model) == ("script", "openai-compatible", "ft:support-voice-v2")
    assert SCRIPTED in trace.prompt and "I forgot my password" in trace.prompt
    body = llm.requests[-1].body
    assert body["model"] == "ft:support-voice-v2"
    assert "sk-secret-for-tests" not in (trace.prompt or "") and trace.generator_error is None


def test_a_rewrite_that_adds_facts_falls_back_to_the_script(bot, llm):
    llm.reply("No problem! Your reset link is valid for 24 hours. Do you use single sign-on?")
    text, trace = ask_password_reset(bot)
    assert text.startswith(SCRIPTED) and "24 hours" not in text
    assert trace.generator == "template" and "added '24'" in trace.generator_error
    assert trace.prompt, "what was sent is kept even when the reply is not used"


@pytest.mark.parametrize("failure", ["server_error", "timeout", "malformed"])
def test_writer_failures_fall_back_to_the_script_and_are_recorded(bot, llm, failure):
    {"server_error": lambda: llm.fail(500), "timeout": lambda: llm.sleep(TIMEOUT_S + 2),
     "malformed": llm.malformed}[failure]()
    text, trace = ask_password_reset(bot)
    assert text.startswith(SCRIPTED)
    assert trace.generator == "template" and trace.generator_error
    assert trace.model == "ft:support-voice-v2"
