"""Which whole messages are small talk, and what the bot says back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from strategies.scripts import load_scripts
from strategies.small_talk import MAX_CHARS, SmallTalk, SmallTalkReplies, small_talk_in

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hi", SmallTalk.GREETING),
        ("Hello!", SmallTalk.GREETING),
        ("hey there", SmallTalk.GREETING),
        ("Hiiii", SmallTalk.GREETING),
        ("Good morning team", SmallTalk.GREETING),
        ("hello, anyone there?", SmallTalk.GREETING),
        ("<@U0BOT> hi", SmallTalk.GREETING),
        ("👋", SmallTalk.GREETING),
        ("thanks", SmallTalk.THANKS),
        ("Thank you so much!", SmallTalk.THANKS),
        ("thx", SmallTalk.THANKS),
        ("ok thanks", SmallTalk.THANKS),
        ("great, thanks for the help!", SmallTalk.THANKS),
        ("that worked, thank you", SmallTalk.THANKS),
        ("🙏", SmallTalk.THANKS),
        ("bye", SmallTalk.GOODBYE),
        ("ok thanks, bye!", SmallTalk.GOODBYE),
        ("that's all for now", SmallTalk.GOODBYE),
        ("have a nice day", SmallTalk.GOODBYE),
        ("ok", SmallTalk.ACKNOWLEDGED),
        ("Got it.", SmallTalk.ACKNOWLEDGED),
        ("👍", SmallTalk.ACKNOWLEDGED),
        ("yes please", SmallTalk.YES),
        ("sure", SmallTalk.YES),
        ("no thanks", SmallTalk.NO),
        ("nope", SmallTalk.NO),
        ("what can you do?", SmallTalk.CAPABILITIES),
        ("help", SmallTalk.CAPABILITIES),
        ("hi, what can you help me with?", SmallTalk.CAPABILITIES),
        ("are you a bot?", SmallTalk.CAPABILITIES),
        ("Am I talking to a real person?", SmallTalk.CAPABILITIES),
        ("what kinds of questions can I ask you", SmallTalk.CAPABILITIES),
    ],
)
def test_small_talk_is_recognised(text, kind):
    assert small_talk_in(text) is kind


@pytest.mark.parametrize(
    "text",
    [
        "hi, how much does Pro cost?",
        "thanks, but how do I export my invoices?",
        "help, I lost my password",
        "help with invoices",
        "no I want a refund",
        "yes I was charged twice",
        "ok so how do I cancel",
        "great product, but the bank sync is broken",
        "what's up with my invoice",
        "is this a bug?",
        "good morning, my card was declined",
        "",
        "   ",
        "?!",
    ],
)
def test_a_message_that_asks_or_tells_something_is_not_small_talk(text):
    assert small_talk_in(text) is None


def test_a_long_message_is_not_small_talk_whatever_its_words():
    long_thanks = " ".join(["thanks"] * (MAX_CHARS // 7 + 1))
    assert len(long_thanks) > MAX_CHARS and small_talk_in(long_thanks) is None
    assert small_talk_in(" ".join(["thanks"] * 5)) is SmallTalk.THANKS


def test_no_script_example_and_no_evaluation_question_reads_as_small_talk_unless_labelled_so():
    scripts = load_scripts(EXAMPLES / "scripts")
    examples = [example for script in scripts.scripts.values() for example in script.examples]
    cases = [json.loads(line) for line in (EXAMPLES / "eval" / "tallyo.jsonl").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    questions = [case["question"] for case in cases if not case.get("expected_small_talk")]
    assert len(examples) > 200 and len(questions) > 100
    assert [text for text in examples + questions if small_talk_in(text)] == []
    assert all(small_talk_in(case["question"]) for case in cases if case.get("expected_small_talk"))


def test_the_greeting_names_the_product_when_it_is_set():
    assert "the Tallyo support bot" in SmallTalkReplies("Tallyo").greeting()
    assert "the support bot" in SmallTalkReplies().greeting()
    assert SmallTalkReplies("  ").greeting() == SmallTalkReplies().greeting()


def test_capabilities_list_the_scripts_and_say_what_the_channel_answers_from():
    replies = SmallTalkReplies("Tallyo")
    both = replies.capabilities(["Reset a forgotten password", "Charged twice", "Reset a forgotten password"], docs=True)
    assert "help center" in both and "Tallyo" in both
    assert both.index("• Charged twice") < both.index("• Reset a forgotten password")
    assert both.count("Reset a forgotten password") == 1
    scripts_only = replies.capabilities(["Charged twice"], docs=False)
    assert "help center" not in scripts_only and "• Charged twice" in scripts_only
    docs_only = replies.capabilities([], docs=True)
    assert "•" not in docs_only and "talk to a person" in docs_only
