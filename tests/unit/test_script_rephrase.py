"""The check that an LLM rewrite of a scripted reply kept the script's facts."""

from __future__ import annotations

import pytest

from strategies.base import HistoryTurn, Question
from strategies.generators.script_rephrase import SYSTEM_PROMPT, lost_or_added_facts, render_rephrase_prompt

SCRIPTED = (
    "Go to **Settings → Billing** and click **Change plan**. Pro costs $15 per month; see "
    "https://tallyo.example/pricing or email billing@tallyo.example. Refunds are possible within 14 days."
)
FAITHFUL = (
    "Sure! Open Settings → Billing, then hit **Change plan**. Pro is $15 a month (details at "
    "https://tallyo.example/pricing, or write to billing@tallyo.example). You can get a refund within 14 days."
)


def test_a_faithful_rewrite_has_no_problems():
    assert lost_or_added_facts(SCRIPTED, FAITHFUL) == []


def test_the_script_itself_is_faithful():
    assert lost_or_added_facts(SCRIPTED, SCRIPTED) == []


def test_a_script_without_facts():
    assert lost_or_added_facts("Great, glad that's cleared up!", "Awesome, happy to help!") == []


@pytest.mark.parametrize(
    ("rewritten", "problem"),
    [
        (FAITHFUL.replace("$15", "fifteen dollars"), "dropped '15'"),
        (FAITHFUL.replace("within 14 days", "within two weeks"), "dropped '14'"),
        (FAITHFUL.replace(" at https://tallyo.example/pricing,", ""), "dropped 'https://tallyo.example/pricing'"),
        (FAITHFUL.replace("billing@tallyo.example", "our billing team"), "dropped 'billing@tallyo.example'"),
        (FAITHFUL.replace("**Change plan**", "the upgrade button"), "dropped '**Change plan**'"),
        (FAITHFUL.replace("Settings → Billing", "your billing page"), "dropped '**Settings → Billing**'"),
    ],
)
def test_a_dropped_fact_is_named(rewritten, problem):
    assert lost_or_added_facts(SCRIPTED, rewritten) == [problem]


def test_an_added_number_is_named():
    assert lost_or_added_facts(SCRIPTED, FAITHFUL + " It takes about 5 minutes.") == ["added '5'"]


def test_a_changed_number_is_both_dropped_and_added():
    assert lost_or_added_facts("The link is valid for 60 minutes.", "The link works for 30 minutes.") == [
        "dropped '60'",
        "added '30'",
    ]


def test_a_number_made_longer_is_added():
    assert lost_or_added_facts("Pro costs $15 per month.", "Pro costs $150 per month.") == ["dropped '15'", "added '150'"]


def test_each_problem_is_named_once():
    assert lost_or_added_facts("Wait 10 minutes, then 10 more.", "Wait a while. Then 3 and 3.") == [
        "dropped '10'",
        "added '3'",
    ]


def test_a_dropped_number_inside_another_number_is_named():
    scripted = "Refunds are possible within 14 days of the $144 charge."
    rewritten = "You can get the $144 charge refunded."
    assert lost_or_added_facts(scripted, rewritten) == ["dropped '14'"]


def test_a_link_at_the_end_of_a_sentence():
    scripted = "Read more at https://tallyo.example/help."
    assert lost_or_added_facts(scripted, "More at https://tallyo.example/help!") == []


def test_rephrase_prompt_has_the_customer_and_the_script():
    prompt = render_rephrase_prompt("Did the reset email arrive?", Question("I forgot my password"))
    assert prompt == "Customer: I forgot my password\n\nScripted reply:\nDid the reset email arrive?"


def test_rephrase_prompt_keeps_the_last_four_turns():
    history = tuple(HistoryTurn("user" if i % 2 == 0 else "bot", f"turn {i}") for i in range(6))
    prompt = render_rephrase_prompt("Which plan?", Question("upgrade", history=history))
    assert prompt.startswith("Conversation so far:\nuser: turn 2\nbot: turn 3\nuser: turn 4\nbot: turn 5\n\n")
    assert "turn 1" not in prompt
    assert prompt.endswith("Customer: upgrade\n\nScripted reply:\nWhich plan?")


def test_system_prompt_asks_to_keep_facts():
    assert "Keep every fact" in SYSTEM_PROMPT
    assert "Add no facts" in SYSTEM_PROMPT
