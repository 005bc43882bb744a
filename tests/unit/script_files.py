"""Helpers for the script tests: write script files into a folder and read their problems."""

from __future__ import annotations

import textwrap
from pathlib import Path

from strategies.scripts import ScriptProblem, load_scripts

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
