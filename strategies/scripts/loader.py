"""Loads a folder of script files and reports every problem with its file and line."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from strategies.scripts.model import SLOT_TYPES, Script, check_script
from strategies.scripts.yaml_lines import LineMap, compose_with_lines

SCRIPT_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ScriptProblem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class ScriptSet:
    scripts: dict[str, Script] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # script id -> file it came from
    example_lines: dict[str, list[int]] = field(default_factory=dict)  # script id -> line of each example
    problems: list[ScriptProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def examples_fingerprints(self) -> dict[str, str]:
        """Script id -> a fingerprint of its examples as the model learns them (order, case and
        punctuation aside): it changes when an example is added, removed or reworded."""
        fingerprints = {}
        for script_id, script in self.scripts.items():
            taught = "\n".join(sorted({normalised_example(e) for e in script.examples}))
            fingerprints[script_id] = hashlib.sha256(taught.encode()).hexdigest()[:16]
        return fingerprints


def load_scripts(folder: Path) -> ScriptSet:
    """Every script in `folder` (one per file, or a list of scripts in a file). Files with
    problems are reported and left out; the rest load."""
    result = ScriptSet()
    if not folder.is_dir():
        result.problems.append(ScriptProblem(str(folder), None, "the scripts folder does not exist"))
        return result
    files = script_files(folder)
    if not files:
        result.problems.append(ScriptProblem(str(folder), None, "no script files (*.yaml) in this folder"))
    for path in files:
        for script, line, example_lines in _load_file(path, result.problems):
            if script.id in result.scripts:
                first = result.files[script.id]
                result.problems.append(
                    ScriptProblem(str(path), line, f"duplicate script id {script.id!r} (first defined in {first})")
                )
                continue
            result.scripts[script.id] = script
            result.files[script.id] = f"{path}:{line}"
            result.example_lines[script.id] = example_lines
    result.problems.extend(_examples_in_two_scripts(result))
    return result


def script_files(folder: Path) -> list[Path]:
    """The script files under `folder`, in the order they load."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in SCRIPT_SUFFIXES and p.is_file())


def _examples_in_two_scripts(loaded: ScriptSet) -> list[ScriptProblem]:
    """The same message taught as two scripts contradicts itself: the model cannot learn both."""
    first_seen: dict[str, tuple[str, str]] = {}  # normalised example -> (script id, file:line)
    problems = []
    for script_id, script in loaded.scripts.items():
        path = loaded.files[script_id].rsplit(":", 1)[0]
        for example, line in zip(script.examples, loaded.example_lines[script_id], strict=True):
            key = normalised_example(example)
            seen = first_seen.setdefault(key, (script_id, f"{path}:{line}"))
            if seen[0] != script_id:
                problems.append(ScriptProblem(
                    path, line, f"script {script_id!r}: example {example!r} is also an example of {seen[0]!r} ({seen[1]})"
                ))
    return problems


def normalised_example(example: str) -> str:
    """What two examples must share to count as the same message: words, ignoring case and punctuation."""
    return " ".join(re.sub(r"[^\w\s]", " ", example.casefold()).split())


def _load_file(path: Path, problems: list[ScriptProblem]) -> Iterable[tuple[Script, int, list[int]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(ScriptProblem(str(path), line, f"not UTF-8 text (byte {exc.start})"))
        return
    try:
        data, lines = compose_with_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None or mark.line >= len(text.splitlines()):  # ran off the end: point at what was left open
            mark = getattr(exc, "context_mark", None) or mark
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(ScriptProblem(str(path), mark.line + 1 if mark else None, f"not valid YAML: {reason}"))
        return
    documents = data if isinstance(data, list) else [data]
    for index, document in enumerate(documents):
        base = (index,) if isinstance(data, list) else ()
        script = _parse(path, document, base, lines, problems)
        if script is not None:
            yield script, lines.line(base), [lines.line((*base, "examples", i)) for i in range(len(script.examples))]


def _parse(path: Path, data: object, base: tuple, lines: LineMap, problems: list[ScriptProblem]) -> Script | None:
    if not isinstance(data, dict):
        problems.append(ScriptProblem(str(path), lines.line(base), "a script must be a mapping (id, title, examples, steps)"))
        return None
    try:
        script = Script.model_validate(data)
    except ValidationError as exc:
        for error in _without_knock_on_errors(exc.errors()):
            where = (*base, *error["loc"])
            problems.append(ScriptProblem(str(path), lines.line(where), _describe(error)))
        return None
    issues = check_script(script)
    for where, message in issues:
        problems.append(ScriptProblem(str(path), lines.line((*base, *where)), f"script {script.id!r}: {message}"))
    return None if issues else script


def _without_knock_on_errors(errors: list) -> list:
    """A list that fails only because its items failed is not a second problem."""
    locations = [tuple(e["loc"]) for e in errors]
    return [
        e for e in errors
        if not (e["type"] == "too_short" and any(len(o) > len(e["loc"]) and o[: len(e["loc"])] == tuple(e["loc"]) for o in locations))
    ]


def _describe(error: dict) -> str:
    location = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "missing":
        return f"{location}: required field is missing"
    if kind == "extra_forbidden":
        return f"{location}: unknown field"
    if kind == "literal_error" and error["loc"][-1] == "type":
        return f"{location}: unknown slot type {error['input']!r}; expected one of {', '.join(SLOT_TYPES)}"
    if kind == "too_short" and error["loc"][-1] == "examples":
        return f"{location}: a script needs at least one example utterance to train on"
    if kind == "string_type" and "branches" in error["loc"]:
        return f"{location}: branch answers must be text; quote yes/no keys (\"yes\": step_id)"
    if kind == "string_pattern_mismatch":
        return f"{location}: {error['input']!r} must be lower-case letters, digits and underscores"
    return f"{location}: {error['msg']}"
