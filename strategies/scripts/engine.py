"""Follows a script across turns. The state is a plain value the caller stores between
messages (the bot keeps it in the database), so a restart mid-script loses nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace

from strategies.scripts.model import EndOutcome, Script, Step
from strategies.scripts.slot_values import read_slot

MAX_STEPS_PER_TURN = 50  # a `next` cycle without a question would otherwise never stop
NOT_UNDERSTOOD = "Sorry, I didn't quite get that."
GIVING_UP = "I'm having trouble understanding, so I'll bring in a person from the support team to help."


class ScriptStateError(ValueError):
    """Stored state that no longer fits the scripts (a script or step was removed)."""


@dataclass
class ScriptState:
    script_id: str
    step_id: str  # the step whose question waits for an answer
    slots: dict[str, str] = field(default_factory=dict)
    attempts: int = 0  # answers to this question that did not fit
    opening: str = ""  # the message that started the script

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> ScriptState:
        try:
            return cls(
                script_id=str(data["script_id"]),
                step_id=str(data["step_id"]),
                slots={str(k): str(v) for k, v in dict(data.get("slots") or {}).items()},
                attempts=int(data.get("attempts", 0)),
                opening=str(data.get("opening", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ScriptStateError(f"stored script state is unreadable: {exc}") from exc


@dataclass(frozen=True)
class EngineTurn:
    text: str
    script_id: str
    state: ScriptState | None  # None once the script has ended
    end: EndOutcome | None = None
    steps: tuple[str, ...] = ()  # the steps said in this turn, in order
    filled: tuple[str, str] | None = None  # (slot, value) collected in this turn
    not_understood: bool = False


class ScriptEngine:
    def __init__(self, scripts: Mapping[str, Script], max_attempts: int = 3) -> None:
        self._scripts = dict(scripts)
        self._max_attempts = max_attempts

    @property
    def scripts(self) -> Mapping[str, Script]:
        return self._scripts

    def start(self, script_id: str, opening: str = "") -> EngineTurn:
        script = self._script(script_id)
        state = ScriptState(script_id=script_id, step_id=script.first_step.id, opening=opening)
        return self._run_from(script, script.first_step, state, said=[])

    def check(self, state: ScriptState) -> None:
        """Raises ScriptStateError when the stored state no longer fits the scripts."""
        self._waiting_step(state)

    def fits(self, state: ScriptState, text: str) -> bool:
        """Whether `text` answers the question the script is waiting on."""
        step = self._waiting_step(state)
        return step.ask is not None and read_slot(step.ask, text) is not None

    def waits_for_free_text(self, state: ScriptState) -> bool:
        step = self._waiting_step(state)
        return step.ask is not None and step.ask.type == "text"

    def ask_again(self, state: ScriptState) -> EngineTurn:
        """The waiting step's words again, as at first: nothing is answered or counted."""
        step = self._waiting_step(state)
        return EngineTurn(_render(step.say, state.slots), state.script_id, state, steps=(step.id,))

    def answer(self, state: ScriptState, text: str) -> EngineTurn:
        script = self._script(state.script_id)
        step = self._waiting_step(state)
        assert step.ask is not None  # a state only ever waits on a step that asks
        value = read_slot(step.ask, text)
        if value is None:
            return self._not_understood(script, step, state)
        slots = {**state.slots, step.ask.slot: value}
        state = ScriptState(script.id, step.id, slots, attempts=0, opening=state.opening)
        branches = {answer.lower(): target for answer, target in step.branches.items()}
        target = branches.get(value.lower()) or step.next
        following = script.step(target) if target else script.following(step)
        if following is None:  # validated scripts never get here; end rather than hang
            return EngineTurn("", script.id, None, EndOutcome.RESOLVED, filled=(step.ask.slot, value))
        turn = self._run_from(script, following, state, said=[])
        return replace(turn, filled=(step.ask.slot, value))

    def _run_from(self, script: Script, step: Step, state: ScriptState, said: list[str]) -> EngineTurn:
        texts: list[str] = []
        for _ in range(MAX_STEPS_PER_TURN):
            texts.append(_render(step.say, state.slots))
            said.append(step.id)
            if step.ask is not None:
                waiting = ScriptState(script.id, step.id, state.slots, attempts=0, opening=state.opening)
                return EngineTurn("\n\n".join(texts), script.id, waiting, steps=tuple(said))
            if step.end is not None:
                return EngineTurn("\n\n".join(texts), script.id, None, step.end, steps=tuple(said))
            following = script.step(step.next) if step.next else script.following(step)
            if following is None:
                return EngineTurn("\n\n".join(texts), script.id, None, EndOutcome.RESOLVED, steps=tuple(said))
            step = following
        return EngineTurn(GIVING_UP, script.id, None, EndOutcome.ESCALATE, steps=tuple(said))

    def _not_understood(self, script: Script, step: Step, state: ScriptState) -> EngineTurn:
        attempts = state.attempts + 1
        if attempts >= self._max_attempts:
            return EngineTurn(GIVING_UP, script.id, None, EndOutcome.ESCALATE, steps=(step.id,), not_understood=True)
        assert step.ask is not None
        retry = step.ask.retry or f"{NOT_UNDERSTOOD} {_hint(step, state.slots)}"
        waiting = ScriptState(script.id, step.id, state.slots, attempts=attempts, opening=state.opening)
        return EngineTurn(_render(retry, state.slots), script.id, waiting, steps=(step.id,), not_understood=True)

    def _script(self, script_id: str) -> Script:
        try:
            return self._scripts[script_id]
        except KeyError:
            raise ScriptStateError(f"script {script_id!r} is no longer defined") from None

    def _waiting_step(self, state: ScriptState) -> Step:
        script = self._script(state.script_id)
        try:
            step = script.step(state.step_id)
        except KeyError:
            raise ScriptStateError(f"script {script.id!r} has no step {state.step_id!r} any more") from None
        if step.ask is None:
            raise ScriptStateError(f"step {step.id!r} of script {script.id!r} no longer asks a question")
        return step


def _hint(step: Step, slots: Mapping[str, str]) -> str:
    ask = step.ask
    assert ask is not None
    if ask.type == "yes_no":
        return "Could you answer yes or no?"
    if ask.type == "choice":
        options = ", ".join(f"{n}. {c}" for n, c in enumerate(ask.choices, start=1))
        return f"Please pick one of: {options}."
    if ask.type == "email":
        return "Could you give me the email address, like name@example.com?"
    if ask.type == "number":
        return "Could you give me the number?"
    return _render(step.say, slots)


class _Slots(dict):
    def __missing__(self, key: str) -> str:
        return "(not given)"


def _render(text: str, slots: Mapping[str, str]) -> str:
    return text.format_map(_Slots(slots))
