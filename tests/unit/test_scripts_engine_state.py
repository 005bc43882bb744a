"""The engine's state as stored between turns: JSON round trips, restarts, and state that no longer fits the scripts."""

from __future__ import annotations

import json

import pytest

from strategies.scripts import EndOutcome, ScriptEngine, ScriptState, load_scripts
from strategies.scripts.engine import ScriptStateError
from tests.unit.script_files import EXAMPLE_SCRIPTS, roundtrip

# --- stored state ---------------------------------------------------------------------


def test_state_survives_json_mid_script_and_a_new_engine_continues_identically(scripts):
    before_restart = ScriptEngine(scripts)
    turn = before_restart.start("client_did_not_receive_invoice", opening="client never got invoice")
    turn = before_restart.answer(turn.state, "INV-7777")
    turn = before_restart.answer(turn.state, "no idea")  # one miss, so attempts is 1
    stored = json.dumps(turn.state.to_dict())

    restored = ScriptState.from_dict(json.loads(stored))
    assert restored == turn.state
    assert restored.attempts == 1
    assert restored.opening == "client never got invoice"

    after_restart = ScriptEngine(load_scripts(EXAMPLE_SCRIPTS).scripts)
    for answer in ("bob@client.example", "what", "???"):
        assert after_restart.answer(restored, answer) == before_restart.answer(turn.state, answer)
    # the miss before the restart still counts: two more and the script gives up
    again = after_restart.answer(restored, "what")
    assert after_restart.answer(roundtrip(again.state), "???").end is EndOutcome.ESCALATE


def test_whole_conversation_through_json_between_every_turn(engine):
    turn = engine.start("change_plan")
    for answer in ("I'd like to upgrade", "2"):
        turn = engine.answer(roundtrip(turn.state), answer)
    assert turn.end is EndOutcome.RESOLVED
    assert turn.steps == ("business_info", "how_to_upgrade")
    assert "choose Business (monthly or annual)" in turn.text


def test_to_dict_is_plain_json():
    state = ScriptState("s", "step", {"a": "1"}, attempts=2, opening="hi")
    assert state.to_dict() == {"script_id": "s", "step_id": "step", "slots": {"a": "1"}, "attempts": 2, "opening": "hi"}


def test_from_dict_fills_defaults():
    assert ScriptState.from_dict({"script_id": "s", "step_id": "x"}) == ScriptState("s", "x", {}, 0, "")


@pytest.mark.parametrize(
    "data",
    [
        {"step_id": "check_sso"},
        {"script_id": "reset_password"},
        {"script_id": "reset_password", "step_id": "check_sso", "attempts": "many"},
        {"script_id": "reset_password", "step_id": "check_sso", "slots": ["a", "b", "c"]},
        None,
        "reset_password",
    ],
)
def test_unreadable_state(data):
    with pytest.raises(ScriptStateError, match="unreadable"):
        ScriptState.from_dict(data)


def test_state_naming_a_removed_script(engine):
    state = ScriptState("retired_script", "ask")
    with pytest.raises(ScriptStateError, match="retired_script"):
        engine.answer(state, "yes")
    with pytest.raises(ScriptStateError):
        engine.fits(state, "yes")
    with pytest.raises(ScriptStateError):
        engine.waits_for_free_text(state)
    with pytest.raises(ScriptStateError):
        engine.start("retired_script")


def test_state_naming_a_removed_step(engine):
    state = ScriptState("reset_password", "old_step")
    with pytest.raises(ScriptStateError, match="old_step"):
        engine.answer(state, "yes")
    with pytest.raises(ScriptStateError, match="old_step"):
        engine.fits(state, "yes")


def test_state_waiting_on_a_step_that_no_longer_asks(engine):
    with pytest.raises(ScriptStateError, match="no longer asks"):
        engine.answer(ScriptState("reset_password", "send_link"), "yes")


def test_script_state_error_is_a_value_error():
    assert issubclass(ScriptStateError, ValueError)
