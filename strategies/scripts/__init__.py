"""Support scripts: the YAML files support teams write, and the engine that follows them."""

from strategies.scripts.engine import EngineTurn, ScriptEngine, ScriptState
from strategies.scripts.folder import ScriptFolder
from strategies.scripts.loader import ScriptProblem, ScriptSet, load_scripts
from strategies.scripts.model import EndOutcome, Script, SlotSpec, Step

__all__ = [
    "EndOutcome",
    "EngineTurn",
    "Script",
    "ScriptEngine",
    "ScriptFolder",
    "ScriptProblem",
    "ScriptSet",
    "ScriptState",
    "SlotSpec",
    "Step",
    "load_scripts",
]
