"""The shape of a script file, as pydantic models. Cross-references (step ids, slot names,
branches) are checked in `check_script`, which reports each problem with its path."""

from __future__ import annotations

import hashlib
import re
import string
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,99}$")]
NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

SLOT_TYPES = ("text", "email", "number", "yes_no", "choice", "pattern")
MAX_ANSWER_BUTTONS = 10


class EndOutcome(StrEnum):
    RESOLVED = "resolved"  # the script did its job; the conversation is free again
    RETRIEVAL = "retrieval"  # continue with an answer from the docs
    ESCALATE = "escalate"  # hand the conversation to a person


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SlotSpec(_Strict):
    """A piece of information a step collects from the user."""

    slot: Identifier
    type: Literal["text", "email", "number", "yes_no", "choice", "pattern"]
    retry: NonEmptyText | None = None  # said when the answer does not validate
    choices: tuple[NonEmptyText, ...] = ()
    pattern: str | None = None  # a regular expression the whole answer must match (type: pattern)

    @property
    def offered_answers(self) -> tuple[str, ...]:
        """The answers a chat offers as buttons under the question: yes and no, or the choices
        (up to MAX_ANSWER_BUTTONS; a longer list is typed, as buttons would crowd the answer)."""
        if self.type == "yes_no":
            return ("Yes", "No")
        if self.type == "choice" and len(self.choices) <= MAX_ANSWER_BUTTONS:
            return tuple(self.choices)
        return ()

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from exc
        return value


class Step(_Strict):
    id: Identifier
    say: NonEmptyText
    ask: SlotSpec | None = None
    next: Identifier | None = None  # default: the following step
    branches: dict[str, Identifier] = Field(default_factory=dict)  # answer of a yes_no/choice slot -> step
    end: EndOutcome | None = None


class Script(_Strict):
    id: Identifier
    title: NonEmptyText
    description: str = ""
    examples: tuple[NonEmptyText, ...] = Field(min_length=1)
    steps: tuple[Step, ...] = Field(min_length=1)

    @property
    def first_step(self) -> Step:
        return self.steps[0]

    @property
    def fingerprint(self) -> str:
        """Changes with any edit to the script: a trace names the version whose words it said."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def following(self, step: Step) -> Step | None:
        index = self.steps.index(step)
        return self.steps[index + 1] if index + 1 < len(self.steps) else None

    @property
    def slots(self) -> dict[str, SlotSpec]:
        return {s.ask.slot: s.ask for s in self.steps if s.ask is not None}


Path = tuple[str | int, ...]


def check_script(script: Script) -> list[tuple[Path, str]]:
    """Problems pydantic cannot see: references between steps, slots and branches."""
    problems: list[tuple[Path, str]] = []
    step_ids = [s.id for s in script.steps]
    seen: set[str] = set()
    for index, step in enumerate(script.steps):
        where: Path = ("steps", index)
        if step.id in seen:
            problems.append(((*where, "id"), f"step id {step.id!r} is used twice in this script"))
        seen.add(step.id)
        if step.next is not None and step.next not in step_ids:
            problems.append(((*where, "next"), f"next step {step.next!r} does not exist"))
        for answer, target in step.branches.items():
            if target not in step_ids:
                problems.append(((*where, "branches", answer), f"branch target {target!r} does not exist"))
        problems += _check_ask(step, where)
        problems += _check_placeholders(step, script, where)
        is_last = index == len(script.steps) - 1
        if step.end is not None and (step.ask or step.next or step.branches):
            problems.append(((*where, "end"), "a step that ends the script cannot also ask, branch or go on"))
        if is_last and step.end is None and step.next is None and not _branches_cover_every_answer(step):
            problems.append((where, "the last step must say how the script ends (end: resolved|retrieval|escalate)"))
    return problems


def _branches_cover_every_answer(step: Step) -> bool:
    if step.ask is None or not step.branches:
        return False
    answers = {"yes", "no"} if step.ask.type == "yes_no" else {c.lower() for c in step.ask.choices}
    return answers <= {a.lower() for a in step.branches}


def _check_ask(step: Step, where: Path) -> list[tuple[Path, str]]:
    problems: list[tuple[Path, str]] = []
    ask = step.ask
    if ask is None:
        if step.branches:
            problems.append(((*where, "branches"), "branches need a yes_no or choice question in `ask`"))
        return problems
    if ask.type == "choice" and len(ask.choices) < 2:
        problems.append(((*where, "ask", "choices"), "a choice slot needs at least two choices"))
    if ask.type != "choice" and ask.choices:
        problems.append(((*where, "ask", "choices"), f"choices only apply to type choice, not {ask.type}"))
    if ask.type == "pattern" and not ask.pattern:
        problems.append(((*where, "ask", "pattern"), "a pattern slot needs a `pattern` (a regular expression)"))
    if step.branches:
        allowed = {"yes", "no"} if ask.type == "yes_no" else {c.lower() for c in ask.choices}
        if ask.type not in ("yes_no", "choice"):
            problems.append(((*where, "branches"), f"branches need a yes_no or choice slot, not {ask.type}"))
        else:
            for answer in step.branches:
                if answer.lower() not in allowed:
                    problems.append(
                        ((*where, "branches", answer), f"{answer!r} is not an answer to this question ({', '.join(sorted(allowed))})")
                    )
    return problems


def _check_placeholders(step: Step, script: Script, where: Path) -> list[tuple[Path, str]]:
    slots = script.slots
    problems = []
    for text, field in ((step.say, ("say",)), (step.ask.retry if step.ask else None, ("ask", "retry"))):
        if not text:
            continue
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            problems.append(((*where, *field), f"bad {{placeholder}} in text: {exc}"))
            continue
        for name in sorted(names - set(slots)):
            problems.append(((*where, *field), f"{{{name}}} is not a slot of this script"))
    return problems
