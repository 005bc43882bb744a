"""Evaluation sets: labelled questions in a JSON Lines file, one case per line.

Each line is one JSON object with these keys (format version 1):

    id                str, required, unique in the file
    question          str, required, the user's message
    history           list of {"role": "user"|"bot", "text": str}, optional, oldest first
    expected_script   str or null, required: the script id (intent label) the message should
                      start, or null when no script should run
    expected_sources  list of str, optional: document keys or titles of which the cited
                      evidence should include at least one
    expected_facts    list of str, optional: phrases the answer should contain (case-insensitive)
    should_escalate   bool, optional (default false): a person should take this one
    expected_small_talk  bool, optional (default false): small talk ("hi", "thanks"): the bot
                      should reply itself, with no search, script or person
    note              str, optional: free text for people (where the case came from, why)

Blank lines and lines starting with `#` are skipped. Any other key is an error, so a typo
in a key is not silently read as "no expectation".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
REQUIRED_KEYS = ("id", "question", "expected_script")
ROUTES = ("script", "retrieval", "escalate", "small_talk")  # what a case can expect the router to do
OPTIONAL_KEYS = ("history", "expected_sources", "expected_facts", "should_escalate", "expected_small_talk", "note")
HISTORY_ROLES = {"user": "user", "bot": "bot", "agent": "bot", "assistant": "bot"}


class EvalSetError(ValueError):
    """An evaluation set that cannot be used; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
        self.path, self.line, self.problem = path, line, problem


@dataclass(frozen=True)
class HistoryItem:
    role: str  # "user" or "bot"
    text: str


@dataclass(frozen=True)
class EvalCase:
    id: str
    question: str
    expected_script: str | None
    history: tuple[HistoryItem, ...] = ()
    expected_sources: tuple[str, ...] = ()
    expected_facts: tuple[str, ...] = ()
    should_escalate: bool = False
    expected_small_talk: bool = False
    note: str = ""
    line: int = 0  # where it was read from, for messages

    @property
    def expected_route(self) -> str:
        """What a router should do with it: escalate, follow the script, reply to small talk, or
        answer from the docs."""
        if self.should_escalate:
            return "escalate"
        if self.expected_small_talk:
            return "small_talk"
        return "script" if self.expected_script else "retrieval"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "question": self.question}
        if self.history:
            data["history"] = [{"role": h.role, "text": h.text} for h in self.history]
        data["expected_script"] = self.expected_script
        data["expected_sources"] = list(self.expected_sources)
        data["expected_facts"] = list(self.expected_facts)
        data["should_escalate"] = self.should_escalate
        if self.expected_small_talk:
            data["expected_small_talk"] = True
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class EvalSet:
    path: str
    cases: list[EvalCase] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.cases)


def parse_case(data: Any, path: Path | str = "<case>", line: int = 0) -> EvalCase:
    """One case from its JSON object; raises EvalSetError naming the line."""

    def fail(problem: str) -> EvalSetError:
        return EvalSetError(path, line or None, problem)

    if not isinstance(data, dict):
        raise fail(f"expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise fail(f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}")
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise fail(f"missing key(s) {', '.join(map(repr, missing))}")
    case_id, question, script = data["id"], data["question"], data["expected_script"]
    if not isinstance(case_id, (str, int)) or isinstance(case_id, bool) or not str(case_id).strip():
        raise fail("'id' must be a non-empty string")
    if not isinstance(question, str) or not question.strip():
        raise fail(f"case {case_id}: 'question' must be a non-empty string")
    if script is not None and (not isinstance(script, str) or not script.strip()):
        raise fail(f"case {case_id}: 'expected_script' must be a script id or null")
    escalate = data.get("should_escalate", False)
    if not isinstance(escalate, bool):
        raise fail(f"case {case_id}: 'should_escalate' must be true or false")
    small_talk = data.get("expected_small_talk", False)
    if not isinstance(small_talk, bool):
        raise fail(f"case {case_id}: 'expected_small_talk' must be true or false")
    if small_talk and (script or escalate):
        raise fail(f"case {case_id}: 'expected_small_talk' cannot go with an expected script or should_escalate")
    note = data.get("note", "")
    if not isinstance(note, str):
        raise fail(f"case {case_id}: 'note' must be a string")
    return EvalCase(
        id=str(case_id).strip(),
        question=question.strip(),
        expected_script=script.strip() if script else None,
        history=_history(data.get("history", []), fail, case_id),
        expected_sources=_strings(data.get("expected_sources", []), "expected_sources", fail, case_id),
        expected_facts=_strings(data.get("expected_facts", []), "expected_facts", fail, case_id),
        should_escalate=escalate,
        expected_small_talk=small_talk,
        note=note,
        line=line,
    )


