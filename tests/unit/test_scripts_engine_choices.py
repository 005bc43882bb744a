"""Choice questions: answered by number or by name, branch keys in any case, and ends."""

from __future__ import annotations

from strategies.scripts import EndOutcome, ScriptEngine
from tests.unit.script_files import load_one

# --- choices --------------------------------------------------------------------------


def test_choice_answered_by_number(engine):
    turn = engine.answer(engine.start("delete_account").state, "2")
    assert turn.filled == ("target", "Login")
    assert turn.steps == ("delete_login",)
    assert turn.end is EndOutcome.RESOLVED


def test_choice_answered_by_name_inside_a_sentence(engine):
    turn = engine.answer(engine.start("delete_account").state, "I only want my personal data gone please")
    assert turn.filled == ("target", "Personal data")
    assert turn.steps == ("personal_data",)
    assert "privacy@tallyo.example" in turn.text


def test_end_retrieval_is_reported(engine):
    turn = engine.answer(engine.start("delete_account").state, "4")
    assert turn.filled == ("target", "Client data")
    assert turn.end is EndOutcome.RETRIEVAL
    assert turn.state is None
    assert turn.steps == ("client_data",)


def test_choice_branch_keys_written_in_capitals_still_match(tmp_path):
    scripts = load_one(
        tmp_path,
        """
        id: s
        title: T
        examples: [x]
        steps:
          - id: ask_colour
            say: Red, green or blue?
            ask:
              slot: colour
              type: choice
              choices: [Red, Green, Blue]
            branches:
              RED: red
              Blue: blue
          - id: green
            say: Green it is.
            end: resolved
          - id: red
            say: Red it is.
            end: resolved
          - id: blue
            say: Blue it is.
            end: escalate
        """,
    )
    engine = ScriptEngine(scripts)
    state = engine.start("s").state
    assert engine.answer(state, "red please").steps == ("red",)
    assert engine.answer(state, "3").end is EndOutcome.ESCALATE
    # no branch for Green: the following step
    assert engine.answer(state, "green").text == "Green it is."


def test_yes_no_branch_keys_written_in_capitals_still_match(tmp_path):
    scripts = load_one(
        tmp_path,
        """
        id: s
        title: T
        examples: [x]
        steps:
          - id: ask
            say: OK?
            ask:
              slot: ok
              type: yes_no
            branches:
              "YES": yes_step
              "No": no_step
          - id: yes_step
            say: Yes.
            end: resolved
          - id: no_step
            say: No.
            end: escalate
        """,
    )
    engine = ScriptEngine(scripts)
    state = engine.start("s").state
    assert engine.answer(state, "yes").steps == ("yes_step",)
    assert engine.answer(state, "nah").steps == ("no_step",)
