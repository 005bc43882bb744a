"""Fixtures of the script engine tests (test_scripts_engine*.py): the bundled example scripts."""

from __future__ import annotations

import pytest

from strategies.scripts import Script, ScriptEngine, load_scripts
from tests.unit.script_files import EXAMPLE_SCRIPTS


@pytest.fixture(scope="module")
def scripts() -> dict[str, Script]:
    result = load_scripts(EXAMPLE_SCRIPTS)
    assert result.problems == []
    return result.scripts


@pytest.fixture
def engine(scripts) -> ScriptEngine:
    return ScriptEngine(scripts)