def load_eval_set(
    path: Path,
    known_scripts: Iterable[str] | None = None,
    known_documents: Iterable[str] | None = None,
) -> EvalSet:
    """Read and check a set. `known_scripts` / `known_documents` (keys or titles), when given,
    turn an expected script or source nobody knows into an error naming its line."""
    path = Path(path)
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise EvalSetError(path, None, "file not found") from None
    except OSError as exc:
        raise EvalSetError(path, None, exc.strerror or str(exc)) from None
    except UnicodeDecodeError as exc:
        raise EvalSetError(path, None, f"not UTF-8 text (byte {exc.start})") from None
    scripts = set(known_scripts) if known_scripts is not None else None
    documents = set(known_documents) if known_documents is not None else None
    result = EvalSet(path=str(path))
    seen: dict[str, int] = {}
    for number, text in enumerate(raw.splitlines(), start=1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EvalSetError(path, number, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        case = parse_case(data, path, number)
        if case.id in seen:
            raise EvalSetError(path, number, f"duplicate id {case.id!r} (first on line {seen[case.id]})")
        seen[case.id] = number
        if scripts is not None and case.expected_script and case.expected_script not in scripts:
            raise EvalSetError(
                path, number, f"case {case.id}: unknown script {case.expected_script!r}{_known_hint(scripts)}"
            )
        if documents is not None:
            unknown = [s for s in case.expected_sources if s not in documents]
            if unknown:
                raise EvalSetError(
                    path, number,
                    f"case {case.id}: unknown document(s) {', '.join(map(repr, unknown))} (not a synced document key or title)",
                )
        result.cases.append(case)
    if not result.cases:
        raise EvalSetError(path, None, "the set is empty: no cases")
    return result


def dump_case(case: EvalCase) -> str:
    """One line of the file format (no newline)."""
    return json.dumps(case.to_dict(), ensure_ascii=False)


def write_eval_set(cases: Iterable[EvalCase], path: Path) -> int:
    lines = [dump_case(case) for case in cases]
    Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def _history(value: Any, fail, case_id) -> tuple[HistoryItem, ...]:
    if not isinstance(value, list):
        raise fail(f"case {case_id}: 'history' must be a list of {{role, text}} objects")
    turns = []
    for i, turn in enumerate(value, start=1):
        if not isinstance(turn, dict) or not isinstance(turn.get("text"), str) or turn.get("role") not in HISTORY_ROLES:
            raise fail(f"case {case_id}: history item {i} must be {{\"role\": \"user\"|\"bot\", \"text\": \"...\"}}")
        turns.append(HistoryItem(HISTORY_ROLES[turn["role"]], turn["text"]))
    return tuple(turns)


def _strings(value: Any, key: str, fail, case_id) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(f"case {case_id}: {key!r} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _known_hint(known: set[str]) -> str:
    if not known:
        return " (no scripts are defined)"
    shown = ", ".join(sorted(known)[:8])
    return f" (known: {shown}{', ...' if len(known) > 8 else ''})"
