"""Helpers for the script tests: write script files into a folder, read their problems or load
them, and store an engine's state the way the bot does between two messages."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from strategies.scripts import Script, ScriptProblem, ScriptState, load_scripts

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_SCRIPTS = REPO / "examples" / "scripts"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def good_script(script_id: str) -> str:
    return f"""
        id: {script_id}
        title: A good script
        examples:
          - please help with {script_id}
        steps:
          - id: only
            say: Here you go.
            end: resolved
        """


def only_problem(folder: Path) -> ScriptProblem:
    result = load_scripts(folder)
    assert len(result.problems) == 1, result.problems
    assert not result.scripts
    return result.problems[0]


def load_one(folder: Path, text: str) -> dict[str, Script]:
    """The scripts of one file with `text`, which must have no problems."""
    write(folder, "s.yaml", text)
    result = load_scripts(folder)
    assert result.problems == []
    return result.scripts


def roundtrip(state: ScriptState) -> ScriptState:
    """What the bot does between two messages: store the state as JSON and read it back."""
    return ScriptState.from_dict(json.loads(json.dumps(state.to_dict())))
