"""The corrections leads made that decide a question's route, in one place: the questions marked
Not a script (from the dashboard or an upheld dispute) and the questions a dispute said needed a
script. For each: who made it, when, from which trace or dispute, and whether the active model
keeps it yet (a correction takes effect at the next `supportbot train`). Either kind can be
undone here; one undone since the last training is listed until the next one drops it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.console.audit_log import record
from bot.console.disputes import Actor
from bot.console.out_of_scope_marks import OutOfScopeError, OutOfScopeMarks
from bot.console.promotions import write_atomically
from bot.db.models import AuditEntry, ScriptModelVersion
from bot.model_freshness import ModelFreshness, model_freshness
from bot.training_data import TrainingDataError, read_out_of_scope
from strategies.script_model import OUT_OF_SCOPE, ModelArtifactError, read_verdicts
from strategies.scripts import ScriptSet
from strategies.scripts.loader import normalised_example

MARKED = "opening_marked_out_of_scope"
UNMARKED = "opening_unmarked_out_of_scope"
PROMOTED = "correction_promoted"
SCRIPT_EXAMPLE_REMOVED = "script_example_removed"


@dataclass(frozen=True)
class Correction:
    question: str
    script: str | None  # the script the question must start; None: it is not a script
    by: str = ""  # from the audit log; empty for a line written into the file by hand
    at: datetime | None = None
    target: str = ""  # "trace:<id>" or "dispute:<n>"
    in_model: bool = False  # the active model already keeps this verdict


@dataclass(frozen=True)
class CorrectionsView:
    model: str | None  # the active model's version
    not_a_script: list[Correction]
    needs_script: list[Correction]
    leaving: list[Correction]  # undone, but the active model keeps them until the next training
    problems: list[str]  # a file or model that could not be read
    freshness: ModelFreshness | None = None  # whether the active model learnt the scripts as they are


class Corrections:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        marks: OutOfScopeMarks,
        active_model: Callable[[], ScriptModelVersion | None],
        scripts: Callable[[], ScriptSet],
    ) -> None:
        self._sessions, self._marks, self._active_model, self._scripts = sessions, marks, active_model, scripts
        self.files = marks.files

    def view(self) -> CorrectionsView:
        problems: list[str] = []
        active = self._active_model()
        model, verdicts = self._model_verdicts(active, problems)
        with self._sessions() as session:
            made, wording = _audit_history(session)
        not_a_script = [self._entry(text, None, made, verdicts) for text in self._out_of_scope(problems)]
        needs_script = [self._entry(text, label, made, verdicts) for text, label in self._script_examples(problems)]
        current = {normalised_example(c.question) for c in not_a_script + needs_script}
        leaving = [
            Correction(wording.get(key, key), None if label == OUT_OF_SCOPE else label, in_model=True)
            for key, label in sorted(verdicts.items()) if key not in current
        ]
        freshness = model_freshness(self._scripts(), active) if active is not None else None
        return CorrectionsView(model, not_a_script, needs_script, leaving, problems, freshness)

    def undo_not_a_script(self, question: str, actor: Actor) -> None:
        with self._sessions() as session:
            made = _audit_history(session)[0].get((normalised_example(question), None))
        self._marks.remove(question, actor, made.target if made else "console:out-of-scope.txt")

    def undo_needs_script(self, question: str, script: str, actor: Actor) -> None:
        """Takes the question's lines labelled `script` out of the script examples file."""
        key, path = normalised_example(question), self.files.script_examples
        with self.files.lock():
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.exists() else []
            kept = [line for line in lines if _key(_labelled(line)) != (key, script)]
            if len(kept) == len(lines):
                raise OutOfScopeError(f"{question!r} is not among the questions that need script {script!r}.")
            if any(line.strip() for line in kept):
                write_atomically(path, "".join(kept))
            else:
                path.unlink()  # training refuses an examples file with no examples
        with self._sessions() as session:
            made = _audit_history(session)[0].get((key, script))
        with self._sessions.begin() as session:
            record(session, actor.name, SCRIPT_EXAMPLE_REMOVED, made.target if made else "console:script-examples.jsonl",
                   actor.client, question=question, script=script)

    @staticmethod
    def _model_verdicts(active: ScriptModelVersion | None, problems: list[str]) -> tuple[str | None, dict[str, str]]:
        if active is None:
            return None, {}
        try:
            return active.version, read_verdicts(Path(active.path))
        except ModelArtifactError as exc:
            problems.append(f"The active model's corrections could not be read: {exc}")
            return active.version, {}

    def _out_of_scope(self, problems: list[str]) -> list[str]:
        path = self.files.out_of_scope
        try:
            return [text for _, text in read_out_of_scope(path)] if path.exists() else []
        except TrainingDataError as exc:
            problems.append(str(exc))
            return []

    def _script_examples(self, problems: list[str]) -> list[tuple[str, str]]:
        path = self.files.script_examples
        try:
            lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: {exc}")
            return []
        return [row for line in lines if (row := _labelled(line))]

    @staticmethod
    def _entry(text: str, script: str | None, made: dict, verdicts: dict[str, str]) -> Correction:
        key = normalised_example(text)
        entry = made.get((key, script))
        in_model = verdicts.get(key) == (script or OUT_OF_SCOPE)
        if entry is None:
            return Correction(text, script, in_model=in_model)
        return Correction(text, script, entry.actor, entry.created_at, entry.target, in_model)


def _labelled(line: str) -> tuple[str, str] | None:
    """(text, label) of a script examples line; None for a blank or unreadable one."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(row, dict) or not row.get("text") or not row.get("label"):
        return None
    return str(row["text"]), str(row["label"])


def _key(row: tuple[str, str] | None) -> tuple[str, str] | None:
    return (normalised_example(row[0]), row[1]) if row else None


def _audit_history(session: Session) -> tuple[dict[tuple[str, str | None], AuditEntry], dict[str, str]]:
    """From one read of the corrections' audit entries: the latest entry that made each correction,
    by (normalised question, script or None), and each question as a lead saw it, by its normalised
    form (a model keeps only that)."""
    made: dict[tuple[str, str | None], AuditEntry] = {}
    wording: dict[str, str] = {}
    actions = (MARKED, UNMARKED, PROMOTED, SCRIPT_EXAMPLE_REMOVED)
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.id)):
        details = entry.details or {}
        text = details.get("opening") or details.get("question")
        if not text:
            continue
        key = normalised_example(text)
        wording[key] = text
        if entry.action == MARKED:
            made[(key, None)] = entry
        elif entry.action == PROMOTED and details.get("expected_script"):
            made[(key, details["expected_script"])] = entry
    return made, wording
