"""A lead's verdict on a declined script: "that question was never a script". The opening that
started it goes, once, into the console's out-of-scope file, which `supportbot train` reads
with the scripts, so the next model stops starting the script on such questions. A mark made
by mistake is taken back the same way: the line leaves the file, audited."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot.console.audit_log import record
from bot.console.disputes import Actor
from bot.console.promotions import PromotionFiles, write_atomically
from bot.db.models import AnswerTrace
from bot.training_data import read_out_of_scope
from strategies.scripts import ScriptSet
from strategies.scripts.loader import normalised_example


class OutOfScopeError(ValueError):
    """Why the opening was not added; the message is for the lead."""


class ScriptExampleError(OutOfScopeError):
    """The question is a script's own example: only editing that script changes its route."""


class OutOfScopeMarks:
    def __init__(self, sessions: sessionmaker[Session], files: PromotionFiles, scripts: Callable[[], ScriptSet]) -> None:
        self._sessions, self.files, self._scripts = sessions, files, scripts

    def marked(self) -> set[str]:
        """The openings already in the file, normalised (case and punctuation ignored)."""
        path = self.files.out_of_scope
        return {normalised_example(text) for _, text in read_out_of_scope(path)} if path.exists() else set()

    def mark(self, trace_id: str, actor: Actor) -> str:
        """Adds the opening of the script declined in trace `trace_id`; returns it."""
        script_id, opening = self._declined(trace_id)
        self.add(opening, script_id, actor, f"trace:{trace_id}")
        return opening

    def add(self, question: str, script_id: str, actor: Actor, target: str) -> None:
        """Adds `question`, which wrongly started script `script_id`, once (audited against `target`);
        refuses a question that a script has as an example."""
        question = " ".join(question.split())  # one message per line
        key = normalised_example(question)
        scripts = self._scripts().scripts
        taught = next((s.id for s in scripts.values() if key in {normalised_example(e) for e in s.examples}), None)
        if taught:
            raise ScriptExampleError(f"{question!r} is an example of script {taught!r}: edit that script's examples instead.")
        self.files.folder.mkdir(parents=True, exist_ok=True)
        with self.files.lock():
            if key in self.marked():
                raise OutOfScopeError(f"{question!r} is already in the out-of-scope messages.")
            with self.files.out_of_scope.open("a", encoding="utf-8") as handle:
                handle.write(question + "\n")
        with self._sessions.begin() as session:
            record(session, actor.name, "opening_marked_out_of_scope", target, actor.client, script=script_id, opening=question)

    def unmark(self, trace_id: str, actor: Actor) -> str:
        """Takes the opening of the script declined in trace `trace_id` out of the file; returns it."""
        script_id, opening = self._declined(trace_id)
        self.remove(opening, actor, f"trace:{trace_id}", script_id)
        return opening

    def remove(self, question: str, actor: Actor, target: str, script_id: str | None = None) -> None:
        """Takes every line with the words of `question` out of the file (comments and other lines
        stay), audited against `target`."""
        key, path = normalised_example(question), self.files.out_of_scope
        with self.files.lock():
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.exists() else []
            kept = [line for line in lines if line.lstrip().startswith("#") or normalised_example(line) != key]
            if len(kept) == len(lines):
                raise OutOfScopeError(f"{question!r} is not in the out-of-scope messages.")
            write_atomically(path, "".join(kept))
        with self._sessions.begin() as session:
            record(session, actor.name, "opening_unmarked_out_of_scope", target, actor.client,
                   script=script_id, opening=question)

    def _declined(self, trace_id: str) -> tuple[str, str]:
        """(script, opening) of the declined script in trace `trace_id`."""
        with self._sessions() as session:
            trace = session.get(AnswerTrace, trace_id)
            routing = trace.routing if trace is not None else {}
            script_id, opening = routing.get("declined_script"), " ".join(str(routing.get("declined_opening") or "").split())
        if not script_id:
            raise OutOfScopeError("That answer is not a declined script.")
        if not opening:
            raise OutOfScopeError("The question that started the script was not recorded.")
        return script_id, opening
