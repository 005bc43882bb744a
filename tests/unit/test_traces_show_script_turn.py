"""How `supportbot traces show` words a script's turn (bot.cli.traces_cmd)."""

from __future__ import annotations

from bot.cli.traces_cmd import _script_turn


def test_a_turn_that_collected_a_slot_and_waits_names_both():
    turn = {"version": "f1080ab47f00", "started": False, "steps": ["send_link", "arrived"],
            "filled": {"uses_sso": "no"}, "waits_at": "arrived", "end": None}
    assert _script_turn("reset_password", turn) == (
        "reset_password (version f1080ab47f00): said send_link → arrived, collected uses_sso: no; waits at arrived")


def test_a_stopped_script_and_a_trace_from_before_script_turns_were_kept():
    stopped = {"version": "f1080ab47f00", "started": False, "steps": [], "filled": {}, "waits_at": None, "end": "stopped"}
    assert _script_turn("reset_password", stopped) == "reset_password (version f1080ab47f00): said no step; ended stopped"
    assert _script_turn("reset_password", None) == "reset_password"


def test_a_question_with_answer_buttons_lists_them():
    turn = {"version": "f1080ab47f00", "started": True, "steps": ["check_sso"], "filled": {}, "waits_at": "check_sso",
            "choices": ["Yes", "No"], "end": None}
    assert _script_turn("reset_password", turn) == (
        "reset_password (version f1080ab47f00): started, said check_sso; waits at check_sso (answer buttons: Yes · No)")
