"""How the terminal chat prints a reply (bot.cli.render)."""

from __future__ import annotations

from bot.cli.render import WITH_HUMAN_NOTE, reply_json, reply_markup
from bot.messages import Outcome, Reply


def test_a_scripts_question_lists_the_answers_a_chat_would_offer_as_buttons():
    reply = Reply(text="Did the reset email arrive?", outcome=Outcome.ANSWERED, trace_id="t1", choices=["Yes", "No"])
    assert reply_markup(reply).splitlines() == [
        "Did the reset email arrive?", "[dim]answer: Yes / No[/dim]", "[dim]trace t1 · answered[/dim]"]
    assert reply_json(reply)["choices"] == ["Yes", "No"]
    assert "answer:" not in reply_markup(Reply(text="Pro is $15.", outcome=Outcome.ANSWERED, trace_id="t2"))


def test_a_conversation_a_person_has_says_why_the_bot_is_quiet_instead_of_printing_nothing():
    assert reply_markup(Reply(text="", outcome=Outcome.WITH_HUMAN)) == f"[dim]{WITH_HUMAN_NOTE}[/dim]"
