"""Shadow run: the last N real questions from the traces, answered again by a candidate
configuration (another model version, a channel policy, the index as it is now), to see what
would change before switching. Read-only: it calls the router directly, so no trace, turn,
conversation state or escalation is written.

A question asked in the middle of a script is replayed as a fresh message: the trace records
which script was running, not its collected slots."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bot.answer_service import _outcome_and_text
from bot.container import Container
from bot.db.models import ScriptModelVersion
from bot.script_models import ScriptModelError
from bot.trace_queries import list_traces
from strategies.base import HistoryTurn, Question
from strategies.router import Policy, Router


@dataclass
class ShadowChange:
    trace_id: str
    question: str
    policy: str
    before_route: str | None
    after_route: str | None
    before_script: str | None
    after_script: str | None
    before_outcome: str
    after_outcome: str
    before_sources: list[str]
    after_sources: list[str]
    answer_changed: bool
    was_in_script: str | None
    after_answer: str
    latency_ms: float

    @property
    def changed(self) -> bool:
        return (
            self.before_route != self.after_route
            or self.before_script != self.after_script
            or self.before_outcome != self.after_outcome
            or self.answer_changed
        )

    def to_dict(self) -> dict:
        return {**self.__dict__, "changed": self.changed}


def candidate_router(container: Container, model_version: str | None) -> tuple[Router, str | None]:
    """The router as it would be with `model_version` active (the active one when None)."""
    if model_version is None:
        scripts = container.script_strategy
    else:
        from strategies.script_model import ModelArtifactError, load_classifier

        with container.sessions() as session:
            row = session.get(ScriptModelVersion, model_version)
        if row is None:
            known = ", ".join(r.version for r in container.script_models.all()) or "none"
            raise ScriptModelError(f"no model version {model_version!r} (known: {known})")
        try:
            model = load_classifier(Path(row.path))
        except ModelArtifactError as exc:
            raise ScriptModelError(f"version {model_version} cannot be loaded: {exc}") from exc
        scripts = container.script_strategy_for(model, container.thresholds_in_force)
    container.retrieval_strategy.warm_up()
    return Router(container.retrieval_strategy, scripts, container.small_talk), (scripts.model.version if scripts else None)


def shadow_run(
    container: Container,
    last: int,
    model_version: str | None = None,
    policy: Policy | None = None,
    progress=None,
) -> tuple[list[ShadowChange], str | None]:
    router, version = candidate_router(container, model_version)
    with container.sessions() as session:
        traces = [t for t in reversed(list_traces(session, limit=last)) if t.question]
        replay = [
            (t.id, t.question, tuple(HistoryTurn(h["role"], h["text"]) for h in t.history or ()), t.routing or {},
             t.script_id, t.outcome, t.answer, [e.document_key for e in t.evidence if e.citation is not None])
            for t in traces
        ]
    changes = []
    for done, (trace_id, text, history, routing, script_id, outcome, answer_text, cited) in enumerate(replay, start=1):
        chosen = policy or Policy(routing.get("policy", Policy.AUTO.value))
        started = time.perf_counter()
        answer = router.answer(Question(text, history), chosen)
        latency = (time.perf_counter() - started) * 1000
        new_outcome, new_text = _outcome_and_text(answer)
        changes.append(
            ShadowChange(
                trace_id=trace_id,
                question=text,
                policy=chosen.value,
                before_route=routing.get("route"),
                after_route=answer.routing.get("route"),
                before_script=script_id,
                after_script=answer.script_id,
                before_outcome=outcome,
                after_outcome=new_outcome.value,
                before_sources=cited,
                after_sources=[e.chunk.document_key for e in answer.citations],
                answer_changed=_normalized(new_text) != _normalized(answer_text),
                was_in_script=(routing.get("script_in_progress") or {}).get("script"),
                after_answer=new_text,
                latency_ms=round(latency, 2),
            )
        )
        if progress:
            progress(done, len(replay))
    return changes, version


def _normalized(text: str | None) -> str:
    return " ".join((text or "").split())
