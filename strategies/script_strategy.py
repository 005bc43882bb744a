"""The script strategy: the fine-tuned model picks a script, the engine follows it, and an
optional writer rephrases each scripted message (falling back to the script's own words)."""

from __future__ import annotations

import dataclasses
import time
from typing import Protocol

from strategies.base import Question, StrategyAnswer
from strategies.generators.base import GeneratorError
from strategies.scripts.engine import EngineTurn, ScriptEngine, ScriptState
from strategies.scripts.model import EndOutcome

STOPPED = "No problem, I've stopped that. What else can I help you with?"


class ScriptPredictionLike(Protocol):
    label: str | None
    confidence: float
    oos_score: float
    in_scope: bool
    ranked: tuple[tuple[str, float], ...]
    verdict: str | None  # a lead's correction of this exact question decided the label


class ScriptModel(Protocol):
    """What the router needs from a trained script classifier."""

    version: str

    @property
    def thresholds(self) -> object: ...

    def predict(self, text: str) -> ScriptPredictionLike: ...


class ScriptWriter(Protocol):
    name: str
    model: str

    def rephrase(self, scripted: str, question: Question) -> tuple[str, str]:
        """(the reply, the prompt sent); raises GeneratorError."""
        ...


def thresholds_dict(thresholds: object) -> dict:
    """A model's calibrated thresholds as plain values, for traces and the model registry."""
    if dataclasses.is_dataclass(thresholds) and not isinstance(thresholds, type):
        return dataclasses.asdict(thresholds)
    return dict(getattr(thresholds, "__dict__", {}))


class ScriptStrategy:
    name = "script"

    def __init__(self, model: ScriptModel, engine: ScriptEngine, writer: ScriptWriter | None = None) -> None:
        self.model = model
        self.engine = engine
        self._writer = writer

    def with_model(self, model: ScriptModel) -> ScriptStrategy:
        """The same scripts and writer over another model (e.g. one with overridden thresholds)."""
        return ScriptStrategy(model, self.engine, self._writer)

    def is_confident(self, prediction: ScriptPredictionLike) -> bool:
        return bool(
            prediction.in_scope
            and prediction.label in self.engine.scripts
            and (prediction.verdict is not None or prediction.confidence >= self.min_confidence)
        )

    @property
    def min_confidence(self) -> float:
        return float(getattr(self.model.thresholds, "min_confidence"))

    def turn_record(self, answer: StrategyAnswer, started: bool, stopped: bool) -> dict:
        """What a trace keeps of a script's turn: the version of the script whose words were said,
        the steps said, the slot collected, and where the script waits now or how it ended."""
        script = self.engine.scripts.get(answer.script_id or "")
        state = answer.script_state or {}
        return {
            "script": answer.script_id,
            "version": script.fingerprint if script else None,
            "started": started,
            "steps": list(answer.script_steps),
            "filled": dict(answer.script_filled),
            "slots": dict(state.get("slots") or {}),
            "waits_at": state.get("step_id"),
            "choices": list(answer.script_choices),
            "end": "stopped" if stopped else answer.script_end,
        }

    def start(self, script_id: str, question: Question) -> StrategyAnswer:
        return self._answer(lambda: self.engine.start(script_id, opening=question.text), question)

    def resume(self, state: ScriptState, question: Question) -> StrategyAnswer:
        return self._answer(lambda: self.engine.answer(state, question.text), question)

    def ask_again(self, state: ScriptState, question: Question, lead_in: str = "") -> StrategyAnswer:
        """The question the script waits on, again, after `lead_in` (a reply to small talk)."""
        answer = self._answer(lambda: self.engine.ask_again(state), question)
        if lead_in:
            answer.text = f"{lead_in}\n\n{answer.text}"
        return answer

    def stop(self, state: ScriptState, text: str = STOPPED) -> StrategyAnswer:
        return StrategyAnswer(
            strategy=self.name, text=text, script_id=state.script_id, script_end=EndOutcome.RESOLVED.value,
            generator="template",
        )

    def _answer(self, run, question: Question) -> StrategyAnswer:
        started = time.perf_counter()
        turn: EngineTurn = run()
        engine_ms = round((time.perf_counter() - started) * 1000, 2)
        answer = StrategyAnswer(
            strategy=self.name,
            text=turn.text,
            script_id=turn.script_id,
            script_state=turn.state.to_dict() if turn.state else None,
            script_end=turn.end.value if turn.end else None,
            script_steps=list(turn.steps),
            script_filled=dict([turn.filled]) if turn.filled else {},
            generator="template",
            timings_ms={"script_engine_ms": engine_ms},
            escalate=turn.end is EndOutcome.ESCALATE,
            handoff=turn.end is EndOutcome.ESCALATE,
        )
        if turn.filled:
            answer.scores["slot_filled"] = 1.0
        if turn.state is not None and (script := self.engine.scripts.get(turn.state.script_id)):
            ask = script.step(turn.state.step_id).ask
            answer.script_choices = ask.offered_answers if ask else ()
        if self._writer is not None and turn.text:
            self._rephrase(answer, turn.text, question)
        return answer

    def _rephrase(self, answer: StrategyAnswer, scripted: str, question: Question) -> None:
        assert self._writer is not None
        started = time.perf_counter()
        try:
            text, prompt = self._writer.rephrase(scripted, question)
            answer.text, answer.prompt = text, prompt
            answer.generator, answer.model = self._writer.name, self._writer.model
        except GeneratorError as exc:
            # The script's own words are always a correct reply; keep them and record why.
            answer.generator_error = str(exc)
            answer.prompt, answer.model = exc.prompt, exc.model
        answer.timings_ms["writer_ms"] = round((time.perf_counter() - started) * 1000, 2)


