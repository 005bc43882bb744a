"""Turning a judged correction, in one action, into what makes the bot better next time:

- a verified FAQ entry: a question/answer pair in a JSON FAQ file under the home folder, which
  is a `faq` source ("verified-faq") that the normal sync indexes;
- an evaluation case: one line of the eval-set JSONL file `supportbot eval` reads;
- training examples: the question with the corrected answer, in the chat format of
  `supportbot export training-data` (bot.training_export.write_pairs), and, when the lead names
  the script that should have run, a `{"text", "label"}` line that `supportbot train` reads.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.catalog import SourceCatalog
from bot.console.audit_log import record
from bot.console.disputes import Actor, DisputeError
from bot.db.base import utcnow
from bot.db.models import AnswerTrace, Dispute, Source
from bot.settings import Settings
from bot.training_export import TrainingPair, write_pairs

VERIFIED_FAQ_SOURCE = "verified-faq"


@dataclass(frozen=True)
class PromotionFiles:
    folder: Path  # <home>/console

    @property
    def faq(self) -> Path:
        return self.folder / "verified-faq.json"

    def lock(self) -> FileLock:
        """One writer of these files at a time, across threads and processes (several web replicas
        on one home): the FAQ file is read, changed and replaced, and lines must not interleave."""
        return FileLock(str(self.folder / ".promotions.lock"))

    @property
    def eval_cases(self) -> Path:
        return self.folder / "eval-cases.jsonl"

    @property
    def chat_training(self) -> Path:
        return self.folder / "corrections-training.jsonl"

    @property
    def script_examples(self) -> Path:
        return self.folder / "script-examples.jsonl"

    @property
    def out_of_scope(self) -> Path:
        """Openings of declined scripts a lead judged not a script (bot.console.out_of_scope_marks)."""
        return self.folder / "out-of-scope.txt"


def console_files(settings: Settings) -> PromotionFiles:
    return PromotionFiles(settings.home / "console")


@dataclass(frozen=True)
class PromotionChoices:
    """What the lead adds to the correction: facts a right answer must contain, the script that
    should have run (if any), and whether a person should handle such questions."""

    facts: tuple[str, ...] = ()
    expected_script: str | None = None
    should_escalate: bool = False
    question: str | None = None  # a clearer wording for the FAQ entry; default: the user's question


@dataclass
class Promoted:
    faq_question: str
    eval_case_id: str
    files: list[Path] = field(default_factory=list)
    # When a script answered the disputed question and the lead named none, what became of the
    # question in the out-of-scope messages: "marked", "already_marked" or "script_example".
    not_a_script: str | None = None


# (question, script it wrongly started, actor, audit target); raises OutOfScopeError when refused
MarkNotAScript = Callable[[str, str, Actor, str], None]


class Promotions:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalog: SourceCatalog,
        files: PromotionFiles,
        start_sync: Callable[[str], object],
        known_scripts: Callable[[], set[str]],
        mark_not_a_script: MarkNotAScript | None = None,
    ) -> None:
        self._sessions, self._catalog, self.files = sessions, catalog, files
        self.start_sync, self._known_scripts = start_sync, known_scripts
        self._mark_not_a_script = mark_not_a_script

    def promote(self, dispute_id: int, choices: PromotionChoices, actor: Actor) -> Promoted:
        if choices.expected_script and choices.expected_script not in self._known_scripts():
            raise DisputeError(f"No script {choices.expected_script!r} is defined; pick one from the list or none.")
        with self._sessions() as session:
            dispute = session.get(Dispute, dispute_id)
            if dispute is None:
                raise DisputeError(f"There is no dispute #{dispute_id}.")
            if not dispute.correction or dispute.status != "upheld":
                raise DisputeError("Only an upheld dispute with a correction can become a FAQ entry and examples.")
            if dispute.promoted_at is not None:
                raise DisputeError("This correction was already added to the knowledge base and the example sets.")
            trace = session.get(AnswerTrace, dispute.trace_id)
            question, history, correction = trace.question, list(trace.history or []), dispute.correction
            started = _script_started_by(trace)
        faq_question = (choices.question or question).strip()
        case_id = f"dispute-{dispute_id}"
        self.files.folder.mkdir(parents=True, exist_ok=True)
        with self.files.lock():
            with self._sessions.begin() as session:  # claim first: a second click finds it taken
                claimed = session.execute(
                    update(Dispute).where(Dispute.id == dispute_id, Dispute.promoted_at.is_(None)).values(promoted_at=utcnow())
                ).rowcount
                if not claimed:
                    raise DisputeError("This correction was already added to the knowledge base and the example sets.")
            written = [self._add_faq_entry(faq_question, correction)]
            written.append(_append_line(self.files.eval_cases, {
                "id": case_id, "question": question, "history": _history(history),
                "expected_script": choices.expected_script, "expected_sources": [faq_question],
                "expected_facts": list(choices.facts), "should_escalate": choices.should_escalate,
                "note": f"from dispute #{dispute_id}, judged in the review console by {actor.name}",
            }))
            pair = TrainingPair(f"dispute:{dispute_id}", tuple((t["role"], t["text"]) for t in history), question, correction)
            with self.files.chat_training.open("a", encoding="utf-8") as handle:
                write_pairs(iter([pair]), "openai-chat", handle)
            written.append(self.files.chat_training)
            if choices.expected_script:
                written.append(_append_line(self.files.script_examples, {"text": question, "label": choices.expected_script}))
        self._ensure_source()
        self.start_sync(VERIFIED_FAQ_SOURCE)
        with self._sessions.begin() as session:
            record(session, actor.name, "correction_promoted", f"dispute:{dispute_id}", actor.client, question=question,
                   faq_question=faq_question, eval_case=case_id, expected_script=choices.expected_script)
        promoted = Promoted(faq_question, case_id, written)
        if started and not choices.expected_script and not choices.should_escalate and self._mark_not_a_script:
            promoted.not_a_script = self._not_a_script(question, started, actor, dispute_id)
        return promoted

    def _not_a_script(self, question: str, script_id: str, actor: Actor, dispute_id: int) -> str:
        """A script answered, the lead's correction is the docs' answer: without this, the script
        would keep taking the question and the new FAQ entry would never be shown for it."""
        from bot.console.out_of_scope_marks import OutOfScopeError, ScriptExampleError

        assert self._mark_not_a_script is not None
        try:
            self._mark_not_a_script(question, script_id, actor, f"dispute:{dispute_id}")
        except ScriptExampleError:
            return "script_example"
        except OutOfScopeError:
            return "already_marked"
        return "marked"

    def _add_faq_entry(self, question: str, answer: str) -> Path:
        path = self.files.faq
        entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        entries = [e for e in entries if e.get("question", "").strip().lower() != question.lower()]
        entries.append({"question": question, "answer": answer})
        write_atomically(path, json.dumps(entries, ensure_ascii=False, indent=2))  # the sync never reads half a file
        return path

    def _ensure_source(self) -> None:
        with self._sessions() as session:
            exists = session.scalar(select(Source.id).where(Source.name == VERIFIED_FAQ_SOURCE))
        if exists is None:
            self._catalog.add(VERIFIED_FAQ_SOURCE, "faq", str(self.files.faq.resolve()))


def write_atomically(path: Path, text: str) -> None:
    """Replaces `path` with `text` in one step: a reader (a sync, `supportbot train`) sees the old
    file or the new one, never half of one."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _history(turns: list[dict]) -> list[dict]:
    return [{"role": t.get("role", "user"), "text": t.get("text", "")} for t in turns if t.get("text")]


def _append_line(path: Path, record_: dict) -> Path:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record_, ensure_ascii=False) + "\n")
    return path


def _script_started_by(trace: AnswerTrace) -> str | None:
    """The script this question started (not one it answered a step of), if any."""
    routing = trace.routing or {}
    in_progress = (routing.get("script_in_progress") or {}).get("script")
    started = routing.get("route") == "script" and trace.script_id and trace.script_id != in_progress
    return trace.script_id if started else None
