"""What a message says about the conversation: a request for a person, a wish to stop, a
new question."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategies.conversation_signals import (
    asks_for_a_person,
    declines_the_script,
    looks_like_a_question,
    points_back_at_the_thread,
    wants_to_stop,
)
from strategies.scripts import load_scripts

EXAMPLE_SCRIPTS = Path(__file__).resolve().parents[2] / "examples" / "scripts"


@pytest.mark.parametrize(
    "text",
    [
        "talk to a human",
        "can I speak with a real person?",
        "agent",
        "Agent!",
        "human please",
        "a real person please",
        "operator",
        "I need to speak to someone",
        "let me talk to a representative",
        "put me through to an agent",
        "connect me with your support team",
        "get me a human",
        "I want an actual person, not a bot",
        "Can I chat with a live agent?",
    ],
)
def test_asks_for_a_person(text):
    assert asks_for_a_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "I want a refund",
        "someone charged me twice",
        "How do people invite a team member?",
        "give me a refund",
        "my agent code doesn't work",
        "the person who owns the workspace left the company",
        "who is the account owner?",
        "I need help with my invoice",
        "talk to sales about pricing",
    ],
)
def test_does_not_ask_for_a_person(text):
    assert not asks_for_a_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "transfer the tallyo account to another person",  # a bundled example of transfer_ownership
        "I need to add a person to my team",
        "I want to give a person access to our invoices",
    ],
)
def test_a_task_about_another_person_is_not_a_request_for_one(text):
    assert not asks_for_a_person(text)


def test_script_examples_that_ask_for_a_person_are_only_talk_to_sales():
    """A script example that reads as a request for a person is handed off before the script
    model sees it; only talk_to_sales (which also ends with a person) may have such examples.
    Today transfer_ownership has one: see test_a_task_about_another_person_is_not_a_request_for_one."""
    scripts = load_scripts(EXAMPLE_SCRIPTS).scripts
    hits = {(sid, e) for sid, s in scripts.items() for e in s.examples if asks_for_a_person(e)}
    assert {sid for sid, _ in hits} <= {"talk_to_sales", "transfer_ownership"}
    assert {e for sid, e in hits if sid == "transfer_ownership"} <= {"transfer the tallyo account to another person"}


@pytest.mark.parametrize(
    "text",
    ["cancel", "Cancel.", "stop", "Stop!", "stop it please", "quit", "exit", "never mind", "nevermind", "Never mind!",
     "forget it", "start over", "cancel that", "stop this please"],
)
def test_wants_to_stop(text):
    assert wants_to_stop(text)


@pytest.mark.parametrize(
    "text",
    ["cancel my subscription", "how do I cancel?", "stop charging me", "stop sending reminders to my client",
     "I want to quit Tallyo", "exit the app crashes", "no"],
)
def test_does_not_want_to_stop(text):
    assert not wants_to_stop(text)


def test_script_examples_are_not_stop_requests():
    scripts = load_scripts(EXAMPLE_SCRIPTS).scripts
    assert [e for s in scripts.values() for e in s.examples if wants_to_stop(e)] == []


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("no, I was only asking", ""),
        ("I was just asking", ""),
        ("nevermind, just asking", ""),
        ("that's not what I meant", ""),
        ("Not what I asked for!", ""),
        ("I didn't ask for that", ""),
        ("you misunderstood", ""),
        ("no I meant what happens to my invoices after the trial?", "what happens to my invoices after the trial?"),
        ("Sorry, wrong topic. How do I add VAT?", "How do I add VAT?"),
        ("I'm asking whether annual plans get refunds", "annual plans get refunds"),
        ("oh, just checking: do you support SEPA?", "do you support SEPA?"),
    ],
)
def test_declines_the_script(text, rest):
    assert declines_the_script(text) == rest


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "no, it was more than 14 days ago",
        "no it never came",
        "I just wanted to know why it crashes",  # a bug report's free-text answer
        "I mean it has been 3 weeks",
        "only the owner can do that?",
        "asking about my invoice",
        "yes please",
    ],
)
def test_an_answer_to_the_script_is_not_a_decline(text):
    assert declines_the_script(text) is None


def test_script_examples_are_not_declines():
    scripts = load_scripts(EXAMPLE_SCRIPTS).scripts
    assert [e for s in scripts.values() for e in s.examples if declines_the_script(e) is not None] == []


@pytest.mark.parametrize(
    "text",
    [
        "How do I invite a team member",
        "what does Pro cost?",
        "Is there an API",
        "can I export to CSV",
        "Where is the forgot password link",
        "my card got declined?",
        "Does Tallyo support multi-currency invoices   ",
    ],
)
def test_looks_like_a_question(text):
    assert looks_like_a_question(text)


@pytest.mark.parametrize(
    "text",
    ["yes", "no", "INV-0042", "anna@acme.example", "I can't log in", "Howdy", "whatever works", "the web app"],
)
def test_does_not_look_like_a_question(text):
    assert not looks_like_a_question(text)


@pytest.mark.parametrize(
    "text",
    ["How often does it refresh?", "and Business?", "What about the annual plan?", "Can I do that from my phone?",
     "Is there anything else I need?", "which one is cheaper?", "If I cancel, do I lose them?"],
)
def test_words_that_only_the_thread_explains_point_back_at_it(text):
    assert points_back_at_the_thread(text)


@pytest.mark.parametrize(
    "text",
    ["How do I connect my bank account?", "Can you recommend a good pizza place?", "Is there a free trial?",
     "What's the weather in Paris?", "How much does Pro cost?"],
)
def test_a_self_contained_question_does_not_point_back(text):
    assert not points_back_at_the_thread(text)