@dataclasses.dataclass(frozen=True)
class OverriddenThresholds:
    """Thresholds set by an admin (`supportbot eval calibrate`) instead of the model's own
    calibration; recorded as they are in every trace."""

    min_confidence: float
    method: str = "eval_calibration"
    model_min_confidence: float | None = None  # what the model's own calibration had chosen
    setting_id: int | None = None  # the threshold setting that chose it
    score: str = "probability"  # what the model's confidence is (its Thresholds.score)


class ThresholdOverride:
    """A script model whose in-scope decision uses another `min_confidence`. The wrapped
    model's label ranking and confidences are unchanged; only the cut-off moves."""

    def __init__(self, model: ScriptModel, min_confidence: float, setting_id: int | None = None) -> None:
        self.inner = model
        own = getattr(model.thresholds, "min_confidence", None)
        self._thresholds = OverriddenThresholds(
            min_confidence=float(min_confidence),
            model_min_confidence=float(own) if own is not None else None,
            setting_id=setting_id,
            score=getattr(model.thresholds, "score", "probability"),
        )

    @property
    def version(self) -> str:
        return self.inner.version

    @property
    def thresholds(self) -> OverriddenThresholds:
        return self._thresholds

    def predict(self, text: str) -> ScriptPredictionLike:
        return self._cut(self.inner.predict(text))

    def predict_batch(self, texts) -> list[ScriptPredictionLike]:
        batch = getattr(self.inner, "predict_batch", None)
        predictions = batch(texts) if batch else [self.inner.predict(t) for t in texts]
        return [self._cut(p) for p in predictions]

    def __getattr__(self, name: str):
        return getattr(self.inner, name)  # labels, metrics, ... of the wrapped model

    def _cut(self, prediction: ScriptPredictionLike) -> ScriptPredictionLike:
        if prediction.verdict is not None:
            return prediction  # a lead decided this question; no threshold overrules that
        best = prediction.ranked[0][0] if prediction.ranked else prediction.label
        in_scope = best is not None and prediction.confidence >= self._thresholds.min_confidence
        return _ScriptPrediction(
            label=best if in_scope else None,
            confidence=prediction.confidence,
            oos_score=prediction.oos_score,
            in_scope=in_scope,
            ranked=tuple(prediction.ranked),
        )


@dataclasses.dataclass(frozen=True)
class _ScriptPrediction:
    label: str | None
    confidence: float
    oos_score: float
    in_scope: bool
    ranked: tuple[tuple[str, float], ...]
    verdict: str | None = None
